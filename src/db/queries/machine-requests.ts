import { and, asc, count, desc, eq, ilike, inArray, or, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import {
  application,
  applicationVersion,
  atmosphereUser,
  instance,
  instanceSource,
  machineRequest,
  provider,
  providerMachine,
  statusType,
} from '../atmosphere-schema.js';
import { decision } from '../bot-schema/index.js';
import { statusCatalog } from './statuses.js';

export interface MachineRequestView {
  id: number;
  status: string;
  oldStatus: string | null;
  startDate: Date;
  endDate: Date | null;
  newApplicationName: string;
  newVersionName: string;
  owner: { id: number; username: string; email: string };
  createdById: number;
  instance: { id: number; name: string; providerAlias: string; ipAddress: string | null };
  /** The provider the instance runs on. */
  provider: { id: number; location: string };
  /** The version a completed request made as a new application (`new_version_forked`); null otherwise. */
  forkedVersionId: string | null;
}

/** Statuses after which nothing more happens to a request. */
export const FINISHED_STATUSES = ['completed', 'denied', 'closed', 'rejected'] as const;
/** Statuses of a request whose imaging chain was launched (approved lasts only a moment). */
export const RUNNING_STATUSES = ['approved', 'started', 'processing', 'validating'] as const;

const columns = {
  id: machineRequest.id,
  status: statusType.name,
  oldStatus: machineRequest.oldStatus,
  startDate: machineRequest.startDate,
  endDate: machineRequest.endDate,
  newApplicationName: machineRequest.newApplicationName,
  newVersionName: machineRequest.newVersionName,
  newVersionForked: machineRequest.newVersionForked,
  newApplicationVersionId: machineRequest.newApplicationVersionId,
  ownerId: atmosphereUser.id,
  ownerUsername: atmosphereUser.username,
  ownerEmail: atmosphereUser.email,
  createdById: machineRequest.createdById,
  instanceId: instance.id,
  instanceName: instance.name,
  providerAlias: instance.providerAlias,
  ipAddress: instance.ipAddress,
  providerId: provider.id,
  providerLocation: provider.location,
};

function baseQuery(db: Database) {
  return db
    .select(columns)
    .from(machineRequest)
    .innerJoin(statusType, eq(statusType.id, machineRequest.statusId))
    .innerJoin(atmosphereUser, eq(atmosphereUser.id, machineRequest.newMachineOwnerId))
    .innerJoin(instance, eq(instance.id, machineRequest.instanceId))
    .innerJoin(instanceSource, eq(instanceSource.id, instance.sourceId))
    .innerJoin(provider, eq(provider.id, instanceSource.providerId));
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>['execute']>>[number];

function toView(row: Row): MachineRequestView {
  return {
    id: row.id,
    status: row.status,
    oldStatus: row.oldStatus,
    startDate: row.startDate,
    endDate: row.endDate,
    newApplicationName: row.newApplicationName,
    newVersionName: row.newVersionName,
    forkedVersionId: row.newVersionForked ? row.newApplicationVersionId : null,
    owner: { id: row.ownerId, username: row.ownerUsername, email: row.ownerEmail },
    createdById: row.createdById,
    instance: { id: row.instanceId, name: row.instanceName, providerAlias: row.providerAlias, ipAddress: row.ipAddress ?? null },
    provider: { id: row.providerId, location: row.providerLocation },
  };
}

/** One imaging request with its owner, instance and provider; null when there is no such id. */
export async function getMachineRequest(db: Database, id: number): Promise<MachineRequestView | null> {
  const rows = await baseQuery(db).where(eq(machineRequest.id, id)).limit(1);
  return rows[0] ? toView(rows[0]) : null;
}

export type MachineRequestScope = 'pending' | 'unfinished';

/**
 * Requests in a scope, oldest first. `unfinished` is everything not completed, denied or closed; the
 * caller narrows it with the triage rules.
 */
export async function listMachineRequests(db: Database, scope: MachineRequestScope): Promise<MachineRequestView[]> {
  // Filtering on the cached status ids (not on status_type.name across the join) lets the planner
  // use machine_request_status_id_… and estimate the few unfinished rows among a million finished.
  const statuses = await statusCatalog(db, scope === 'pending' ? ['pending'] : []);
  const ids = scope === 'pending' ? statuses.idsOf(['pending']) : statuses.idsExcept(FINISHED_STATUSES);
  const rows = await baseQuery(db).where(inArray(machineRequest.statusId, ids)).orderBy(asc(machineRequest.startDate), asc(machineRequest.id));
  return rows.map(toView);
}

/**
 * The `limit` most recently submitted requests, newest first. Newest is the highest id: Atmosphere
 * stamps `start_date` on the insert that draws the id (and early releases stamped every row with the
 * server's start time), and `start_date` has no index, so ordering on it sorted the whole table.
 * The primary key read backwards stops after `limit` rows.
 */
export async function listNewestMachineRequests(db: Database, limit: number): Promise<MachineRequestView[]> {
  const rows = await baseQuery(db).orderBy(desc(machineRequest.id)).limit(limit);
  return rows.map(toView);
}

/** How many imaging requests exist in all; `all` lists show at most 500 of them. */
export async function countMachineRequests(db: Database): Promise<number> {
  const rows = await db.select({ n: count() }).from(machineRequest);
  return rows[0]?.n ?? 0;
}

/**
 * Requests that may hold the imaging slot: a running status, or a legacy `imaging` old_status on a
 * request that is neither finished nor waiting. The caller drops the errored ones (their chain stopped).
 */
export async function listImagingSlotCandidates(db: Database): Promise<MachineRequestView[]> {
  // Both branches name their status ids, so each is a scan of machine_request_status_id_… (Atmosphere's
  // own index) and the two are OR-ed as bitmaps; `old_status` is only read on the few rows whose status
  // is neither running, finished, waiting nor failed. Before, `status_type.name IN (...) OR old_status
  // ILIKE ...` across the join made Postgres read every row of the table on every tick.
  const statuses = await statusCatalog(db, RUNNING_STATUSES);
  const running = statuses.idsOf(RUNNING_STATUSES);
  const other = statuses.idsExcept([...RUNNING_STATUSES, ...FINISHED_STATUSES, 'pending', 'failed']);
  const rows = await baseQuery(db)
    .where(or(inArray(machineRequest.statusId, running), and(inArray(machineRequest.statusId, other), ilike(machineRequest.oldStatus, 'imaging%'))))
    .orderBy(asc(machineRequest.id));
  return rows.map(toView);
}

/** The image the request's instance was launched from, for the triage report. */
export async function getParentImage(db: Database, requestId: number): Promise<{ name: string; version: string; identifier: string } | null> {
  const rows = await db
    .select({ name: application.name, version: applicationVersion.name, identifier: instanceSource.identifier })
    .from(machineRequest)
    .innerJoin(providerMachine, eq(providerMachine.id, machineRequest.parentMachineId))
    .innerJoin(instanceSource, eq(instanceSource.id, providerMachine.instanceSourceId))
    .leftJoin(applicationVersion, eq(applicationVersion.id, providerMachine.applicationVersionId))
    .leftJoin(application, eq(application.id, applicationVersion.applicationId))
    .where(eq(machineRequest.id, requestId))
    .limit(1);
  const row = rows[0];
  if (!row) return null;
  return { name: row.name ?? '(unknown application)', version: row.version ?? '', identifier: row.identifier };
}

/**
 * The decision round a new staff action on this imaging request claims: one more than the number of
 * actions already carried out. Each carried-out action (approve, queue, deny, re-submit) moves the
 * request on, so a request back in pending, or back in error, is decided afresh; two simultaneous
 * clicks compute the same round and the claim's unique key lets only one through.
 */
export async function nextMachineRequestRound(db: Database, id: number): Promise<number> {
  const rows = await db
    .select({ n: count() })
    .from(decision)
    .where(and(eq(decision.subject, 'machine_request'), eq(decision.recordId, id), sql`${decision.state} = 'done'`));
  return rows[0]?.n ?? 0;
}
