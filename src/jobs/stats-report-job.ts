import type { Deps } from '../deps.js';
import { buildStatsReport, DEFAULT_STATS_WEEKS } from '../handlers/stats/build-stats-report.js';
import type { JobContext, ScheduledJob } from './scheduler.js';

export const STATS_REPORT_JOB = 'stats-report';

/**
 * The weekly service report (`STATS_REPORT_CRON`, Mondays 15:00 UTC by default): what `/atmo stats`
 * shows for the last eight weeks, posted with its charts to STATS_CHANNEL (ANNOUNCE_CHANNEL when unset).
 * The scheduler's election runs each slot on one replica only, so the report is posted once a week
 * whatever the number of replicas. Returns whether it posted.
 */
export function createStatsReportJob(deps: Deps): ScheduledJob {
  return { name: STATS_REPORT_JOB, cron: deps.config.STATS_REPORT_CRON, run: (context) => runStatsReport(deps, context).then(() => {}) };
}

export async function runStatsReport(deps: Deps, context: JobContext): Promise<boolean> {
  const log = deps.log.child({ job: STATS_REPORT_JOB, slot: context.slot });
  const channel = deps.config.statsChannel;
  if (!channel) {
    log.debug('neither STATS_CHANNEL nor ANNOUNCE_CHANNEL is set; no weekly service report');
    return false;
  }
  const report = await buildStatsReport(deps, { weeks: DEFAULT_STATS_WEEKS }, context.now);
  await deps.chat.post(channel, { ...report, visibility: 'channel', footer: 'Weekly report; `/atmo stats --weeks N --provider P` shows another span or one provider.' });
  log.info({ files: report.files?.length ?? 0 }, 'weekly service report posted');
  return true;
}
