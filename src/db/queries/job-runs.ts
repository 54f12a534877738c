import { lt, sql } from 'drizzle-orm';
import { withTransaction, type Database, type Executor } from '../client.js';
import { jobRun } from '../bot-schema/index.js';

/** Deletes the election rows of slots older than `before`; returns how many went. */
export async function pruneJobRuns(db: Database, before: Date): Promise<number> {
  const removed = await db.delete(jobRun).where(lt(jobRun.ranAt, before)).returning({ slotKey: jobRun.slotKey });
  return removed.length;
}

/**
 * Records a job slot as taken by `runner`; true when this call inserted the row. The advisory lock
 * makes a concurrent claimant of the same slot give up at once instead of waiting on the primary
 * key. It is keyed on two hashes (job, slot key) rather than one, so two different slots can only
 * share a lock if they belong to the same job and collide in a 32-bit hash at the same instant.
 */
export async function claimJobSlot(
  db: Executor,
  slot: { slotKey: string; job: string; runner: string; ranAt: Date },
): Promise<boolean> {
  return withTransaction(db, async (tx) => {
    const locked = await tx.execute(
      sql`select pg_try_advisory_xact_lock(hashtext(${slot.job}), hashtext(${slot.slotKey})) as got`,
    );
    if (!firstRowGot(locked)) return false;
    const inserted = await tx.insert(jobRun).values(slot).onConflictDoNothing().returning({ slotKey: jobRun.slotKey });
    return inserted.length === 1;
  });
}

/** Reads `rows[0].got` from a raw result; node-postgres and PGlite results both carry `rows`. */
function firstRowGot(result: unknown): boolean {
  if (typeof result !== 'object' || result === null || !('rows' in result) || !Array.isArray(result.rows)) return false;
  const row: unknown = result.rows[0];
  return typeof row === 'object' && row !== null && 'got' in row && row.got === true;
}
