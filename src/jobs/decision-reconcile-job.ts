import type { Deps } from '../deps.js';
import { reconcileDecisions } from '../handlers/decisions/reconcile-decisions.js';
import type { ScheduledJob } from './scheduler.js';

/**
 * Every minute, finishes the decision claims their own process left behind (a crash, a shutdown, a
 * database outage after the call) and frees held ones that never landed. A minute keeps a lost
 * reply's record no more than a minute behind the claim lease.
 */
export function createDecisionReconcileJob(deps: Deps): ScheduledJob {
  return {
    name: 'decision-reconcile',
    cron: '* * * * *',
    async run() {
      const summary = await reconcileDecisions(deps);
      if (summary.completed + summary.released + summary.held + summary.failed > 0) deps.log.info({ job: 'decision-reconcile', ...summary }, 'decision claims reconciled');
    },
  };
}
