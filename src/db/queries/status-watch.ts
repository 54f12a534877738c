import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { requestWatch } from '../bot-schema/index.js';

/** One stored observation: a record's state as one string, since when, and when the bot last looked. */
export interface WatchRow {
  recordId: number;
  status: string;
  since: Date;
  sinceKnown: boolean;
  seenAt: Date | null;
}

const columns = {
  recordId: requestWatch.recordId,
  status: requestWatch.status,
  since: requestWatch.since,
  sinceKnown: requestWatch.sinceKnown,
  seenAt: requestWatch.seenAt,
};

/** The stored observations of `subject`: of the given records, or of all of them when `ids` is omitted. */
export async function readStatusWatch(db: Database, subject: string, ids?: readonly number[]): Promise<Map<number, WatchRow>> {
  if (ids && ids.length === 0) return new Map();
  const rows = await db
    .select(columns)
    .from(requestWatch)
    .where(ids ? and(eq(requestWatch.subject, subject), inArray(requestWatch.recordId, [...ids])) : eq(requestWatch.subject, subject));
  return new Map(rows.map((row) => [row.recordId, row]));
}

/**
 * Records one look at `seenIds` at `now`: the rows in `changed` are written whole (a new state, or a
 * first sighting), the rest of `seenIds` only get their `seen_at` moved. Two statements at most.
 */
export async function writeStatusWatch(
  db: Database,
  subject: string,
  changed: readonly Omit<WatchRow, 'seenAt'>[],
  seenIds: readonly number[],
  now: Date,
): Promise<void> {
  if (changed.length > 0) {
    await db
      .insert(requestWatch)
      .values(changed.map((row) => ({ subject, ...row, seenAt: now })))
      .onConflictDoUpdate({
        target: [requestWatch.subject, requestWatch.recordId],
        set: { status: sql`excluded.status`, since: sql`excluded.since`, sinceKnown: sql`excluded.since_known`, seenAt: sql`excluded.seen_at` },
      });
  }
  const changedIds = new Set(changed.map((row) => row.recordId));
  const unchanged = seenIds.filter((id) => !changedIds.has(id));
  if (unchanged.length > 0) {
    await db
      .update(requestWatch)
      .set({ seenAt: now })
      .where(and(eq(requestWatch.subject, subject), inArray(requestWatch.recordId, unchanged)));
  }
}

/** Deletes the observations of records that are final now (they never change again unless re-submitted). */
export async function deleteStatusWatch(db: Database, subject: string, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.delete(requestWatch).where(and(eq(requestWatch.subject, subject), inArray(requestWatch.recordId, [...ids])));
}
