import { randomUUID } from 'node:crypto';
import type { Deps } from '../deps.js';
import { findAlertThread } from '../db/queries/alert-threads.js';
import { formatTimestamp } from '../handlers/format-time.js';
import { findingCount, reconcileFingerprint, renderReconcile } from '../handlers/reconcile/render-reconcile.js';
import { gatherReconcile } from '../handlers/reconcile/gather-reconcile.js';
import { listProviders } from '../db/queries/instances.js';
import { syncAlertThread, type SyncOutcome } from './alerts/sync-alert-thread.js';
import type { JobContext, ScheduledJob } from './scheduler.js';

export const RECONCILE_JOB = 'reconcile';
/** One thread per provider in the alert-thread table (its record id is the provider id). */
const SUBJECT = 'reconcile';

/**
 * The weekly reconciliation (`RECONCILE_CRON`, Mondays 13:00 UTC by default): what
 * `/atmo reconcile` finds for each provider OPENSTACK_CLOUDS configures, kept in one thread per
 * provider in ALERT_CHANNEL. The thread is claimed in the alert-thread table, so replicas and retried
 * ticks never post it twice; a week whose findings differ edits the parent and says what changed in
 * the thread, an unchanged week posts nothing. Read-only, like the command.
 */
export function createReconcileJob(deps: Deps): ScheduledJob {
  return { name: RECONCILE_JOB, cron: deps.config.RECONCILE_CRON, run: (context) => runReconcile(deps, context).then(() => {}) };
}

/** The outcome per provider id, or null when the job has nothing to do here. */
export async function runReconcile(deps: Deps, context: JobContext): Promise<Map<number, SyncOutcome> | null> {
  const log = deps.log.child({ job: RECONCILE_JOB, slot: context.slot });
  const channel = deps.config.alertChannel;
  const openstack = deps.openstack ?? null;
  if (!channel || !openstack || openstack.providerIds().length === 0) {
    log.debug('ALERT_CHANNEL or OPENSTACK_CLOUDS is not set; no weekly reconciliation');
    return null;
  }
  const providers = await listProviders(deps.db);
  const checkedAt = formatTimestamp(context.now);
  const outcomes = new Map<number, SyncOutcome>();
  for (const providerId of openstack.providerIds()) {
    const inventory = openstack.inventory(providerId);
    if (!inventory) continue;
    const provider = providers.find((p) => p.id === providerId) ?? { id: providerId, name: `provider ${providerId}` };
    const result = await gatherReconcile({ ...deps, now: () => context.now }, provider, inventory);
    const findings = findingCount(result);
    const failed = result.serverProblem !== null || result.quotaProblems.length > 0;
    const reply = renderReconcile([result], [], checkedAt);
    const thread = await findAlertThread(deps.db, SUBJECT, providerId);
    const outcome = await syncAlertThread(
      { db: deps.db, chat: deps.chat, channel, log, subject: SUBJECT, now: context.now, token: randomUUID(), eventCursor: 0 },
      {
        recordId: providerId,
        snapshot: { state: findings > 0 || failed ? 'open' : 'resolved', status: String(findings), oldStatus: null, category: 'reconcile', fingerprint: reconcileFingerprint(result) },
        alertable: findings > 0 || failed,
        parent: () => ({ ...reply, visibility: 'channel', footer: `Weekly check (read-only); this message is edited when the findings change (last change found ${checkedAt}).` }),
        update: (previous) => ({
          text:
            findings === 0 && !failed
              ? `${checkedAt}: Atmosphere and OpenStack agree now on ${provider.name} (was ${previous.status} finding(s)).`
              : `${checkedAt}: ${findings} finding(s) now (was ${previous.status})${failed ? ', and part of the check could not be done' : ''}; the message above shows them.`,
          visibility: 'channel',
          tone: findings === 0 && !failed ? 'success' : 'warning',
        }),
      },
      thread ?? undefined,
      [],
    );
    outcomes.set(providerId, outcome);
    log.info({ provider: providerId, outcome, findings, failed }, 'reconciliation synced');
  }
  return outcomes;
}
