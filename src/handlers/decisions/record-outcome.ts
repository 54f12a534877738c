import type { Deps } from '../../deps.js';
import { completeDecision, type DecisionRow } from '../../db/queries/decisions.js';
import type { RequestEventInput } from '../../db/queries/request-events.js';
import { retryWrite } from './retry-write.js';

/**
 * Records a decision Atmosphere has carried out: the journal row is marked done and its history row
 * appended in one transaction, retried briefly. False when the bot's database did not take it: the
 * change stands in Atmosphere, the claim stays in progress, and the reconciler completes the record
 * after the lease (settle-claim.ts). Never throws: from here on, nothing may say "nothing was done".
 */
export async function recordOutcome(
  deps: Deps,
  row: DecisionRow,
  outcome: { detail?: Record<string, unknown>; history?: Omit<RequestEventInput, 'at'> },
): Promise<{ recorded: boolean; at: Date }> {
  const at = deps.now();
  // Atmosphere has it either way; a record left pending is the reconciler's to finish.
  deps.metrics.decision(row.subject, row.action, 'done');
  const written = await retryWrite(deps.log.child({ decisionId: row.id }), 'complete decision', () =>
    completeDecision(deps.db, row.id, at, {
      ...(outcome.detail ? { detail: outcome.detail } : {}),
      ...(outcome.history ? { history: { ...outcome.history, at } } : {}),
    }),
  );
  return { recorded: written !== undefined, at };
}
