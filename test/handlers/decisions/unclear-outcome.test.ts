import { describe, expect, it } from 'vitest';
import { IntegrationError, UserError } from '../../../src/errors.js';
import { isUnclearOutcome } from '../../../src/handlers/decisions/unclear-outcome.js';

/** The shape Node's fetch gives a failed connection: a TypeError whose cause carries the socket code. */
function fetchFailure(code: string): IntegrationError {
  const socket = Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code });
  return new IntegrationError('atmosphere', 'could not reach the Atmosphere API', { cause: new TypeError('fetch failed', { cause: socket }) });
}

describe('whether a failed change may still have been applied', () => {
  it('is clear for refusals and connections that never opened', () => {
    expect(isUnclearOutcome(new UserError('maintenance', 'in maintenance'))).toBe(false);
    expect(isUnclearOutcome(new IntegrationError('atmosphere', 'rejected', { status: 400 }))).toBe(false);
    expect(isUnclearOutcome(new IntegrationError('atmosphere', 'in maintenance', { status: 503, notApplied: true }))).toBe(false);
    expect(isUnclearOutcome(fetchFailure('ECONNREFUSED'))).toBe(false);
  });

  it('is unclear for timeouts, 5xx answers, reset connections and unknown failures', () => {
    expect(isUnclearOutcome(new IntegrationError('atmosphere', 'no answer', { cause: new DOMException('timed out', 'TimeoutError') }))).toBe(true);
    expect(isUnclearOutcome(new IntegrationError('atmosphere', 'unavailable', { status: 502 }))).toBe(true);
    expect(isUnclearOutcome(new IntegrationError('atmosphere', 'unavailable', { status: 503 }))).toBe(true);
    expect(isUnclearOutcome(fetchFailure('ECONNRESET'))).toBe(true);
    expect(isUnclearOutcome(new Error('Connection terminated unexpectedly'))).toBe(true);
  });
});
