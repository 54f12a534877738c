import { eq } from 'drizzle-orm';
import type { Database, Executor } from '../../../src/db/client.js';
import { machineRequest, resourceRequest } from '../../../src/db/atmosphere-schema.js';
import { requireStatusTypeId } from '../../../src/db/queries/statuses.js';

/** The demo imaging request with this image name. */
export async function machineRequestId(db: Database, imageName: string): Promise<number> {
  const rows = await db.select({ id: machineRequest.id }).from(machineRequest).where(eq(machineRequest.newApplicationName, imageName));
  if (rows.length !== 1) throw new Error(`expected one demo machine request named ${imageName}`);
  return rows[0]!.id;
}

/** Moves an imaging request as Atmosphere's tasks would: a status and, optionally, a new old_status; `on` may be a transaction. */
export async function setMachineRequest(db: Database, id: number, status: string, oldStatus?: string, on: Executor = db): Promise<void> {
  const statusId = await requireStatusTypeId(db, status);
  await on
    .update(machineRequest)
    .set({ statusId, ...(oldStatus === undefined ? {} : { oldStatus }) })
    .where(eq(machineRequest.id, id));
}

export async function setResourceRequestStatus(db: Database, id: number, status: string): Promise<void> {
  await db.update(resourceRequest).set({ statusId: await requireStatusTypeId(db, status) }).where(eq(resourceRequest.id, id));
}

/** A processing-step error text in Atmosphere's format, distinct per `tag`. */
export function processingError(tag: string): string {
  return `(processing - 6f1c) - ERROR - AttributeError("'NoneType' object has no attribute 'id'",) Exception:'Traceback (most recent call last):\\n  ${tag}\\n'`;
}
