import { asc, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { statusType } from '../atmosphere-schema.js';

/**
 * The id of a `status_type` by name. Names are not unique and ids differ between databases
 * (rows are created lazily by `get_or_create`), so the lowest id wins, as Django's lookup would
 * prefer the first row.
 */
export async function findStatusTypeId(db: Database, name: string): Promise<number | null> {
  const rows = await db.select({ id: statusType.id }).from(statusType).where(eq(statusType.name, name)).orderBy(asc(statusType.id)).limit(1);
  return rows[0]?.id ?? null;
}

/** Like `findStatusTypeId`, but a missing status is an error: the caller cannot go on without it. */
export async function requireStatusTypeId(db: Database, name: string): Promise<number> {
  const id = await findStatusTypeId(db, name);
  if (id === null) throw new Error(`status_type "${name}" does not exist in this Atmosphere database`);
  return id;
}
