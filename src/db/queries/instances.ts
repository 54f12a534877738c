import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import {
  application,
  applicationVersion,
  atmosphereUser,
  instance,
  instanceSource,
  instanceStatus,
  instanceStatusHistory,
  provider,
  providerMachine,
  size,
} from '../atmosphere-schema.js';

/** One instance as staff see it: owner, provider and image (application, version, provider machine). */
export interface InstanceRow {
  id: number;
  name: string;
  /** `provider_alias`: the OpenStack server uuid, the id Atmosphere's API and Troposphere show. */
  uuid: string;
  ip: string | null;
  startDate: Date;
  endDate: Date | null;
  owner: string;
  providerId: number;
  provider: string;
  /** `instance_source.uuid` of the boot source: the ProviderMachine's uuid in Atmosphere's API. */
  machineUuid: string;
  /** The Glance image id (or volume id) the instance booted from. */
  sourceIdentifier: string;
  application: string | null;
  version: string | null;
}

/** One `instance_status_history` row with its status name and size. */
export interface HistoryRow {
  id: number;
  instanceId: number;
  status: string;
  activity: string | null;
  startDate: Date;
  endDate: Date | null;
  size: string;
  cpu: number;
  memMb: number;
  fault: string | null;
}

const instanceColumns = {
  id: instance.id,
  name: instance.name,
  uuid: instance.providerAlias,
  ip: instance.ipAddress,
  startDate: instance.startDate,
  endDate: instance.endDate,
  owner: atmosphereUser.username,
  providerId: provider.id,
  provider: provider.location,
  machineUuid: instanceSource.uuid,
  sourceIdentifier: instanceSource.identifier,
  application: application.name,
  version: applicationVersion.name,
};

/** Every join is on a primary key or a unique column (provider_machine.instance_source_id). */
function instanceSelect(db: Database) {
  return db
    .select(instanceColumns)
    .from(instance)
    .innerJoin(atmosphereUser, eq(atmosphereUser.id, instance.createdById))
    .innerJoin(instanceSource, eq(instanceSource.id, instance.sourceId))
    .innerJoin(provider, eq(provider.id, instanceSource.providerId))
    .leftJoin(providerMachine, eq(providerMachine.instanceSourceId, instanceSource.id))
    .leftJoin(applicationVersion, eq(applicationVersion.id, providerMachine.applicationVersionId))
    .leftJoin(application, eq(application.id, applicationVersion.applicationId));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/** How many matches a name search lists. */
export const MAX_MATCHES = 20;

/**
 * The instances a staff member means by `term`: a database id (primary key), a uuid
 * (`provider_alias`, unique), an IP address, or a name (exact, then case-insensitive). IP and name
 * have no index in Atmosphere's schema; `instance` is far smaller than its history and a lookup by
 * hand is rare, so a scan of it is accepted here (and only here). Current instances come first.
 */
export async function findInstances(db: Database, term: string): Promise<InstanceRow[]> {
  const order = [sql`${instance.endDate} is not null`, desc(instance.startDate)];
  if (/^\d{1,10}$/.test(term) && Number(term) <= 2_147_483_647) {
    const byId = await instanceSelect(db).where(eq(instance.id, Number(term)));
    if (byId.length > 0) return byId;
  }
  if (UUID.test(term)) return instanceSelect(db).where(eq(instance.providerAlias, term.toLowerCase()));
  if (IPV4.test(term)) {
    return instanceSelect(db).where(sql`${instance.ipAddress} = ${term}::inet`).orderBy(...order).limit(MAX_MATCHES);
  }
  const exact = await instanceSelect(db).where(eq(instance.name, term)).orderBy(...order).limit(MAX_MATCHES);
  if (exact.length > 0) return exact;
  return instanceSelect(db).where(sql`lower(${instance.name}) = lower(${term})`).orderBy(...order).limit(MAX_MATCHES);
}

/** Instances by id (primary key). */
export async function getInstances(db: Database, ids: readonly number[]): Promise<InstanceRow[]> {
  if (ids.length === 0) return [];
  return instanceSelect(db).where(inArray(instance.id, [...ids]));
}

/** A user's current (not deleted) instances, through Atmosphere's `instance_created_by_id` index. */
export async function listUserInstances(db: Database, username: string): Promise<InstanceRow[] | null> {
  const [user] = await db.select({ id: atmosphereUser.id }).from(atmosphereUser).where(eq(atmosphereUser.username, username)).limit(1);
  if (!user) return null;
  return instanceSelect(db)
    .where(and(eq(instance.createdById, user.id), isNull(instance.endDate)))
    .orderBy(desc(instance.startDate));
}

const historyColumns = {
  id: instanceStatusHistory.id,
  instanceId: instanceStatusHistory.instanceId,
  status: instanceStatus.name,
  activity: instanceStatusHistory.activity,
  startDate: instanceStatusHistory.startDate,
  endDate: instanceStatusHistory.endDate,
  size: size.name,
  cpu: size.cpu,
  memMb: size.mem,
  fault: sql<string | null>`${instanceStatusHistory.extra}->>'display_error'`,
};

/**
 * The full status timeline of the given instances, oldest first, through Atmosphere's
 * `instance_status_history_instance_id_…` index (an instance has tens of rows, not millions).
 */
export async function listInstanceHistory(db: Database, instanceIds: readonly number[]): Promise<HistoryRow[]> {
  if (instanceIds.length === 0) return [];
  return db
    .select(historyColumns)
    .from(instanceStatusHistory)
    .innerJoin(instanceStatus, eq(instanceStatus.id, instanceStatusHistory.statusId))
    .innerJoin(size, eq(size.id, instanceStatusHistory.sizeId))
    .where(inArray(instanceStatusHistory.instanceId, [...instanceIds]))
    .orderBy(asc(instanceStatusHistory.instanceId), asc(instanceStatusHistory.startDate), asc(instanceStatusHistory.id));
}

/** Every provider's id and name (`location`); the table is tiny. */
export async function listProviders(db: Database): Promise<{ id: number; name: string }[]> {
  return db.select({ id: provider.id, name: provider.location }).from(provider).orderBy(asc(provider.id));
}

/**
 * The open (`end_date IS NULL`) history row of each instance, newest by `start_date` should there be
 * several; an instance whose rows are all ended (a destroyed one) has none. Same index as above, but
 * only one row per instance comes back.
 */
export async function listOpenHistory(db: Database, instanceIds: readonly number[]): Promise<Map<number, HistoryRow>> {
  if (instanceIds.length === 0) return new Map();
  const rows = await db
    .select(historyColumns)
    .from(instanceStatusHistory)
    .innerJoin(instanceStatus, eq(instanceStatus.id, instanceStatusHistory.statusId))
    .innerJoin(size, eq(size.id, instanceStatusHistory.sizeId))
    .where(and(inArray(instanceStatusHistory.instanceId, [...instanceIds]), isNull(instanceStatusHistory.endDate)));
  const open = new Map<number, HistoryRow>();
  for (const row of rows) {
    const seen = open.get(row.instanceId);
    if (!seen || seen.startDate.getTime() < row.startDate.getTime() || (seen.startDate.getTime() === row.startDate.getTime() && seen.id < row.id)) open.set(row.instanceId, row);
  }
  return open;
}
