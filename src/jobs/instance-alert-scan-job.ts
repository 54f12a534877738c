import { randomUUID } from 'node:crypto';
import type { Deps } from '../deps.js';
import { listThreadsToScan, type AlertThreadRow } from '../db/queries/alert-threads.js';
import { getInstances } from '../db/queries/instances.js';
import { INSTANCE_WATCH_SUBJECT, refreshInstanceWatch } from '../db/queries/instance-watch.js';
import { listRequestEventsSince } from '../db/queries/request-events.js';
import { SETTLED_STATUSES } from '../handlers/instances/classify-instance.js';
import { chooseStep } from '../handlers/instances/build-instance-messages.js';
import { loadInstanceItems, type InstanceItem } from '../handlers/instances/load-instance-items.js';
import type { StepChoice } from '../handlers/instances/next-instance-step.js';
import { toThreadState } from './alerts/machine-request-alert.js';
import {
  buildInstanceParent,
  buildInstanceUpdate,
  instanceFingerprint,
  instanceThreadState,
  isInstanceAlertable,
} from './alerts/instance-alert.js';
import { readEventBatch, syncThreads, type ListRequestEvents, type ScanCounts } from './alerts/sync-threads.js';
import type { ThreadObservation } from './alerts/sync-alert-thread.js';
import { startGathering, settleWithin, withEvidence, type Gathering } from '../handlers/evidence/instance-evidence.js';
import { buildInstanceEvidenceReply, hasEvidenceSources } from './alerts/instance-evidence-reply.js';
import type { ChannelRef, MessageRef } from '../bot/chat/chat-event.js';
import type { JobContext, ScheduledJob } from './scheduler.js';

export const INSTANCE_ALERT_SCAN_JOB = 'instance-alert-scan';

/**
 * The instance alert job (`ALERT_SCAN_CRON`): one thread in `ALERT_CHANNEL` per instance that errors
 * or gets stuck, with every later change (the bot's redeploys and reboots, networking, deploying,
 * active, deleted) posted in it; resolved at active, reopened on a new error.
 */
export function createInstanceAlertScanJob(deps: Deps, options: { listEvents?: ListRequestEvents } = {}): ScheduledJob {
  return { name: INSTANCE_ALERT_SCAN_JOB, cron: deps.config.ALERT_SCAN_CRON, run: (context) => runInstanceAlertScan(deps, context, options).then(() => {}) };
}

/**
 * One tick. Its cost follows what changed, not the size of `instance_status_history`: the rows added
 * since the last tick (by primary key), the watched unsettled instances, the open threads and the
 * bot's new events (see instance-watch.ts).
 */
export async function runInstanceAlertScan(deps: Deps, context: JobContext, options: { listEvents?: ListRequestEvents } = {}): Promise<ScanCounts | null> {
  const log = deps.log.child({ job: INSTANCE_ALERT_SCAN_JOB, slot: context.slot });
  const { db } = deps;
  const now = context.now;
  // The watch is kept even without a channel: `/atmo instances stuck` reads it.
  const watched = await refreshInstanceWatch(db, SETTLED_STATUSES);
  const channel = deps.config.alertChannel;
  if (!channel) return null;
  const watchedIds = watched.map((entry) => entry.instanceId);
  const threads = new Map((await listThreadsToScan(db, INSTANCE_WATCH_SUBJECT, watchedIds)).map((row) => [row.recordId, row]));
  const ids = [...new Set([...watchedIds, ...threads.keys()])];
  const items = await loadInstanceItems(deps, await getInstances(db, ids), now);
  const events = await readEventBatch(db, INSTANCE_ALERT_SCAN_JOB, INSTANCE_WATCH_SUBJECT, options.listEvents ?? listRequestEventsSince, now);

  // The cloud is asked only about an alert about to be posted or whose state changed, all of them at
  // once and before Atmosphere's actions, so that each post waits at most EVIDENCE_WAIT_MS from here.
  const gatherings = new Map<number, Gathering>();
  if (hasEvidenceSources(deps)) {
    for (const item of items) {
      const thread = threads.get(item.instance.id);
      if (!isInstanceAlertable(item) || (thread?.parentRef && thread.fingerprint === instanceFingerprint(item))) continue;
      const gathering = startGathering(deps, item);
      // Its post (if this runner wins the claim) hears a failure; one no post awaits must not go unhandled.
      gathering.all.catch(() => undefined);
      gatherings.set(item.instance.id, gathering);
    }
  }
  const evidence: EvidencePosting = { deps, channel, log, deadline: performance.now() + deps.config.EVIDENCE_WAIT_MS, late: [] };

  const observations: ThreadObservation[] = [];
  for (const item of items) {
    const thread = threads.get(item.instance.id);
    const fingerprint = instanceFingerprint(item);
    // Only a parent about to be posted or edited needs Atmosphere's list of allowed actions.
    const needsParent = thread ? !thread.parentRef || thread.fingerprint !== fingerprint || thread.parentFingerprint !== thread.fingerprint : isInstanceAlertable(item);
    const choice: StepChoice | null = needsParent && isInstanceAlertable(item) ? (await chooseStep(deps, item)).choice : null;
    const gathering = gatherings.get(item.instance.id);
    const observation = observe(item, choice, fingerprint, now);
    observations.push(gathering ? { ...observation, afterPost: (parent) => postEvidence(evidence, item, gathering, parent) } : observation);
  }
  const ctx = { db, chat: deps.chat, channel, log, subject: INSTANCE_WATCH_SUBJECT, now, token: randomUUID(), eventCursor: events.highest };
  const counts = await syncThreads(ctx, observations, threads, events);
  // The posts are out; the tick ends once the late answers have edited theirs (each source's own
  // timeout bounds this) and the answers no post used (another replica won its claim) are in.
  await Promise.allSettled([...evidence.late, ...[...gatherings.values()].map((gathering) => gathering.all)]);
  if (counts.opened + counts.updated + counts.failed > 0) log.info({ ...counts, scanned: observations.length }, 'instance alert threads synced');
  return counts;
}

function observe(item: InstanceItem, choice: StepChoice | null, fingerprint: string, now: Date): ThreadObservation {
  const state = instanceThreadState(item);
  return {
    recordId: item.instance.id,
    snapshot: { state, status: item.triage.evidence.status, oldStatus: item.triage.evidence.activity, category: item.triage.category, fingerprint },
    alertable: isInstanceAlertable(item),
    parent: () => buildInstanceParent(item, choice, now),
    update: (previous: AlertThreadRow, events) =>
      buildInstanceUpdate({
        previous: { status: previous.status, oldStatus: previous.oldStatus, category: previous.category, state: toThreadState(previous.state) },
        item,
        events,
      }),
  };
}

interface EvidencePosting {
  deps: Deps;
  channel: ChannelRef;
  log: Deps['log'];
  /** `performance.now()` past which a post no longer waits for a source. */
  deadline: number;
  /** The edits still waiting for a late source. */
  late: Promise<void>[];
}

/**
 * Posts what the cloud said in the alert's thread, with what arrived by the deadline; a source still
 * out is shown as asked, and its answer edits the message when it comes.
 */
async function postEvidence(posting: EvidencePosting, item: InstanceItem, gathering: Gathering, parent: MessageRef): Promise<void> {
  const { deps } = posting;
  const { evidence, late } = await settleWithin(gathering, posting.deadline - performance.now());
  const readAt = deps.now();
  const ref = await deps.chat.post(posting.channel, buildInstanceEvidenceReply(withEvidence(deps, item, evidence, readAt), evidence, readAt), { thread: parent });
  if (!late) return;
  posting.late.push(
    late
      .then(async (whole) => {
        const at = deps.now();
        await deps.chat.update(ref, buildInstanceEvidenceReply(withEvidence(deps, item, whole, at), whole, readAt, at));
      })
      .catch((error: unknown) => posting.log.warn({ err: error, recordId: item.instance.id }, 'could not add the late evidence to the alert thread')),
  );
}
