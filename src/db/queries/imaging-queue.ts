import pg from 'pg';
import { asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { imagingQueue } from '../bot-schema/index.js';

export type ImagingQueueRow = typeof imagingQueue.$inferSelect;
export interface QueuedRequest extends ImagingQueueRow {
  /** 1-based place in the queue. */
  place: number;
}

/** The queue in order, with each entry's place. */
export async function listImagingQueue(db: Database): Promise<QueuedRequest[]> {
  const rows = await db.select().from(imagingQueue).orderBy(asc(imagingQueue.position), asc(imagingQueue.id));
  return rows.map((row, i) => ({ ...row, place: i + 1 }));
}

/** Whether anything waits in the queue: one index probe, for the scheduled job's every-minute check. */
export async function hasQueuedRequests(db: Database): Promise<boolean> {
  const rows = await db.select({ id: imagingQueue.id }).from(imagingQueue).limit(1);
  return rows.length > 0;
}

export async function findQueuedRequest(db: Database, requestId: number): Promise<QueuedRequest | null> {
  return (await listImagingQueue(db)).find((row) => row.requestId === requestId) ?? null;
}

/**
 * Puts a request at the end of the queue. Returns null when it is already queued (the unique key
 * settles simultaneous attempts); two simultaneous appends may share a position, and the id orders them.
 */
export async function enqueueImagingRequest(
  db: Database,
  entry: { requestId: number; queuedBy: string; platform: string; queuedAt: Date },
): Promise<QueuedRequest | null> {
  const inserted = await db
    .insert(imagingQueue)
    .values({ ...entry, position: sql`(select coalesce(max(${imagingQueue.position}), 0) + 1 from ${imagingQueue})` })
    .onConflictDoNothing({ target: imagingQueue.requestId })
    .returning({ id: imagingQueue.id });
  if (!inserted[0]) return null;
  return findQueuedRequest(db, entry.requestId);
}

/** Takes a request out of the queue; false when it was not there. */
export async function removeQueuedRequest(db: Database, requestId: number): Promise<boolean> {
  const deleted = await db.delete(imagingQueue).where(eq(imagingQueue.requestId, requestId)).returning({ id: imagingQueue.id });
  return deleted.length > 0;
}

/**
 * Moves a queued request to `place` (1 = next), renumbering the whole queue in one transaction.
 * Returns the new order, or null when the request is not queued.
 */
export async function moveQueuedRequest(db: Database, requestId: number, place: number): Promise<QueuedRequest[] | null> {
  return db.transaction(async (tx) => {
    // Row locks keep a simultaneous move from interleaving its renumbering with ours.
    const rows = await tx.select().from(imagingQueue).orderBy(asc(imagingQueue.position), asc(imagingQueue.id)).for('update');
    const index = rows.findIndex((row) => row.requestId === requestId);
    if (index < 0) return null;
    const [moved] = rows.splice(index, 1);
    rows.splice(Math.min(Math.max(place, 1), rows.length + 1) - 1, 0, moved!);
    for (const [i, row] of rows.entries()) {
      if (row.position !== i + 1) await tx.update(imagingQueue).set({ position: i + 1 }).where(eq(imagingQueue.id, row.id));
    }
    return rows.map((row, i) => ({ ...row, position: i + 1, place: i + 1 }));
  });
}

/** Two-key advisory lock id: "atmo" and "img". Replicas of the bot must agree on it. */
const IMAGING_SLOT_LOCK = [0x61746d6f, 0x696d67] as const;

/** Per-database chain of holders in this process, so one replica holds at most one pooled connection waiting. */
const localHolders = new WeakMap<object, Promise<void>>();

/** node-postgres' pool behind a drizzle database; null for PGlite (one connection, one process). */
function poolOf(db: Database): pg.Pool | null {
  // drizzle documents `$client` as the driver client it wraps; the shared Database type hides it.
  const client: unknown = (db as { $client?: unknown }).$client;
  return client instanceof pg.Pool ? client : null;
}

/**
 * Runs `work` while holding the imaging slot: the one lock every bot replica takes before it checks
 * whether a request is imaging and approves another. The check and the approval happen inside the
 * same hold, and the lock is held until the Atmosphere API call has returned (and so until the new
 * status is in the database), so a second replica can only look after the first one's approval shows.
 *
 * It is a session advisory lock on one pooled connection rather than a transaction-scoped one: the
 * work's queries and the API's own writes then commit on their own, nothing sits idle in a
 * transaction during a slow API call, and the lock still dies with the connection if the process does.
 * Within one process the holders also queue in memory first, so waiting never uses more than one
 * pooled connection (the holder's work needs the others). PGlite is one connection in one process:
 * the in-memory queue is the whole lock there.
 */
export async function withImagingSlotLock<T>(db: Database, work: () => Promise<T>): Promise<T> {
  const previous = localHolders.get(db) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  const chain = previous.then(() => mine);
  localHolders.set(db, chain);
  await previous;
  try {
    const pool = poolOf(db);
    if (!pool) return await work();
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('select pg_advisory_lock($1, $2)', [...IMAGING_SLOT_LOCK]);
    } catch (error) {
      client.release(error instanceof Error ? error : true);
      throw error;
    }
    try {
      return await work();
    } finally {
      // If the unlock fails the connection is destroyed instead of returned, which ends the lock too.
      await client.query('select pg_advisory_unlock($1, $2)', [...IMAGING_SLOT_LOCK]).catch((error: unknown) => {
        broken = error instanceof Error ? error : new Error(String(error));
      });
      client.release(broken ?? false);
    }
  } finally {
    done();
    if (localHolders.get(db) === chain) localHolders.delete(db);
  }
}
