import { randomUUID } from 'node:crypto';
import type { Deps } from '../deps.js';
import {
  FINAL_STATUSES,
  getMachineRequests,
  listMachineRequestsByStatus,
  listStatusIds,
  type MachineRequestScanRow,
} from '../db/queries/alert-scan.js';
import { listThreadsToScan } from '../db/queries/alert-threads.js';
import { listRequestEventsSince } from '../db/queries/request-events.js';
import { classifyMachineRequest } from '../handlers/imaging/classify-machine-request.js';
import { observeMachineRequests } from '../handlers/imaging/observe-machine-requests.js';
import type { StatusSince } from '../handlers/imaging/status-since.js';
import {
  buildMachineRequestParent,
  buildMachineRequestUpdate,
  isMachineRequestAlertable,
  machineRequestFingerprint,
  machineRequestThreadState,
  toThreadState,
} from './alerts/machine-request-alert.js';
import { readEventBatch, syncThreads, type ListRequestEvents, type ScanCounts } from './alerts/sync-threads.js';
import type { ThreadObservation } from './alerts/sync-alert-thread.js';
import type { JobContext, ScheduledJob } from './scheduler.js';
import { listImagingQueue } from '../db/queries/imaging-queue.js';

export const ALERT_SCAN_JOB = 'alert-scan';
const SUBJECT = 'machine_request';

export interface AlertScanJobOptions {
  /** Runs at the start of every tick, before the scan (the imaging queue advances here). Its failure is logged, not fatal. */
  beforeScan?: (deps: Deps) => Promise<void>;
  /** Where the bot's request events come from; the `atmobot.request_event` table by default. */
  listEvents?: ListRequestEvents;
}

/**
 * The imaging-request alert job (`ALERT_SCAN_CRON`, every minute by default): one thread in
 * `ALERT_CHANNEL` per request that errors or gets stuck, every later change posted in it.
 */
export function createAlertScanJob(deps: Deps, options: AlertScanJobOptions = {}): ScheduledJob {
  return { name: ALERT_SCAN_JOB, cron: deps.config.ALERT_SCAN_CRON, run: (context) => runAlertScan(deps, context, options).then(() => {}) };
}

/**
 * One tick. Its cost follows what is unfinished or changed, not the size of Atmosphere's tables: the
 * non-final requests (by status id, Atmosphere's own index), the threads still open or behind, and
 * the bot's events since the last tick.
 */
export async function runAlertScan(deps: Deps, context: JobContext, options: AlertScanJobOptions = {}): Promise<ScanCounts | null> {
  const log = deps.log.child({ job: ALERT_SCAN_JOB, slot: context.slot });
  if (options.beforeScan) {
    try {
      await options.beforeScan(deps);
    } catch (error) {
      log.error({ err: error }, 'the step before the alert scan failed; scanning anyway');
    }
  }
  const { db, now } = { db: deps.db, now: context.now };
  const statusIds = await listStatusIds(db);
  const unfinished = [...statusIds].filter(([name]) => !FINAL_STATUSES.includes(name)).flatMap(([, ids]) => ids);
  const active = await listMachineRequestsByStatus(db, unfinished);
  // The look happens with or without an alert channel: it is what times "stuck" and "in error" in
  // every list and detail, to the minute while this job runs.
  const since = await observeMachineRequests(db, active, now, { all: true });
  const channel = deps.config.alertChannel;
  if (!channel) {
    log.debug('ALERT_CHANNEL is not set; no alert threads to keep');
    return null;
  }
  const threads = new Map((await listThreadsToScan(db, SUBJECT, active.map((row) => row.id))).map((row) => [row.recordId, row]));
  const activeIds = new Set(active.map((row) => row.id));
  const finished = await getMachineRequests(db, [...threads.keys()].filter((id) => !activeIds.has(id)));
  const events = await readEventBatch(db, ALERT_SCAN_JOB, SUBJECT, options.listEvents ?? listRequestEventsSince, now);

  const queue = new Map((await listImagingQueue(db)).map((entry) => [entry.requestId, entry.place]));
  const observations = [...active, ...finished].map((row) =>
    observe(row, since.get(row.id) ?? { at: row.endDate ?? row.startDate, known: row.endDate !== null }, now, deps.config.IMAGING_STUCK_MINUTES, queue.get(row.id)),
  );
  const ctx = { db, chat: deps.chat, channel, log, subject: SUBJECT, now, token: randomUUID(), eventCursor: events.highest };
  const counts = await syncThreads(ctx, observations, threads, events);
  if (counts.opened + counts.updated + counts.failed > 0) log.info({ ...counts, scanned: observations.length }, 'alert threads synced');
  return counts;
}

function observe(row: MachineRequestScanRow, since: StatusSince, now: Date, stuckAfterMinutes: number, queuedPlace: number | undefined): ThreadObservation {
  const triage = classifyMachineRequest({ status: row.status, oldStatus: row.oldStatus, statusSince: since.at, sinceKnown: since.known, now, stuckAfterMinutes });
  const state = machineRequestThreadState(row.status);
  return {
    recordId: row.id,
    snapshot: {
      state,
      status: row.status,
      oldStatus: row.oldStatus,
      category: triage.category,
      fingerprint: machineRequestFingerprint(row.status, row.oldStatus, triage.category, row.status === 'pending' && queuedPlace !== undefined),
    },
    alertable: isMachineRequestAlertable(row.status, triage),
    parent: () => buildMachineRequestParent({ row, triage, state, now, since, queuedPlace }),
    update: (previous, events) =>
      buildMachineRequestUpdate({
        previous: { status: previous.status, oldStatus: previous.oldStatus, category: previous.category, state: toThreadState(previous.state) },
        row,
        triage,
        state,
        events,
      }),
  };
}
