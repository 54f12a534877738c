import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { openPostgres, type Database, type DatabaseHandle } from '../../src/db/client.js';
import { loadAtmosphereSchema, loadTroposphereSchema } from '../../src/db/load-schema.js';
import { seedDemoData } from '../../src/db/demo-data.js';

export type DbKind = 'pglite' | 'postgres';

export interface TestDatabase {
  kind: DbKind;
  atmosphere: DatabaseHandle;
  troposphere: DatabaseHandle | null;
  /** Connection string of the atmosphere database (postgres only), to open more pools or processes. */
  url: string | null;
  /** Closes the handles and, on postgres, drops the databases. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  troposphere?: boolean;
  demo?: boolean;
  /** The clock the demo data is relative to; defaults to TEST_NOW. */
  now?: Date;
}

/** A fixed clock for demo data, so tests never depend on the real time. */
export const TEST_NOW = new Date('2026-11-23T17:00:00.000Z');

/** PGlite always; the real Postgres too when TEST_DATABASE_URL is set. */
export function dbKinds(): DbKind[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/**
 * A fresh database with the real Atmosphere schema loaded (and Troposphere's in a second one when
 * asked), optionally filled with the demo data. The bot's own migrations are not applied here.
 */
export async function createTestDatabase(kind: DbKind, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const created = kind === 'pglite' ? await createPglite(options) : await createPostgres(options);
  if (options.demo) {
    try {
      await seedDemoData(created.atmosphere.db, options.now ?? TEST_NOW);
    } catch (error) {
      await created.drop();
      throw error;
    }
  }
  return created;
}

// PGlite costs 1.6–3 s to start and the schema more to load; a data directory dumped once per process
// restores in a fraction of that.
const pgliteTemplates = new Map<'atmosphere' | 'troposphere', Promise<File | Blob>>();

async function createPglite(options: TestDatabaseOptions): Promise<TestDatabase> {
  const atmosphere = await pgliteFromTemplate('atmosphere');
  const troposphere = options.troposphere ? await pgliteFromTemplate('troposphere') : null;
  return {
    kind: 'pglite',
    atmosphere,
    troposphere,
    url: null,
    drop: async () => {
      await atmosphere.close();
      await troposphere?.close();
    },
  };
}

async function pgliteFromTemplate(which: 'atmosphere' | 'troposphere'): Promise<DatabaseHandle> {
  let template = pgliteTemplates.get(which);
  if (!template) {
    template = dumpSchemaTemplate(which);
    pgliteTemplates.set(which, template);
    // A failed load must not poison every later test in the process.
    template.catch(() => pgliteTemplates.delete(which));
  }
  const client = await PGlite.create({ loadDataDir: await template });
  return pgliteHandle(client);
}

async function dumpSchemaTemplate(which: 'atmosphere' | 'troposphere'): Promise<File | Blob> {
  const client = await PGlite.create();
  try {
    const handle = pgliteHandle(client);
    await (which === 'atmosphere' ? loadAtmosphereSchema(handle) : loadTroposphereSchema(handle));
    return await client.dumpDataDir('none');
  } finally {
    await client.close();
  }
}

function pgliteHandle(client: PGlite): DatabaseHandle {
  // drizzle's PGlite type differs from the shared PgDatabase only in its driver generics.
  const db = drizzlePglite(client) as unknown as Database;
  return { db, kind: 'pglite', pool: null, close: () => client.close() };
}

async function createPostgres(options: TestDatabaseOptions): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const base = `atmobot_t_${randomBytes(6).toString('hex')}`;
  const names = options.troposphere ? [base, `${base}_tropo`] : [base];
  for (const name of names) await adminQuery(adminUrl, `create database "${name}"`);

  const url = databaseUrl(adminUrl, base);
  const atmosphere = openPostgres(url, { max: 5 });
  const troposphere = options.troposphere ? openPostgres(databaseUrl(adminUrl, `${base}_tropo`), { max: 5 }) : null;
  const drop = async () => {
    await atmosphere.close().catch(() => {});
    await troposphere?.close().catch(() => {});
    for (const name of names) {
      await adminQuery(adminUrl, 'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
      await adminQuery(adminUrl, `drop database if exists "${name}"`);
    }
  };
  try {
    await loadAtmosphereSchema(atmosphere);
    if (troposphere) await loadTroposphereSchema(troposphere);
  } catch (error) {
    await drop();
    throw error;
  }
  return { kind: 'postgres', atmosphere, troposphere, url, drop };
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminQuery(adminUrl: string, sql: string, params: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql, params);
  } finally {
    await client.end();
  }
}
