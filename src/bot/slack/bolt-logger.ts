import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../logger.js';

/**
 * Bolt and its WebClient log free text; Socket Mode logs its WebSocket URL, whose ticket is a
 * credential. Strip anything token-like before it reaches pino, which only redacts object paths.
 */
export function scrubSecrets(text: string): string {
  return text
    .replace(/xox[a-z]-[A-Za-z0-9-]+/g, 'xox?-[redacted]')
    .replace(/xapp-[A-Za-z0-9-]+/g, 'xapp-[redacted]')
    .replace(/ticket=[^&\s"']+/g, 'ticket=[redacted]');
}

function render(parts: unknown[]): string {
  return scrubSecrets(
    parts
      .map((part) => {
        if (typeof part === 'string') return part;
        if (part instanceof Error) return `${part.name}: ${part.message}`;
        try {
          return JSON.stringify(part);
        } catch {
          return String(part);
        }
      })
      .join(' '),
  );
}

/** Bolt's Logger interface over our pino logger, so Bolt's lines come out as structured JSON too. */
export function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'bolt' });
  return {
    debug: (...parts: unknown[]) => child.debug(render(parts)),
    info: (...parts: unknown[]) => child.info(render(parts)),
    warn: (...parts: unknown[]) => child.warn(render(parts)),
    error: (...parts: unknown[]) => child.error(render(parts)),
    // pino's level comes from LOG_LEVEL; Bolt must not change it.
    setLevel: () => undefined,
    getLevel: () => {
      if (child.isLevelEnabled('debug')) return LogLevel.DEBUG;
      if (child.isLevelEnabled('info')) return LogLevel.INFO;
      if (child.isLevelEnabled('warn')) return LogLevel.WARN;
      return LogLevel.ERROR;
    },
    setName: () => undefined,
  };
}
