import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../../src/db/client.js';
import { application, applicationVersion, atmosphereUser, instanceSource, machineRequest, provider, providerMachine } from '../../../src/db/atmosphere-schema.js';
import type { FakeImageCatalogue } from '../../fakes/atmosphere-api.js';
import { TEST_NOW } from '../../support/databases.js';

export async function providerIdOf(db: Database, location: string): Promise<number> {
  const rows = await db.select({ id: provider.id }).from(provider).where(eq(provider.location, location));
  return rows[0]!.id;
}

export async function applicationIdOf(db: Database, name: string): Promise<number> {
  const rows = await db.select({ id: application.id }).from(application).where(eq(application.name, name));
  if (rows.length !== 1) throw new Error(`expected one application named ${name}`);
  return rows[0]!.id;
}

/** An application with one version and a machine per provider, as a finished imaging run leaves it. */
export async function insertImage(
  db: Database,
  input: { name: string; owner: string; version?: string; providers: string[]; private?: boolean; applicationId?: number },
): Promise<{ applicationId: number; versionId: string; glance: Record<string, string> }> {
  const owner = (await db.select({ id: atmosphereUser.id }).from(atmosphereUser).where(eq(atmosphereUser.username, input.owner)))[0]!.id;
  const startDate = new Date(TEST_NOW.getTime() - 86_400_000);
  const applicationId =
    input.applicationId ??
    (await db.insert(application).values({ name: input.name, description: '', private: input.private ?? false, startDate, createdById: owner }).returning())[0]!.id;
  const versionId = randomUUID();
  await db.insert(applicationVersion).values({ id: versionId, name: input.version ?? '1.0', startDate, applicationId, createdById: owner });
  const glance: Record<string, string> = {};
  for (const location of input.providers) {
    const providerId = await providerIdOf(db, location);
    const identifier = randomUUID();
    glance[location] = identifier;
    const source = (await db.insert(instanceSource).values({ identifier, startDate, providerId, createdById: owner }).returning())[0]!;
    await db.insert(providerMachine).values({ applicationVersionId: versionId, instanceSourceId: source.id });
  }
  return { applicationId, versionId, glance };
}

/** Points an imaging request at what it produced, as process_machine_request does at the end. */
export async function linkRequestToVersion(db: Database, requestId: number, versionId: string, forked: boolean): Promise<void> {
  await db.update(machineRequest).set({ newApplicationVersionId: versionId, newVersionForked: forked }).where(eq(machineRequest.id, requestId));
}

export async function placementOf(db: Database, versionId: string): Promise<{ applicationId: number; name: string }> {
  const rows = await db.select({ applicationId: applicationVersion.applicationId, name: applicationVersion.name }).from(applicationVersion).where(eq(applicationVersion.id, versionId));
  return rows[0]!;
}

export async function isPrivate(db: Database, applicationId: number): Promise<boolean> {
  return (await db.select({ private: application.private }).from(application).where(eq(application.id, applicationId)))[0]!.private;
}

/** The fake API's view of the catalogue, read from the database (what Atmosphere would serve). */
export async function catalogueFrom(db: Database): Promise<FakeImageCatalogue> {
  const versions = await db.select({ id: applicationVersion.id, applicationId: applicationVersion.applicationId, name: applicationVersion.name }).from(applicationVersion);
  const applications = await db.select({ id: application.id, name: application.name, private: application.private }).from(application);
  return {
    versions: new Map(versions.map((v) => [v.id, { applicationId: v.applicationId, name: v.name }])),
    applications: new Map(applications.map((a) => [a.id, { name: a.name, private: a.private }])),
  };
}

/** Ends a machine's instance source (as when a copy is retired); used to check "current" filtering. */
export async function endSource(db: Database, identifier: string, providerId: number, at: Date): Promise<void> {
  await db.update(instanceSource).set({ endDate: at }).where(and(eq(instanceSource.identifier, identifier), eq(instanceSource.providerId, providerId)));
}
