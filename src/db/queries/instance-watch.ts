import { and, asc, eq, gt, inArray, isNotNull, isNull, max, notInArray, or, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { instance, instanceStatus, instanceStatusHistory } from '../atmosphere-schema.js';
import { requestWatch } from '../bot-schema/index.js';
import { advanceScanCursor, getScanCursor } from './alert-scan.js';
import { listOpenHistory } from './instances.js';

/** `request_watch.subject` and the scan cursor's job name for instances. */
export const INSTANCE_WATCH_SUBJECT = 'instance';
export const INSTANCE_HISTORY_CURSOR = 'instance-history';

/**
 * Rows re-read below the cursor each time. Ids come from a sequence but become visible at commit, so a
 * row with a lower id can appear after a higher one was read; Atmosphere's writes are short
 * transactions, and fifty ids of overlap cover them. Re-reading is idempotent.
 */
const LOOKBACK_IDS = 50;
/** New history rows read per refresh; a larger backlog is read over the next refreshes. */
const PAGE = 5_000;

/** An instance whose current status is not settled, and since when it has been in that status. */
export interface WatchedInstance {
  instanceId: number;
  status: string;
  activity: string | null;
  since: Date;
}

/**
 * Keeps `request_watch` (subject `instance`) equal to the set of current instances whose newest
 * history row is unsettled: any status outside `settledStatuses`, or any row with an activity.
 *
 * `instance_status_history` holds millions of rows and only Atmosphere's own indexes, so this reads
 * forward by primary key from a cursor (the rows added since the last refresh), re-reads those
 * instances' histories through the `instance_id` index, and re-checks the watched instances' end dates
 * by primary key. Its cost follows what changed, not the table size. The very first refresh has no
 * cursor: it reads the current rows once (one sequential pass) and starts the cursor at the newest id.
 * Safe to run from several replicas and commands at once: every write is an idempotent upsert or delete.
 */
export async function refreshInstanceWatch(db: Database, settledStatuses: readonly string[]): Promise<WatchedInstance[]> {
  const cursor = await getScanCursor(db, INSTANCE_HISTORY_CURSOR);
  if (cursor === null) await bootstrap(db, settledStatuses);
  else await readForward(db, cursor, settledStatuses);
  await dropDeleted(db);
  return listWatchedInstances(db);
}

async function bootstrap(db: Database, settledStatuses: readonly string[]): Promise<void> {
  const [top] = await db.select({ id: max(instanceStatusHistory.id) }).from(instanceStatusHistory);
  const rows = await db
    .select({ instanceId: instanceStatusHistory.instanceId })
    .from(instanceStatusHistory)
    .innerJoin(instanceStatus, eq(instanceStatus.id, instanceStatusHistory.statusId))
    .innerJoin(instance, eq(instance.id, instanceStatusHistory.instanceId))
    .where(
      and(
        isNull(instanceStatusHistory.endDate),
        isNull(instance.endDate),
        or(notInArray(instanceStatus.name, [...settledStatuses]), isNotNull(instanceStatusHistory.activity)),
      ),
    );
  await applyCurrent(db, [...new Set(rows.map((row) => row.instanceId))], settledStatuses);
  await advanceScanCursor(db, INSTANCE_HISTORY_CURSOR, top?.id ?? 0);
}

async function readForward(db: Database, cursor: number, settledStatuses: readonly string[]): Promise<void> {
  const rows = await db
    .select({ id: instanceStatusHistory.id, instanceId: instanceStatusHistory.instanceId })
    .from(instanceStatusHistory)
    .where(gt(instanceStatusHistory.id, Math.max(0, cursor - LOOKBACK_IDS)))
    .orderBy(asc(instanceStatusHistory.id))
    .limit(PAGE);
  if (rows.length === 0) return;
  await applyCurrent(db, [...new Set(rows.map((row) => row.instanceId))], settledStatuses);
  const highest = rows[rows.length - 1]!.id;
  if (highest > cursor) await advanceScanCursor(db, INSTANCE_HISTORY_CURSOR, highest);
}

/** Re-reads the instances' current rows and writes each one's watch row, or removes it once settled. */
async function applyCurrent(db: Database, instanceIds: readonly number[], settledStatuses: readonly string[]): Promise<void> {
  if (instanceIds.length === 0) return;
  const settled = new Set(settledStatuses);
  const current = await listOpenHistory(db, instanceIds);
  const ended = new Set(
    (await db.select({ id: instance.id }).from(instance).where(and(inArray(instance.id, [...instanceIds]), isNotNull(instance.endDate)))).map(
      (row) => row.id,
    ),
  );
  const stored = new Map(
    (
      await db
        .select({ recordId: requestWatch.recordId, status: requestWatch.status, since: requestWatch.since })
        .from(requestWatch)
        .where(and(eq(requestWatch.subject, INSTANCE_WATCH_SUBJECT), inArray(requestWatch.recordId, [...instanceIds])))
    ).map((row) => [row.recordId, row]),
  );
  const keep: (typeof requestWatch.$inferInsert)[] = [];
  const drop: number[] = [];
  // Ascending ids: two refreshes running at once lock the same rows in the same order (no deadlock).
  // Only differences are written: most refreshes re-read rows that changed nothing.
  for (const id of [...instanceIds].sort((a, b) => a - b)) {
    const row = current.get(id);
    const before = stored.get(id);
    if (!row || ended.has(id) || (settled.has(row.status) && !row.activity)) {
      if (before) drop.push(id);
      continue;
    }
    const status = encodeStatus(row.status, row.activity);
    if (before && before.status === status && before.since.getTime() === row.startDate.getTime()) continue;
    keep.push({ subject: INSTANCE_WATCH_SUBJECT, recordId: id, status, since: row.startDate });
  }
  if (keep.length > 0) {
    await db
      .insert(requestWatch)
      .values(keep)
      .onConflictDoUpdate({ target: [requestWatch.subject, requestWatch.recordId], set: { status: sql`excluded.status`, since: sql`excluded.since` } });
  }
  if (drop.length > 0) {
    await db.delete(requestWatch).where(and(eq(requestWatch.subject, INSTANCE_WATCH_SUBJECT), inArray(requestWatch.recordId, drop)));
  }
}

/** A destroyed instance may get no new history row (Atmosphere end-dates the last one), so check by primary key. */
async function dropDeleted(db: Database): Promise<void> {
  const watched = db.select({ id: requestWatch.recordId }).from(requestWatch).where(eq(requestWatch.subject, INSTANCE_WATCH_SUBJECT));
  const gone = await db
    .select({ id: instance.id })
    .from(instance)
    .where(and(inArray(instance.id, watched), isNotNull(instance.endDate)));
  if (gone.length === 0) return;
  await db
    .delete(requestWatch)
    .where(and(eq(requestWatch.subject, INSTANCE_WATCH_SUBJECT), inArray(requestWatch.recordId, gone.map((row) => row.id))));
}

/** The watched instances, oldest status first. */
export async function listWatchedInstances(db: Database): Promise<WatchedInstance[]> {
  const rows = await db
    .select({ recordId: requestWatch.recordId, status: requestWatch.status, since: requestWatch.since })
    .from(requestWatch)
    .where(eq(requestWatch.subject, INSTANCE_WATCH_SUBJECT))
    .orderBy(asc(requestWatch.since), asc(requestWatch.recordId));
  return rows.map((row) => ({ instanceId: row.recordId, ...decodeStatus(row.status), since: row.since }));
}

function encodeStatus(status: string, activity: string | null): string {
  return activity ? `${status}|${activity}` : status;
}

function decodeStatus(value: string): { status: string; activity: string | null } {
  const at = value.indexOf('|');
  return at === -1 ? { status: value, activity: null } : { status: value.slice(0, at), activity: value.slice(at + 1) };
}
