import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { atmosphereUser, instance, machineRequest, resourceRequest, statusType } from '../atmosphere-schema.js';
import { alertScanCursor } from '../bot-schema/index.js';
import { statusCatalog } from './statuses.js';

/** Statuses after which a request never changes again (unless staff re-submit it). */
export const FINAL_STATUSES: readonly string[] = ['completed', 'closed', 'denied', 'rejected'];

export interface MachineRequestScanRow {
  id: number;
  status: string;
  oldStatus: string | null;
  startDate: Date;
  endDate: Date | null;
  owner: string;
  imageName: string;
  instanceId: number;
  instanceName: string;
  /** `new_version_forked`: asked as a new application rather than a new version. */
  newVersionForked: boolean;
  /** What imaging produced, once it completed. */
  newApplicationVersionId: string | null;
}

export interface ResourceRequestScanRow {
  id: number;
  status: string;
  startDate: Date;
  requester: string;
  request: string;
}

/**
 * Every `status_type` id by name. Names are not unique (rows are created lazily by `get_or_create`),
 * so one name may map to several ids; served from the cached catalogue (statuses.ts), so a tick
 * does not read the table again.
 */
export async function listStatusIds(db: Database): Promise<Map<string, number[]>> {
  return new Map([...(await statusCatalog(db)).byName].map(([name, ids]) => [name, [...ids]]));
}

const machineColumns = {
  id: machineRequest.id,
  status: statusType.name,
  oldStatus: machineRequest.oldStatus,
  startDate: machineRequest.startDate,
  endDate: machineRequest.endDate,
  owner: atmosphereUser.username,
  imageName: machineRequest.newApplicationName,
  instanceId: instance.id,
  instanceName: instance.name,
  newVersionForked: machineRequest.newVersionForked,
  newApplicationVersionId: machineRequest.newApplicationVersionId,
};

/**
 * Machine requests whose status is one of `statusIds` (the non-final ones). Atmosphere has no
 * updated_at column, so the scan reads the small set of unfinished requests each tick through
 * Atmosphere's own `machine_request_status_id_…` index; the joins are primary-key lookups.
 */
export async function listMachineRequestsByStatus(db: Database, statusIds: readonly number[]): Promise<MachineRequestScanRow[]> {
  if (statusIds.length === 0) return [];
  return machineScan(db).where(inArray(machineRequest.statusId, [...statusIds]));
}

/** The scan's view of a machine request: its status name, owner and instance, by primary keys. */
function machineScan(db: Database) {
  return db
    .select(machineColumns)
    .from(machineRequest)
    .innerJoin(statusType, eq(statusType.id, machineRequest.statusId))
    .innerJoin(atmosphereUser, eq(atmosphereUser.id, machineRequest.newMachineOwnerId))
    .innerJoin(instance, eq(instance.id, machineRequest.instanceId));
}

/** Machine requests by id (primary key), for threads whose request left the unfinished set. */
export async function getMachineRequests(db: Database, ids: readonly number[]): Promise<MachineRequestScanRow[]> {
  if (ids.length === 0) return [];
  return machineScan(db).where(inArray(machineRequest.id, [...ids]));
}

const resourceColumns = {
  id: resourceRequest.id,
  status: statusType.name,
  startDate: resourceRequest.startDate,
  requester: atmosphereUser.username,
  request: resourceRequest.request,
};

/** Resource requests in one of `statusIds` (pending) submitted before `before`, via `resource_request_status_id_…`. */
export async function listResourceRequestsWaitingSince(
  db: Database,
  statusIds: readonly number[],
  before: Date,
): Promise<ResourceRequestScanRow[]> {
  if (statusIds.length === 0) return [];
  return resourceScan(db).where(and(inArray(resourceRequest.statusId, [...statusIds]), lt(resourceRequest.startDate, before)));
}

/** The scan's view of a resource request: its status name and requester, by primary keys. */
function resourceScan(db: Database) {
  return db
    .select(resourceColumns)
    .from(resourceRequest)
    .innerJoin(statusType, eq(statusType.id, resourceRequest.statusId))
    .innerJoin(atmosphereUser, eq(atmosphereUser.id, resourceRequest.createdById));
}

/** Resource requests by id (primary key). */
export async function getResourceRequests(db: Database, ids: readonly number[]): Promise<ResourceRequestScanRow[]> {
  if (ids.length === 0) return [];
  return resourceScan(db).where(inArray(resourceRequest.id, [...ids]));
}

/** The last request event a scan job has read; null before its first run. */
export async function getScanCursor(db: Database, job: string): Promise<number | null> {
  const rows = await db.select({ lastEventId: alertScanCursor.lastEventId }).from(alertScanCursor).where(eq(alertScanCursor.job, job));
  return rows[0]?.lastEventId ?? null;
}

/** Moves a job's cursor forward (never back, should two runs overlap). */
export async function advanceScanCursor(db: Database, job: string, lastEventId: number): Promise<void> {
  await db
    .insert(alertScanCursor)
    .values({ job, lastEventId })
    .onConflictDoUpdate({
      target: alertScanCursor.job,
      set: { lastEventId: sql`greatest(${alertScanCursor.lastEventId}, excluded.last_event_id)` },
    });
}
