import type { Deps } from '../../deps.js';
import { IntegrationError, UserError } from '../../errors.js';
import { holdDecision, markDecisionSent, releaseDecision, UNCONFIRMED_HOLD_MS, type DecisionRow, type RecordPrecondition } from '../../db/queries/decisions.js';
import { formatTimestamp } from '../format-time.js';
import { retryWrite } from './retry-write.js';
import { isUnclearOutcome } from './unclear-outcome.js';

/**
 * The record must still read as planned when the call goes out: `refusal` says so when it does not
 * (given what it reads now, null when the record is gone). The claim is then given back, nothing sent.
 */
export interface StillAsPlanned extends RecordPrecondition {
  refusal(state: string | null): UserError;
}

/**
 * Sends a claimed decision's change to Atmosphere exactly once. The claim is marked sent first (so a
 * crash after this point is known to have possibly reached Atmosphere), in the same statement as the
 * check `options.stillAsPlanned` asks for. A clear refusal gives the claim back. An unclear failure
 * (timeout, 5xx, reset connection) HOLDS it: nobody can send the same change again, and whoever looks
 * next re-reads Atmosphere and records it as this person's decision if it landed. `options.extra`
 * adds to the reply of an unclear failure (the imaging slot hold).
 */
export async function sendOnce(
  deps: Deps,
  row: DecisionRow,
  what: string,
  call: () => Promise<void>,
  options: { extra?: string; stillAsPlanned?: StillAsPlanned } = {},
): Promise<void> {
  const { extra = '', stillAsPlanned } = options;
  const sentAt = deps.now();
  const mark = await markDecisionSent(deps.db, row.id, sentAt, stillAsPlanned);
  if (!mark.marked && mark.reason === 'record changed' && stillAsPlanned) {
    await releaseDecision(deps.db, row.id).catch((releaseError: unknown) => deps.log.error({ err: releaseError, decisionId: row.id }, 'could not give the decision claim back'));
    throw stillAsPlanned.refusal(mark.state);
  }
  if (!mark.marked) {
    throw new UserError('conflict', `${what}: the bot's claim on this decision was finished or given back meanwhile, so nothing was sent. Look at it again.`);
  }
  try {
    await call();
  } catch (error) {
    if (!isUnclearOutcome(error)) {
      deps.metrics.decision(row.subject, row.action, 'failed');
      await releaseDecision(deps.db, row.id).catch((releaseError: unknown) => deps.log.error({ err: releaseError, decisionId: row.id }, 'could not give the decision claim back'));
      throw error;
    }
    deps.metrics.decision(row.subject, row.action, 'held');
    const until = new Date(sentAt.getTime() + UNCONFIRMED_HOLD_MS);
    const reason = error instanceof Error ? error.message : String(error);
    await retryWrite(deps.log, 'hold decision', () => holdDecision(deps.db, row.id, until, reason.slice(0, 500)));
    throw unclearError(error, `${what} may still be applied by Atmosphere, so the bot holds this decision as ${row.decidedBy}'s and will not send it again: the next look at it records it if Atmosphere shows it, and it is freed if not by ${formatTimestamp(until)}${extra}`);
  }
}

/** The failure marked unclear, with what the bot holds noted; anything else becomes such a failure of Atmosphere. */
function unclearError(error: unknown, held: string): IntegrationError {
  if (error instanceof IntegrationError) return error.withNote(held, { unclear: true });
  const message = error instanceof Error ? error.message : String(error);
  return new IntegrationError('atmosphere', `no clear answer from the change: ${message}`, { unclear: true, cause: error }, [held]);
}
