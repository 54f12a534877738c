import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import { prettyLine } from './pretty-log-line.js';

export type Logger = PinoLogger;

/**
 * Paths pino blanks out wherever they appear in a log object. Tokens and keys must never reach a log
 * line; integrations also strip them from error details before they are logged.
 */
export const REDACT_PATHS = [
  'token',
  'password',
  '*.token',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'config.SLACK_BOT_TOKEN',
  'config.SLACK_SIGNING_SECRET',
  'config.SLACK_APP_TOKEN',
  'config.DISCORD_TOKEN',
  'config.ATMOSPHERE_API_TOKEN',
  'config.GITHUB_TOKEN',
  'config.STATUSIO_API_KEY',
];

export type LogFormat = 'json' | 'pretty';

/**
 * JSON lines with ISO timestamps for collectors; `pretty` turns the same lines into one short
 * readable line each for a terminal (the redaction has run before either sees them).
 */
export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'atmo-bot' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (format === 'json') return pino(options, destination);
  const out = destination ?? pino.destination({ dest: 1, sync: true });
  return pino(options, { write: (line: string) => out.write(`${prettyLine(line)}\n`) });
}

/** A logger that writes JSON lines into an array, for tests that assert on what was logged. */
export function createMemoryLogger(level = 'debug'): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = {
    write(chunk: string) {
      lines.push(JSON.parse(chunk) as Record<string, unknown>);
    },
  };
  return { log: createLogger(level, destination), lines };
}
