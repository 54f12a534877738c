import { and, asc, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { application, applicationVersion, instanceSource, machineRequest, provider, providerMachine, statusType } from '../atmosphere-schema.js';

/** An application version and the application (image) it belongs to. */
export interface VersionPlacement {
  versionId: string;
  versionName: string;
  versionEndDate: Date | null;
  applicationId: number;
  applicationName: string;
  applicationPrivate: boolean;
}

/** One copy of a version on a provider: the provider machine and its instance source. */
export interface VersionMachine {
  providerMachineId: number;
  providerId: number;
  provider: string;
  /** `instance_source.identifier`: the Glance image id on that provider. */
  identifier: string;
  sourceEndDate: Date | null;
}

export interface ApplicationSummary {
  id: number;
  name: string;
  private: boolean;
  endDate: Date | null;
}

const placementColumns = {
  versionId: applicationVersion.id,
  versionName: applicationVersion.name,
  versionEndDate: applicationVersion.endDate,
  applicationId: application.id,
  applicationName: application.name,
  applicationPrivate: application.private,
};

/** The version and application of an application version id; null when there is none. */
export async function findVersionPlacement(db: Database, versionId: string): Promise<VersionPlacement | null> {
  const rows = await db
    .select(placementColumns)
    .from(applicationVersion)
    .innerJoin(application, eq(application.id, applicationVersion.applicationId))
    .where(eq(applicationVersion.id, versionId))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * What an imaging request produced (`new_application_version_id`, set at the end of a successful
 * run), whether it was asked as a new application (`new_version_forked`) and its status name.
 */
export async function findMachineRequestVersion(
  db: Database,
  id: number,
): Promise<{ id: number; versionId: string | null; forked: boolean; status: string; newApplicationName: string } | null> {
  const rows = await db
    .select({
      id: machineRequest.id,
      versionId: machineRequest.newApplicationVersionId,
      forked: machineRequest.newVersionForked,
      status: statusType.name,
      newApplicationName: machineRequest.newApplicationName,
    })
    .from(machineRequest)
    .innerJoin(statusType, eq(statusType.id, machineRequest.statusId))
    .where(eq(machineRequest.id, id))
    .limit(1);
  return rows[0] ?? null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The versions whose provider machine has this Glance id (`instance_source.identifier`, what the
 * guide looks machines up by) or this `instance_source.uuid`; more than one when the same id is
 * on several providers.
 */
export async function findVersionIdsByMachine(db: Database, ref: string): Promise<string[]> {
  const match = UUID.test(ref) ? or(eq(instanceSource.identifier, ref), eq(instanceSource.uuid, ref)) : eq(instanceSource.identifier, ref);
  const rows = await db
    .selectDistinct({ versionId: providerMachine.applicationVersionId })
    .from(providerMachine)
    .innerJoin(instanceSource, eq(instanceSource.id, providerMachine.instanceSourceId))
    .where(match);
  return rows.flatMap((row) => (row.versionId ? [row.versionId] : []));
}

/** Every provider machine of a version, with its provider. */
export async function listVersionMachines(db: Database, versionId: string): Promise<VersionMachine[]> {
  return db
    .select({
      providerMachineId: providerMachine.id,
      providerId: provider.id,
      provider: provider.location,
      identifier: instanceSource.identifier,
      sourceEndDate: instanceSource.endDate,
    })
    .from(providerMachine)
    .innerJoin(instanceSource, eq(instanceSource.id, providerMachine.instanceSourceId))
    .innerJoin(provider, eq(provider.id, instanceSource.providerId))
    .where(eq(providerMachine.applicationVersionId, versionId))
    .orderBy(asc(provider.id));
}

export async function findApplicationSummary(db: Database, id: number): Promise<ApplicationSummary | null> {
  const rows = await db
    .select({ id: application.id, name: application.name, private: application.private, endDate: application.endDate })
    .from(application)
    .where(eq(application.id, id))
    .limit(1);
  return rows[0] ?? null;
}

/** The names of an application's versions, end-dated ones included: (application, name) is unique over all of them. */
export async function listVersionNames(db: Database, applicationId: number): Promise<{ id: string; name: string }[]> {
  return db
    .select({ id: applicationVersion.id, name: applicationVersion.name })
    .from(applicationVersion)
    .where(eq(applicationVersion.applicationId, applicationId))
    .orderBy(asc(applicationVersion.startDate));
}

/** A version is current while its end date is unset or ahead (`core.query.only_current`). */
const currentVersion = (now: Date) => or(isNull(applicationVersion.endDate), gt(applicationVersion.endDate, now));

/**
 * The machines of an application's current versions that Atmosphere counts as current
 * (`only_current_source`: the source started and not ended, its provider not ended): the Glance
 * images the guide's publish step walks through, one per provider.
 */
export async function listCurrentApplicationMachines(db: Database, applicationId: number, now: Date): Promise<(VersionMachine & { versionId: string; versionName: string })[]> {
  return db
    .select({
      versionId: applicationVersion.id,
      versionName: applicationVersion.name,
      providerMachineId: providerMachine.id,
      providerId: provider.id,
      provider: provider.location,
      identifier: instanceSource.identifier,
      sourceEndDate: instanceSource.endDate,
    })
    .from(applicationVersion)
    .innerJoin(providerMachine, eq(providerMachine.applicationVersionId, applicationVersion.id))
    .innerJoin(instanceSource, eq(instanceSource.id, providerMachine.instanceSourceId))
    .innerJoin(provider, eq(provider.id, instanceSource.providerId))
    .where(
      and(
        eq(applicationVersion.applicationId, applicationId),
        currentVersion(now),
        or(isNull(instanceSource.endDate), gt(instanceSource.endDate, now)),
        lt(instanceSource.startDate, now),
        or(isNull(provider.endDate), gt(provider.endDate, now)),
      ),
    )
    .orderBy(asc(provider.id), asc(applicationVersion.startDate));
}

export async function listProviders(db: Database): Promise<{ id: number; location: string; active: boolean; endDate: Date | null }[]> {
  return db.select({ id: provider.id, location: provider.location, active: provider.active, endDate: provider.endDate }).from(provider).orderBy(asc(provider.id));
}

/** One current version of a current application and one of its machines (null parts: it has none). */
export interface CatalogueCopy {
  applicationId: number;
  applicationName: string;
  versionId: string;
  versionName: string;
  providerMachineId: number | null;
  providerId: number | null;
  identifier: string | null;
  /** The machine counts as current (`only_current_source`); false when there is no machine. */
  current: boolean;
}

/**
 * The catalogue as application_sync_providers.py walks it: applications without an end date, their
 * current versions (`active_versions`), and each version's machines on `providerIds`, current or
 * not (the script's completeness check looks at `av.machines.all()`).
 */
export async function listCatalogueCopies(db: Database, providerIds: readonly number[], now: Date): Promise<CatalogueCopy[]> {
  const machines = db
    .select({
      id: providerMachine.id,
      versionId: providerMachine.applicationVersionId,
      providerId: instanceSource.providerId,
      identifier: instanceSource.identifier,
      current: sql<boolean>`(${instanceSource.endDate} is null or ${instanceSource.endDate} > ${now.toISOString()}::timestamptz)
        and ${instanceSource.startDate} < ${now.toISOString()}::timestamptz
        and (${provider.endDate} is null or ${provider.endDate} > ${now.toISOString()}::timestamptz)`.as('current'),
    })
    .from(providerMachine)
    .innerJoin(instanceSource, eq(instanceSource.id, providerMachine.instanceSourceId))
    .innerJoin(provider, eq(provider.id, instanceSource.providerId))
    .where(inArray(instanceSource.providerId, [...providerIds]))
    .as('m');
  const rows = await db
    .select({
      applicationId: application.id,
      applicationName: application.name,
      versionId: applicationVersion.id,
      versionName: applicationVersion.name,
      providerMachineId: machines.id,
      providerId: machines.providerId,
      identifier: machines.identifier,
      current: machines.current,
    })
    .from(applicationVersion)
    .innerJoin(application, eq(application.id, applicationVersion.applicationId))
    .leftJoin(machines, eq(machines.versionId, applicationVersion.id))
    .where(and(isNull(application.endDate), currentVersion(now)))
    .orderBy(asc(application.id), asc(applicationVersion.startDate), asc(machines.providerId));
  return rows.map((row) => ({ ...row, current: row.current === true }));
}
