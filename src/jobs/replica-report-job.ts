import { randomUUID } from 'node:crypto';
import type { Deps } from '../deps.js';
import { findAlertThread } from '../db/queries/alert-threads.js';
import { UserError } from '../errors.js';
import { formatTimestamp } from '../handlers/format-time.js';
import { buildReplicaReport } from '../handlers/images/replica-report.js';
import { syncAlertThread, type SyncOutcome } from './alerts/sync-alert-thread.js';
import type { JobContext, ScheduledJob } from './scheduler.js';

export const REPLICA_REPORT_JOB = 'replica-report';
/** One thread per master provider in the alert-thread table (its record id is the provider id). */
const SUBJECT = 'image_replicas';

/**
 * The weekly replica report (`REPLICA_REPORT_CRON`, Mondays 14:00 UTC by default): what
 * `/atmo images replicas` shows for the configured master and replicas, kept in one thread in
 * ALERT_CHANNEL. The thread is claimed in the bot's alert-thread table like the request alerts, so
 * replicas and retried ticks never post it twice; a week with other problems edits the parent and
 * says what changed in the thread, an unchanged week posts nothing.
 */
export function createReplicaReportJob(deps: Deps): ScheduledJob {
  return { name: REPLICA_REPORT_JOB, cron: deps.config.REPLICA_REPORT_CRON, run: (context) => runReplicaReport(deps, context).then(() => {}) };
}

export async function runReplicaReport(deps: Deps, context: JobContext): Promise<SyncOutcome | null> {
  const log = deps.log.child({ job: REPLICA_REPORT_JOB, slot: context.slot });
  const channel = deps.config.alertChannel;
  if (!channel || !deps.config.IMAGE_MASTER_PROVIDER || deps.config.IMAGE_REPLICA_PROVIDERS.length === 0) {
    log.debug('ALERT_CHANNEL, IMAGE_MASTER_PROVIDER or IMAGE_REPLICA_PROVIDERS is not set; no replica report');
    return null;
  }
  let report;
  try {
    report = await buildReplicaReport({ ...deps, now: () => context.now }, { master: undefined, replicas: undefined });
  } catch (error) {
    // A provider named in the configuration that the database does not know: an operator mistake.
    if (!(error instanceof UserError)) throw error;
    log.warn({ problem: error.message }, 'replica report not built: check IMAGE_MASTER_PROVIDER and IMAGE_REPLICA_PROVIDERS');
    return null;
  }
  const checkedAt = formatTimestamp(context.now);
  const thread = await findAlertThread(deps.db, SUBJECT, report.masterId);
  const outcome = await syncAlertThread(
    { db: deps.db, chat: deps.chat, channel, log, subject: SUBJECT, now: context.now, token: randomUUID(), eventCursor: 0 },
    {
      recordId: report.masterId,
      snapshot: { state: report.problems > 0 ? 'open' : 'resolved', status: String(report.problems), oldStatus: null, category: 'replicas', fingerprint: report.fingerprint },
      alertable: report.problems > 0,
      parent: () => ({ ...report.reply, visibility: 'channel', footer: `Weekly check; this message is edited when the findings change (last change found ${checkedAt}). ${report.reply.footer ?? ''}`.trim() }),
      update: (previous) => ({
        text: report.problems === 0 ? `${checkedAt}: every replica is complete now (was ${previous.status} problem(s)).` : `${checkedAt}: ${report.problems} problem(s) now (was ${previous.status}); the message above shows them.`,
        visibility: 'channel',
        tone: report.problems === 0 ? 'success' : 'warning',
      }),
    },
    thread ?? undefined,
    [],
  );
  log.info({ outcome, problems: report.problems }, 'replica report synced');
  return outcome;
}
