import type { Deps } from '../../deps.js';
import { listUnsettledDecisions } from '../../db/queries/decisions.js';
import { settleClaim, type Settlement } from './settle-claim.js';

export interface ReconcileSummary {
  /** Claims recorded now from what Atmosphere shows (their replies were lost). */
  completed: number;
  /** Claims given back: nothing landed, or it was decided outside the bot. */
  released: number;
  /** Claims still held: sent without a clear answer, not visible in Atmosphere yet. */
  held: number;
  /** Claims still within their own process's lease. */
  busy: number;
  failed: number;
}

/**
 * Looks at every unfinished claim in the decision journal and settles the ones their own process
 * could not (settle-claim.ts). Run at start-up and by a scheduled job, once per tick across replicas;
 * a failure on one claim is logged and the rest go on.
 */
export async function reconcileDecisions(deps: Deps): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { completed: 0, released: 0, held: 0, busy: 0, failed: 0 };
  const log = deps.log.child({ component: 'decision-reconciler' });
  for (const row of await listUnsettledDecisions(deps.db)) {
    let settled: Settlement;
    try {
      settled = await settleClaim(deps, row);
    } catch (error) {
      summary.failed += 1;
      log.error({ err: error, decisionId: row.id, subject: row.subject, recordId: row.recordId }, 'could not settle a decision claim');
      continue;
    }
    if (settled.kind === 'done') {
      if (settled.recordedNow) {
        summary.completed += 1;
        log.info({ decisionId: row.id, subject: row.subject, recordId: row.recordId, by: row.decidedBy }, 'decision recorded from what Atmosphere shows');
      }
    } else {
      summary[settled.kind] += 1;
    }
  }
  return summary;
}
