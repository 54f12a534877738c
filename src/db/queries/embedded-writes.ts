import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../client.js';
import { forgetStatusCatalog } from './statuses.js';
import { allocationSource, identity, machineRequest, quota, resourceRequest, statusType } from '../atmosphere-schema.js';
import { QUOTA_KEYS, type QuotaValues } from '../../model/quota-values.js';
import { quotaValueColumns } from './quota-columns.js';

/*
 * The writes of embedded (demo) mode, where the bot plays the Atmosphere API against its own
 * database. Production never runs them: there the API makes these changes.
 */

/** The lowest `status_type` id of that name, created when missing as Atmosphere's get_or_create does. */
export async function getOrCreateStatusTypeId(db: Database, name: string, now: Date): Promise<number> {
  const rows = await db.select({ id: statusType.id }).from(statusType).where(eq(statusType.name, name)).orderBy(asc(statusType.id)).limit(1);
  if (rows[0]) return rows[0].id;
  const created = await db.insert(statusType).values({ name, description: '', startDate: now }).returning({ id: statusType.id });
  // The cached status catalogue must learn of the new row (statuses.ts).
  forgetStatusCatalog(db);
  return created[0]!.id;
}

/** The `quota` row with exactly these values (nulls included), inserted when there is none. */
export async function findOrCreateQuotaRow(db: Executor, values: QuotaValues): Promise<{ id: number; created: boolean }> {
  const conditions: SQL[] = QUOTA_KEYS.map((key) => sql`${quotaValueColumns[key]} is not distinct from ${values[key]}`);
  const found = await db.select({ id: quota.id }).from(quota).where(and(...conditions)).orderBy(asc(quota.id)).limit(1);
  if (found[0]) return { id: found[0].id, created: false };
  const inserted = await db
    .insert(quota)
    .values({
      cpu: values.cpu,
      memory: values.memory,
      storage: values.storage,
      instanceCount: values.instance_count,
      snapshotCount: values.snapshot_count,
      storageCount: values.storage_count,
      floatingIpCount: values.floating_ip_count,
      portCount: values.port_count,
    })
    .returning({ id: quota.id });
  return { id: inserted[0]!.id, created: true };
}

/** Points an identity at a quota row; false when there is no such identity. */
export async function setIdentityQuota(db: Executor, identityUuid: string, quotaId: number): Promise<boolean> {
  const updated = await db.update(identity).set({ quotaId }).where(eq(identity.uuid, identityUuid)).returning({ id: identity.id });
  return updated.length > 0;
}

/** Sets a resource request's status and admin message (and end date, when given); false when it does not exist. */
export async function setResourceRequestStatusRow(
  db: Executor,
  input: { id: number; statusId: number; adminMessage: string; endDate?: Date },
): Promise<boolean> {
  const endDate = input.endDate ? { endDate: input.endDate } : {};
  const updated = await db
    .update(resourceRequest)
    .set({ statusId: input.statusId, adminMessage: input.adminMessage, ...endDate })
    .where(eq(resourceRequest.id, input.id))
    .returning({ id: resourceRequest.id });
  return updated.length > 0;
}

/** A machine request's `old_status`, or null when there is no such request. */
export async function findMachineRequestOldStatus(db: Executor, id: number): Promise<{ oldStatus: string | null } | null> {
  const rows = await db.select({ oldStatus: machineRequest.oldStatus }).from(machineRequest).where(eq(machineRequest.id, id)).limit(1);
  return rows[0] ?? null;
}

/**
 * Sets a machine request's status; `endDate` only when given. `oldStatus` is given on approval
 * only, and then `start_date` is set to its own value, as this gateway has always written it.
 */
export async function setMachineRequestStatusRow(
  db: Executor,
  input: { id: number; statusId: number; oldStatus?: string; endDate?: Date },
): Promise<void> {
  await db
    .update(machineRequest)
    .set({
      statusId: input.statusId,
      ...(input.oldStatus !== undefined ? { oldStatus: input.oldStatus, startDate: sql`${machineRequest.startDate}` } : {}),
      ...(input.endDate ? { endDate: input.endDate } : {}),
    })
    .where(eq(machineRequest.id, input.id));
}

/**
 * Embedded mode's `allocation_source_compute_allowed_changed`: the hook sets the source's allowance
 * (core/hooks/allocation_source.py). False when there is no source with that uuid.
 */
export async function setAllocationComputeAllowed(db: Database, uuid: string, computeAllowed: number): Promise<boolean> {
  const updated = await db.update(allocationSource).set({ computeAllowed }).where(eq(allocationSource.uuid, uuid)).returning({ id: allocationSource.id });
  return updated.length === 1;
}
