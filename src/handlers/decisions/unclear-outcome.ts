import { IntegrationError, UserError } from '../../errors.js';

/** Codes of a connection that never reached the server: the request cannot have been applied. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Whether a failed side-effect call may still have been applied by Atmosphere. A refusal (a UserError,
 * a 3xx or 4xx answer) and a connection that never opened are clear: nothing happened. A timeout, a
 * 5xx other than a maintenance refusal, a reset connection or an unknown failure are not: Django may have saved the change and sent
 * the e-mail before the answer was lost, so the change is treated as possibly applied.
 */
export function isUnclearOutcome(error: unknown): boolean {
  if (error instanceof UserError) return false;
  if (error instanceof IntegrationError && error.notApplied) return false;
  if (error instanceof IntegrationError && error.status !== undefined) return error.status >= 500;
  return !hasCode(error, NEVER_SENT_CODES);
}

function hasCode(error: unknown, codes: ReadonlySet<string>): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    const code = 'code' in current ? current.code : undefined;
    if (typeof code === 'string' && codes.has(code)) return true;
  }
  return false;
}
