import { eq, inArray } from 'drizzle-orm';
import type { Database } from '../../../src/db/client.js';
import { machineRequest, statusType } from '../../../src/db/atmosphere-schema.js';
/** The id of the demo request with this new image name (and status, when names repeat). */
export async function requestId(db: Database, name: string): Promise<number> {
  const rows = await db.select({ id: machineRequest.id }).from(machineRequest).where(eq(machineRequest.newApplicationName, name));
  if (rows.length !== 1) throw new Error(`expected one request named ${name}, found ${rows.length}`);
  return rows[0]!.id;
}

export async function statusOf(db: Database, id: number): Promise<string> {
  const rows = await db.select({ name: statusType.name }).from(machineRequest).innerJoin(statusType, eq(statusType.id, machineRequest.statusId)).where(eq(machineRequest.id, id));
  return rows[0]!.name;
}

/** Sets requests' status as Atmosphere's tasks would (e.g. `completed` at the end of imaging). */
export async function setStatus(db: Database, ids: number[], name: string): Promise<void> {
  const rows = await db.select({ id: statusType.id }).from(statusType).where(eq(statusType.name, name)).limit(1);
  const statusId = rows[0]?.id ?? (await db.insert(statusType).values({ name, description: '', startDate: new Date() }).returning({ id: statusType.id }))[0]!.id;
  await db.update(machineRequest).set({ statusId, ...(name === 'completed' ? { oldStatus: 'completed' } : {}) }).where(inArray(machineRequest.id, ids));
}

/** Finishes every demo request that holds the imaging slot, so the next approval starts at once. */
export async function freeImagingSlot(db: Database): Promise<void> {
  const busy = await db
    .select({ id: machineRequest.id })
    .from(machineRequest)
    .innerJoin(statusType, eq(statusType.id, machineRequest.statusId))
    .where(inArray(statusType.name, ['approved', 'started', 'processing', 'validating']));
  await setStatus(db, busy.map((r) => r.id), 'completed');
}
