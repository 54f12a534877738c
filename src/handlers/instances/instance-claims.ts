import type { Deps } from '../../deps.js';
import { findDecision } from '../../db/queries/decisions.js';
import { listRequestEvents } from '../../db/queries/request-events.js';
import { settleClaim, type Settlement } from '../decisions/settle-claim.js';

/**
 * The decision round of an instance's next action: how many actions the bot has recorded on it. A
 * confirmation carries the round it was shown in, so of simultaneous confirmations (or two offered
 * at once) only the first acts; the next action opens the next round once the first is recorded.
 */
export async function instanceRound(deps: Pick<Deps, 'db'>, id: number): Promise<number> {
  return (await listRequestEvents(deps.db, 'instance', [id])).length;
}

/**
 * Settles the claim of the instance's current round when it is unfinished (settle-claim.ts re-reads
 * Atmosphere's status history): an action that landed while its reply was lost is recorded as its
 * author's, one that may still land stays held, one that never started is given back. Null when no
 * action is open. Views and confirmations call it, so they never offer a second action beside one
 * that may have run.
 */
export async function settleOpenInstanceClaim(deps: Deps, id: number): Promise<Settlement | null> {
  const row = await findDecision(deps.db, 'instance', id, await instanceRound(deps, id));
  if (!row || row.state === 'done') return null;
  return settleClaim(deps, row);
}
