import type { Deps } from '../deps.js';
import type { ScheduledJob } from './scheduler.js';
import { createAlertScanJob } from './alert-scan-job.js';
import { createInstanceAlertScanJob } from './instance-alert-scan-job.js';
import { createResourceReminderJob } from './resource-reminder-job.js';
import { createMaintenanceReminderJob } from './maintenance-reminder-job.js';
import { createReleaseRunbookJob } from './release-runbook-job.js';
import { createJobRunPruneJob } from './job-run-prune-job.js';
import { createDecisionReconcileJob } from './decision-reconcile-job.js';
import { createReplicaReportJob } from './replica-report-job.js';
import { createStatsReportJob } from './stats-report-job.js';
import { createReconcileJob } from './reconcile-job.js';
import { advanceQueueIfWaiting } from '../handlers/imaging/advance-queue-if-waiting.js';
import { createDemoImagingJob } from './demo-imaging-job.js';

/**
 * Every scheduled job, listed by hand with its cron expression from the configuration. Each runs once
 * per tick across all replicas (see run-coordinator.ts).
 */
export function buildJobs(deps: Deps): ScheduledJob[] {
  return [
    // The imaging queue moves first, so the scan that follows reports the request it just started.
    createAlertScanJob(deps, { beforeScan: async (d) => void (await advanceQueueIfWaiting(d)) }),
    createInstanceAlertScanJob(deps),
    createResourceReminderJob(deps),
    createMaintenanceReminderJob(deps),
    createReleaseRunbookJob(deps),
    createJobRunPruneJob(deps),
    createDecisionReconcileJob(deps),
    createReplicaReportJob(deps),
    createStatsReportJob(deps),
    createReconcileJob(deps),
    // The demo has no Atmosphere to run the imaging chain: this plays it, in embedded mode only.
    ...(deps.config.embedded ? [createDemoImagingJob(deps)] : []),
  ];
}
