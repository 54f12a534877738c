import pg from 'pg';
import { asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { imagingQueue } from '../bot-schema/index.js';
import { UserError } from '../../errors.js';

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
 * Runs a wait for something another holder has (here: the imaging slot) on the caller's behalf. The
 * bot passes one that gives the event's work slot up for the wait (work-queue.ts `outside`), so events
 * queued behind the imaging lock do not occupy the slots other users' commands need.
 */
export type OutsideWait = <T>(wait: () => Promise<T>) => Promise<T>;

const waitInPlace: OutsideWait = (wait) => wait();

/** A checked-out connection holding the session lock, and how to give both back. */
interface SlotHold {
  unlock(): Promise<void>;
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
 *
 * The whole wait (the in-memory queue and the advisory lock) runs through `waitOutside`, so a caller
 * waiting behind another approval holds nothing else meanwhile; `work` runs after it returns.
 */
export async function withImagingSlotLock<T>(db: Database, work: () => Promise<T>, waitOutside: OutsideWait = waitInPlace): Promise<T> {
  const previous = localHolders.get(db) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  const chain = previous.then(() => mine);
  localHolders.set(db, chain);
  try {
    const pool = poolOf(db);
    const hold = await waitOutside(async () => {
      await previous;
      return pool ? lockSession(pool) : null;
    });
    try {
      return await work();
    } finally {
      await hold?.unlock();
    }
  } finally {
    done();
    if (localHolders.get(db) === chain) localHolders.delete(db);
  }
}

/** Takes the advisory lock on a connection of its own, waiting at most SLOT_WAIT_MS for another holder. */
async function lockSession(pool: pg.Pool): Promise<SlotHold> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client has no listener of the pool's: a Postgres restart, failover,
  // pg_terminate_backend or idle_session_timeout while we hold the slot would make it emit an
  // 'error' nobody hears, and Node would end the process. The lock died with the session; the
  // connection is destroyed on release and the pool's own listener logs why.
  const onError = (error: Error) => {
    broken = error;
    pool.emit('error', error, client);
  };
  client.on('error', onError);
  const release = () => {
    client.off('error', onError);
    client.release(broken ?? false);
  };
  try {
    // The wait for the slot is not a slow statement: it lasts as long as another replica's
    // approval, so it gets its own bound instead of the pool's statement timeout.
    await client.query("select set_config('statement_timeout', $1, false)", [String(SLOT_WAIT_MS)]);
    // pg reads a per-query `query_timeout` (lib/client.js) that its types do not declare.
    const lock: pg.QueryConfig & { query_timeout: number } = {
      text: 'select pg_advisory_lock($1, $2)',
      values: [...IMAGING_SLOT_LOCK],
      query_timeout: SLOT_WAIT_MS + 1_000,
    };
    await client.query(lock);
  } catch (error) {
    broken ??= error instanceof Error ? error : new Error(String(error));
    release();
    if (isStatementTimeout(error)) {
      throw new UserError('conflict', 'Another approval has held the imaging slot for over two minutes, so I did not go ahead. Try again shortly.', { cause: error });
    }
    throw error;
  }
  return {
    async unlock() {
      // If the unlock fails the connection is destroyed instead of returned, which ends the lock too.
      await client.query('select pg_advisory_unlock($1, $2)', [...IMAGING_SLOT_LOCK]).catch((error: unknown) => {
        broken ??= error instanceof Error ? error : new Error(String(error));
      });
      if (!broken) {
        await client.query('reset statement_timeout').catch((error: unknown) => {
          broken ??= error instanceof Error ? error : new Error(String(error));
        });
      }
      release();
    },
  };
}

/**
 * How long a replica waits for another one's hold on the imaging slot. A hold lasts one approval:
 * a few queries and one Atmosphere call (ATMOSPHERE_TIMEOUT_MS, 15 s by default); two minutes
 * covers several of them queued, and still ends a wait on a holder that is stuck.
 */
const SLOT_WAIT_MS = 120_000;

function isStatementTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '57014';
}
