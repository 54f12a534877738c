import type { Deps } from '../deps.js';
import { pruneJobRuns } from '../db/queries/job-runs.js';
import type { ScheduledJob } from './scheduler.js';

/**
 * How long a slot's election row is kept. It only has to outlive the clock skew between replicas
 * (minutes at most); a week leaves room to look back at which replica ran what.
 */
export const JOB_RUN_KEEP_MS = 7 * 24 * 3_600_000;

/** Once a day, removes the election rows of old job slots, which would otherwise grow without end. */
export function createJobRunPruneJob(deps: Deps): ScheduledJob {
  return {
    name: 'job-run-prune',
    // Daily at an off-hour minute, so replicas of several bots on one database don't all prune at :00.
    cron: '41 4 * * *',
    async run({ now }) {
      const removed = await pruneJobRuns(deps.db, new Date(now.getTime() - JOB_RUN_KEEP_MS));
      deps.log.info({ job: 'job-run-prune', removed }, 'pruned old job slots');
    },
  };
}
