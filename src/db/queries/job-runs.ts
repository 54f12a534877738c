import { lt } from 'drizzle-orm';
import type { Database } from '../client.js';
import { jobRun } from '../bot-schema/index.js';

/** Deletes the election rows of slots older than `before`; returns how many went. */
export async function pruneJobRuns(db: Database, before: Date): Promise<number> {
  const removed = await db.delete(jobRun).where(lt(jobRun.ranAt, before)).returning({ slotKey: jobRun.slotKey });
  return removed.length;
}
