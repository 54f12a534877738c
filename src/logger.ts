import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import { createRedactor } from './model/redactor.js';
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
 * readable line each for a terminal (the redaction has run before either sees them). `secrets` are
 * the configured token and password values: paths cover the fields we know, and every written line
 * also passes a redactor, because a secret can hide anywhere in an error message or stack (a client
 * library quoting the URL it could not reach, credentials and all).
 */
export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'json', secrets: readonly string[] = []): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'atmo-bot' }, timestamp: pino.stdTimeFunctions.isoTime };
  const redact = createRedactor(secrets);
  if (format === 'json') {
    const out = destination ?? pino.destination(1);
    return pino(options, { write: (line: string) => out.write(redact(line)) });
  }
  const out = destination ?? pino.destination({ dest: 1, sync: true });
  return pino(options, { write: (line: string) => out.write(`${prettyLine(redact(line))}\n`) });
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
