import { IntegrationError } from '../errors.js';

/**
 * Recognises the failures that mean "the bot's database is down or hung" rather than "this query is
 * wrong", so the dispatcher can say so instead of reporting a bug. node-postgres reports them as
 * plain errors (texts from pg/lib/client.js and pg-pool/index.js), socket errors with a `code`, or
 * server errors with a SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html);
 * drizzle wraps each in a DrizzleQueryError whose `cause` is the original.
 */

/** pg's client-side timeouts: a query unanswered within query_timeout, a connect past connectionTimeoutMillis. */
const TIMEOUT_MESSAGES = [/^Query read timeout$/, /^timeout exceeded when trying to connect$/, /^Connection terminated due to connection timeout$/];
/** query_canceled: statement_timeout fired on the server. */
const TIMEOUT_SQLSTATES = new Set(['57014']);

const LOST_MESSAGES = [/^Connection terminated( unexpectedly)?$/, /is not queryable$/];
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ETIMEDOUT']);
/** admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections, and class 08 (connection exception). */
const LOST_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

type Kind = 'timeout' | 'unreachable';

function classify(error: Error): Kind | null {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (TIMEOUT_SQLSTATES.has(code)) return 'timeout';
    if (SOCKET_CODES.has(code) || LOST_SQLSTATES.has(code) || /^08/.test(code)) return 'unreachable';
  }
  if (TIMEOUT_MESSAGES.some((pattern) => pattern.test(error.message))) return 'timeout';
  if (LOST_MESSAGES.some((pattern) => pattern.test(error.message))) return 'unreachable';
  return null;
}

/**
 * The database outage behind `error`, as an `IntegrationError('database')`, or null when `error` is
 * something else. A timeout's cause is named `TimeoutError` and a lost connection's carries a socket
 * `code`, which is how the one renderer (renderIntegrationError) tells them apart.
 */
export function asDatabaseOutage(error: unknown): IntegrationError | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    if (current instanceof IntegrationError) return null;
    const kind = classify(current);
    if (kind === 'timeout') {
      const cause = Object.assign(new Error('the database did not answer in time', { cause: current }), { name: 'TimeoutError' });
      return new IntegrationError('database', `the bot's database did not answer: ${current.message}`, { detail: 'no answer in time', cause });
    }
    if (kind === 'unreachable') {
      const code = (current as { code?: unknown }).code;
      const reason = typeof code === 'string' && SOCKET_CODES.has(code) ? code : 'connection lost';
      const cause = Object.assign(new Error('the database connection failed', { cause: current }), { code: 'ECONNRESET' });
      return new IntegrationError('database', `the bot's database is unreachable: ${current.message}`, { detail: reason, cause });
    }
  }
  return null;
}
