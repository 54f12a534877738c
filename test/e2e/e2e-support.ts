import { and, asc, eq, gt } from 'drizzle-orm';
import { loadConfig } from '../../src/config.js';
import { createMemoryLogger } from '../../src/logger.js';
import { startBot, type RunningBot, type StartOptions } from '../../src/start-bot.js';
import { openPostgres, type Database } from '../../src/db/client.js';
import { migrateBotSchema } from '../../src/db/migrate.js';
import { allocationSource, atmosphereUser, identity, quota, resourceRequest, statusType } from '../../src/db/atmosphere-schema.js';
import { auditLog } from '../../src/db/bot-schema/audit-log.js';
import { decision } from '../../src/db/bot-schema/decision.js';
import type { TestDatabase } from '../support/databases.js';
import type { FakeAtmosphereApi } from '../fakes/atmosphere-api.js';
import type { FakeOpenStack } from '../fakes/openstack.js';
import type { FakeFlower } from '../fakes/flower.js';

/**
 * Shared pieces of the end-to-end suites: the environment handed to the real `startBot`, polling, and
 * the probes that read what the bot wrote into the test database.
 */

/** Polls until `predicate` gives a truthy value; the timeout is a safety net, never an assertion on speed. */
export async function waitFor<T>(what: string, predicate: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await predicate();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The variables of a production deployment, pointed at the test database and the fakes. */
export function productionEnv(database: TestDatabase, atmosphere: FakeAtmosphereApi, extra: Record<string, string>): Record<string, string> {
  if (!database.url) throw new Error('end-to-end suites need a real Postgres database');
  return {
    DATABASE_URL: database.url,
    ...(database.troposphereUrl ? { TROPOSPHERE_DATABASE_URL: database.troposphereUrl } : {}),
    ATMOSPHERE_API_URL: atmosphere.url,
    ATMOSPHERE_API_TOKEN: atmosphere.token,
    PORT: '0',
    HOST: '127.0.0.1',
    CONSOLE: 'off',
    JOBS: 'false',
    LOG_LEVEL: 'debug',
    ...extra,
  };
}

export interface E2eBot {
  bot: RunningBot;
  /** Everything the bot logged, as parsed pino lines. */
  logLines: Record<string, unknown>[];
}

/** What `npm run db:migrate` does before a release starts, with the owner role the test's URL is. */
export async function migrateLikeADeployment(env: Record<string, string>): Promise<void> {
  if (!env.DATABASE_URL) return;
  const owner = openPostgres(env.MIGRATION_DATABASE_URL ?? env.DATABASE_URL, { max: 1 });
  try {
    await migrateBotSchema(owner);
  } finally {
    await owner.close();
  }
}

/**
 * Starts the real composition root exactly as `npm start` does, with a log the test can read. As a
 * deployment runs `npm run db:migrate` before starting a release, the bot's schema is migrated first
 * (the test's URL is an owner role); start-up itself only checks it.
 */
export async function startE2eBot(env: Record<string, string>, options: StartOptions = {}): Promise<E2eBot> {
  const { log, lines } = createMemoryLogger('debug');
  await migrateLikeADeployment(env);
  const bot = await startBot(loadConfig(env), log, options);
  return { bot, logLines: lines };
}

/** Log lines at error level or worse (pino level 50+). */
export function errorLines(lines: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return lines.filter((line) => Number(line.level) >= 50);
}

/** The id of `username`'s request with the given status (the demo has at most one pending per user). */
export async function requestIdOf(db: Database, username: string, status = 'pending'): Promise<number> {
  const rows = await db
    .select({ id: resourceRequest.id })
    .from(resourceRequest)
    .innerJoin(atmosphereUser, eq(atmosphereUser.id, resourceRequest.createdById))
    .innerJoin(statusType, eq(statusType.id, resourceRequest.statusId))
    .where(and(eq(atmosphereUser.username, username), eq(statusType.name, status)))
    .orderBy(asc(resourceRequest.id));
  if (!rows[0]) throw new Error(`${username} has no ${status} resource request`);
  return rows[0].id;
}

/** A resource request's status name, admin message and end date as Atmosphere's table holds them. */
export async function requestState(db: Database, id: number) {
  const [row] = await db
    .select({ status: statusType.name, adminMessage: resourceRequest.adminMessage, endDate: resourceRequest.endDate })
    .from(resourceRequest)
    .innerJoin(statusType, eq(statusType.id, resourceRequest.statusId))
    .where(eq(resourceRequest.id, id));
  if (!row) throw new Error(`resource request ${id} is gone`);
  return row;
}

export function decisionsFor(db: Database, recordId: number) {
  return db
    .select()
    .from(decision)
    .where(and(eq(decision.subject, 'resource_request'), eq(decision.recordId, recordId)));
}

/** The audit log's last id, to read only what a test step added. */
export async function lastAuditId(db: Database): Promise<number> {
  const rows = await db.select({ id: auditLog.id }).from(auditLog).orderBy(asc(auditLog.id));
  return rows.at(-1)?.id ?? 0;
}

export function auditAfter(db: Database, afterId: number) {
  return db.select().from(auditLog).where(gt(auditLog.id, afterId)).orderBy(asc(auditLog.id));
}

/**
 * The audit rows after `afterId`, once there are `count` of them. The dispatcher answers first and
 * writes the audit row just after, so a test that has seen the answer may not see the row yet.
 */
export function auditRows(db: Database, afterId: number, count: number) {
  return waitFor(`${count} audit rows`, async () => {
    const rows = await auditAfter(db, afterId);
    return rows.length >= count ? rows : null;
  });
}

/** Every write the bot sent to the fake Atmosphere API (its only mutating routes). */
export function apiWrites(atmosphere: FakeAtmosphereApi) {
  return atmosphere.calls.filter((call) => call.method !== 'GET');
}

/** Files a new pending request for `username`, as Troposphere's request form does; resolves with its id. */
export async function fileRequest(db: Database, username: string, request: string, description = 'Needed for the next course'): Promise<number> {
  const [user] = await db.select({ id: atmosphereUser.id }).from(atmosphereUser).where(eq(atmosphereUser.username, username));
  const [pending] = await db.select({ id: statusType.id }).from(statusType).where(eq(statusType.name, 'pending'));
  const [row] = await db.insert(resourceRequest).values({ request, description, createdById: user!.id, statusId: pending!.id }).returning({ id: resourceRequest.id });
  return row!.id;
}

/** `username`'s only identity, with the quota row it points at now. */
export async function onlyIdentityOf(db: Database, username: string) {
  const rows = await db
    .select({ uuid: identity.uuid, quotaId: identity.quotaId, quota })
    .from(identity)
    .innerJoin(atmosphereUser, eq(atmosphereUser.id, identity.createdById))
    .innerJoin(quota, eq(quota.id, identity.quotaId))
    .where(eq(atmosphereUser.username, username));
  if (rows.length !== 1) throw new Error(`${username} has ${rows.length} identities, not one`);
  return rows[0]!;
}

/** An allocation source by name, as Atmosphere's table holds it now. */
export async function allocationSourceNamed(db: Database, name: string) {
  const [row] = await db.select().from(allocationSource).where(eq(allocationSource.name, name));
  if (!row) throw new Error(`there is no allocation source ${name}`);
  return row;
}

/**
 * The variables that point the bot at the fake cloud services a test started: OPENSTACK_CLOUDS with
 * one application credential for each of `providers` (the demo's are 1 to 3), Flower's URL and basic
 * auth, Argo Server's URL, token and namespace.
 */
export function cloudEnv(services: {
  cloud?: Pick<FakeOpenStack, 'authUrl' | 'credentialId' | 'credentialSecret'>;
  providers?: readonly number[];
  flower?: Pick<FakeFlower, 'url' | 'user' | 'password'>;
  argo?: { url: string; token: string; namespace: string };
}): Record<string, string> {
  const env: Record<string, string> = {};
  const { cloud, flower, argo } = services;
  if (cloud) {
    const entry = { auth_url: cloud.authUrl, application_credential_id: cloud.credentialId, application_credential_secret: cloud.credentialSecret };
    env.OPENSTACK_CLOUDS = JSON.stringify(Object.fromEntries((services.providers ?? [1, 2, 3]).map((provider) => [provider, entry])));
  }
  if (flower) Object.assign(env, { FLOWER_URL: flower.url, FLOWER_USER: flower.user, FLOWER_PASSWORD: flower.password });
  if (argo) Object.assign(env, { ARGO_SERVER_URL: argo.url, ARGO_TOKEN: argo.token, ARGO_NAMESPACE: argo.namespace });
  return env;
}
