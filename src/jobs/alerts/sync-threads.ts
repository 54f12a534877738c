import type { Database } from '../../db/client.js';
import { advanceScanCursor, getScanCursor } from '../../db/queries/alert-scan.js';
import type { AlertThreadRow } from '../../db/queries/alert-threads.js';
import { listRecordsWithChangeInFlight, type DecisionSubject } from '../../db/queries/decisions.js';
import type { RequestEventRow } from './request-event-line.js';
import { syncAlertThread, type SyncOutcome, type ThreadObservation, type ThreadSyncContext } from './sync-alert-thread.js';

/** Reads the bot's request events forward by id: `listRequestEventsSince(db, afterId, limit)`. */
export type ListRequestEvents = (db: Database, afterId: number, limit: number) => Promise<RequestEventRow[]>;

/** Events read per tick; a backlog larger than this is told over the next ticks. */
export const EVENT_PAGE = 500;

/**
 * How long after the bot sent a change to Atmosphere a scan waits for the bot's history row of it
 * before telling the change without it.
 *
 * The bot changes a status through the Atmosphere API first and records who did it afterwards
 * (send-once.ts, then record-outcome.ts); the two cannot be one write, as one of them is a remote
 * API. A tick between the two would see the new status with no event and post the generic line
 * ("Re-submitted: waiting for approval."), then the next tick "kpatel re-submitted it" as a second
 * one. So a changed status with no new event of the bot's is held while the decision journal shows
 * a change of the bot's to that record sent and not yet recorded; the tick after the record lands
 * posts the one attributed line. Holding on the journal, rather than holding every change for a tick,
 * keeps every other change (Atmosphere's own pipeline, staff in the admin page) on time: with no
 * claim in flight the change is posted on the tick that sees it.
 *
 * The window is the API call (its 15 s timeout) plus the record's bounded retries (about 10 s); a
 * minute covers it. Beyond that the claim is a crashed runner's or an unclear answer's, whose record
 * only the reconciler writes, so the change is posted as seen and the bot's line follows later on its
 * own. The price of the bound: a change made outside the bot to a record while a change of the bot's
 * to it is in flight is posted up to this much late (one tick of the default every-minute scan).
 */
export const BOT_CHANGE_GRACE_MS = 60_000;

export interface EventBatch {
  /** The new events of `subject`, oldest first, grouped by record. */
  byRecord: Map<number, RequestEventRow[]>;
  /** Where this job's cursor stands once the batch is told. */
  highest: number;
  /** Records with a change of the bot's sent and its event not yet recorded (BOT_CHANGE_GRACE_MS). */
  inFlight: ReadonlySet<number>;
  /** Moves the job's cursor past the batch; call only when every thread took its events. */
  commit(): Promise<void>;
}

/**
 * The request events since the job last read, one page at a time. Call it after reading the records'
 * statuses: the journal is read before the events, so a status change the scan saw is either still
 * in flight here or its event (written with the claim's completion) is in the page.
 */
export async function readEventBatch(db: Database, job: string, subject: DecisionSubject, listEvents: ListRequestEvents, now: Date): Promise<EventBatch> {
  const inFlight = new Set(await listRecordsWithChangeInFlight(db, subject, new Date(now.getTime() - BOT_CHANGE_GRACE_MS)));
  const cursor = (await getScanCursor(db, job)) ?? 0;
  const events = await listEvents(db, cursor, EVENT_PAGE);
  const byRecord = new Map<number, RequestEventRow[]>();
  let highest = cursor;
  for (const event of events) {
    highest = Math.max(highest, event.id);
    if (event.subject !== subject) continue;
    byRecord.set(event.recordId, [...(byRecord.get(event.recordId) ?? []), event]);
  }
  return { byRecord, highest, inFlight, commit: () => (highest > cursor ? advanceScanCursor(db, job, highest) : Promise.resolve()) };
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
  const counts: ScanCounts = { opened: 0, updated: 0, unchanged: 0, held: 0, 'claimed-elsewhere': 0, failed: 0 };
  for (const observation of observations) {
    try {
      const { recordId } = observation;
      const outcome = await syncAlertThread(ctx, observation, threads.get(recordId), events.byRecord.get(recordId) ?? [], { botChangeInFlight: events.inFlight.has(recordId) });
      counts[outcome] += 1;
    } catch (error) {
      counts.failed += 1;
      ctx.log.error({ err: error, subject: ctx.subject, recordId: observation.recordId }, 'alert thread sync failed; retrying next tick');
    }
  }
  if (counts.failed === 0) await events.commit();
  return counts;
}
