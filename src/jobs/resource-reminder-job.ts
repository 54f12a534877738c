import { randomUUID } from 'node:crypto';
import type { Deps } from '../deps.js';
import { getResourceRequests, listResourceRequestsWaitingSince, listStatusIds, type ResourceRequestScanRow } from '../db/queries/alert-scan.js';
import { listThreadsToScan } from '../db/queries/alert-threads.js';
import { listRequestEventsSince } from '../db/queries/request-events.js';
import { buildResourceReminderParent, buildResourceReminderUpdate, resourceReminderState } from './alerts/resource-reminder-alert.js';
import { readEventBatch, syncThreads, type ListRequestEvents, type ScanCounts } from './alerts/sync-threads.js';
import type { ThreadObservation } from './alerts/sync-alert-thread.js';
import type { JobContext, ScheduledJob } from './scheduler.js';

export const RESOURCE_REMINDER_JOB = 'resource-reminder';
const SUBJECT = 'resource_request';
const HOUR_MS = 3_600_000;

export interface ResourceReminderJobOptions {
  /** Where the bot's request events come from; the `atmobot.request_event` table by default. */
  listEvents?: ListRequestEvents;
}

/**
 * The resource-request reminder job (`REMINDER_CRON`, every five minutes by default): one reminder
 * thread in `ALERT_CHANNEL` per request pending longer than `RESOURCE_REQUEST_REMIND_HOURS`, with
 * Approve/Deny buttons; the decision is posted in its thread and the parent edited.
 */
export function createResourceReminderJob(deps: Deps, options: ResourceReminderJobOptions = {}): ScheduledJob {
  return { name: RESOURCE_REMINDER_JOB, cron: deps.config.REMINDER_CRON, run: (context) => runResourceReminders(deps, context, options).then(() => {}) };
}

/** One tick: pending requests past the threshold (by status id and Atmosphere's index), plus open reminders. */
export async function runResourceReminders(deps: Deps, context: JobContext, options: ResourceReminderJobOptions = {}): Promise<ScanCounts | null> {
  const log = deps.log.child({ job: RESOURCE_REMINDER_JOB, slot: context.slot });
  const channel = deps.config.alertChannel;
  if (!channel) {
    log.debug('ALERT_CHANNEL is not set; no reminders to keep');
    return null;
  }
  const { db } = deps;
  const now = context.now;
  const remindAfterHours = deps.config.RESOURCE_REQUEST_REMIND_HOURS;
  const pendingIds = (await listStatusIds(db)).get('pending') ?? [];
  const waiting = await listResourceRequestsWaitingSince(db, pendingIds, new Date(now.getTime() - remindAfterHours * HOUR_MS));
  const threads = new Map((await listThreadsToScan(db, SUBJECT, waiting.map((row) => row.id))).map((row) => [row.recordId, row]));
  const waitingIds = new Set(waiting.map((row) => row.id));
  const others = await getResourceRequests(db, [...threads.keys()].filter((id) => !waitingIds.has(id)));
  const events = await readEventBatch(db, RESOURCE_REMINDER_JOB, SUBJECT, options.listEvents ?? listRequestEventsSince, now);

  const observations = [...waiting, ...others].map((row) => observe(row, waitingIds.has(row.id), now, remindAfterHours));
  const ctx = { db, chat: deps.chat, channel, log, subject: SUBJECT, now, token: randomUUID(), eventCursor: events.highest };
  const counts = await syncThreads(ctx, observations, threads, events);
  if (counts.opened + counts.updated + counts.failed > 0) log.info({ ...counts, scanned: observations.length }, 'reminder threads synced');
  return counts;
}

function observe(row: ResourceRequestScanRow, overdue: boolean, now: Date, remindAfterHours: number): ThreadObservation {
  return {
    recordId: row.id,
    snapshot: { state: resourceReminderState(row.status), status: row.status, oldStatus: null, category: 'reminder', fingerprint: row.status },
    alertable: overdue,
    parent: () => buildResourceReminderParent({ row, now, remindAfterHours }),
    update: (previous, events) => buildResourceReminderUpdate({ previous: { status: previous.status }, row, events }),
  };
}
