import type { Deps } from '../deps.js';
import { followRunbooks } from '../handlers/releases/runbook/follow-runbooks.js';
import type { ScheduledJob } from './scheduler.js';

export const RELEASE_RUNBOOK_JOB = 'release-runbook';

/**
 * Follows the release runbooks (`REMINDER_CRON`): ticks Images built when Docker Hub has every
 * RELEASE_IMAGES tag, and reminds in each release thread, once a day, of the steps due or late.
 */
export function createReleaseRunbookJob(deps: Deps): ScheduledJob {
  return { name: RELEASE_RUNBOOK_JOB, cron: deps.config.REMINDER_CRON, run: (context) => followRunbooks(deps, context.now).then(() => {}) };
}
