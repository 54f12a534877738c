import type { Database } from '../../db/client.js';
import { advanceScanCursor, getScanCursor } from '../../db/queries/alert-scan.js';
import type { AlertThreadRow } from '../../db/queries/alert-threads.js';
import type { RequestEventRow } from './request-event-line.js';
import { syncAlertThread, type SyncOutcome, type ThreadObservation, type ThreadSyncContext } from './sync-alert-thread.js';

/** Reads the bot's request events forward by id: `listRequestEventsSince(db, afterId, limit)`. */
export type ListRequestEvents = (db: Database, afterId: number, limit: number) => Promise<RequestEventRow[]>;

/** Events read per tick; a backlog larger than this is told over the next ticks. */
export const EVENT_PAGE = 500;

export interface EventBatch {
  /** The new events of `subject`, oldest first, grouped by record. */
  byRecord: Map<number, RequestEventRow[]>;
  /** Where this job's cursor stands once the batch is told. */
  highest: number;
  /** Moves the job's cursor past the batch; call only when every thread took its events. */
  commit(): Promise<void>;
}

/** The request events since the job last read, one page at a time. */
export async function readEventBatch(db: Database, job: string, subject: string, listEvents: ListRequestEvents): Promise<EventBatch> {
  const cursor = (await getScanCursor(db, job)) ?? 0;
  const events = await listEvents(db, cursor, EVENT_PAGE);
  const byRecord = new Map<number, RequestEventRow[]>();
  let highest = cursor;
  for (const event of events) {
    highest = Math.max(highest, event.id);
    if (event.subject !== subject) continue;
    byRecord.set(event.recordId, [...(byRecord.get(event.recordId) ?? []), event]);
  }
  return { byRecord, highest, commit: () => (highest > cursor ? advanceScanCursor(db, job, highest) : Promise.resolve()) };
}

export type ScanCounts = Record<SyncOutcome, number> & { failed: number };

/**
 * Syncs every observed request's thread. One failing post does not stop the others: it is logged,
 * counted, and retried by the next tick.
 */
export async function syncThreads(
  ctx: ThreadSyncContext,
  observations: readonly ThreadObservation[],
  threads: ReadonlyMap<number, AlertThreadRow>,
  events: EventBatch,
): Promise<ScanCounts> {
  const counts: ScanCounts = { opened: 0, updated: 0, unchanged: 0, 'claimed-elsewhere': 0, failed: 0 };
  for (const observation of observations) {
    try {
      const outcome = await syncAlertThread(ctx, observation, threads.get(observation.recordId), events.byRecord.get(observation.recordId) ?? []);
      counts[outcome] += 1;
    } catch (error) {
      counts.failed += 1;
      ctx.log.error({ err: error, subject: ctx.subject, recordId: observation.recordId }, 'alert thread sync failed; retrying next tick');
    }
  }
  if (counts.failed === 0) await events.commit();
  return counts;
}
