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
  /** Connection string of the troposphere database (postgres with `troposphere: true` only). */
  troposphereUrl: string | null;
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

// A fresh PGlite runs initdb, which costs seconds (1.6–3 s, more on a slow machine); restoring a dumped
// data directory is several times faster. So each process initialises once, dumps that empty cluster,
// and derives one schema-loaded dump per schema from it.
type Template = 'empty' | 'atmosphere' | 'troposphere';
const pgliteTemplates = new Map<Template, Promise<File | Blob>>();

async function createPglite(options: TestDatabaseOptions): Promise<TestDatabase> {
  const atmosphere = await pgliteFromTemplate('atmosphere');
  const troposphere = options.troposphere ? await pgliteFromTemplate('troposphere') : null;
  return {
    kind: 'pglite',
    atmosphere,
    troposphere,
    url: null,
    troposphereUrl: null,
    drop: async () => {
      await atmosphere.close();
      await troposphere?.close();
    },
  };
}

async function pgliteFromTemplate(which: 'atmosphere' | 'troposphere'): Promise<DatabaseHandle> {
  const client = await PGlite.create({ loadDataDir: await pgliteTemplate(which) });
  return pgliteHandle(client);
}

function pgliteTemplate(which: Template): Promise<File | Blob> {
  let template = pgliteTemplates.get(which);
  if (!template) {
    template = dumpTemplate(which);
    pgliteTemplates.set(which, template);
    // A failed build must not poison every later test in the process.
    template.catch(() => pgliteTemplates.delete(which));
  }
  return template;
}

async function dumpTemplate(which: Template): Promise<File | Blob> {
  const client = which === 'empty' ? await PGlite.create() : await PGlite.create({ loadDataDir: await pgliteTemplate('empty') });
  try {
    const handle = pgliteHandle(client);
    if (which === 'atmosphere') await loadAtmosphereSchema(handle);
    if (which === 'troposphere') await loadTroposphereSchema(handle);
    return await client.dumpDataDir('none');
  } finally {
    await client.close();
  }
}

function pgliteHandle(client: PGlite): DatabaseHandle {
  // drizzle's PGlite type differs from the shared PgDatabase only in its driver generics.
  const db = drizzlePglite(client) as unknown as Database;
  return { db, kind: 'pglite', pool: null, waitThrough: () => {}, close: () => client.close() };
}

async function createPostgres(options: TestDatabaseOptions): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const base = `atmobot_t_${randomBytes(6).toString('hex')}`;
  const names = options.troposphere ? [base, `${base}_tropo`] : [base];
  const url = databaseUrl(adminUrl, base);
  const troposphereUrl = options.troposphere ? databaseUrl(adminUrl, `${base}_tropo`) : null;
  const handles: DatabaseHandle[] = [];
  const drop = async () => {
    for (const handle of handles) await handle.close().catch(() => {});
    for (const name of names) {
      // A test that forgot to close a pool must not keep its database alive.
      await adminQuery(adminUrl, 'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
      await adminQuery(adminUrl, `drop database if exists "${name}"`);
    }
  };
  try {
    for (const name of names) await adminQuery(adminUrl, `create database "${name}"`);
    const atmosphere = openPostgres(url, { max: 5 });
    handles.push(atmosphere);
    const troposphere = troposphereUrl ? openPostgres(troposphereUrl, { max: 5 }) : null;
    if (troposphere) handles.push(troposphere);
    await loadAtmosphereSchema(atmosphere);
    if (troposphere) await loadTroposphereSchema(troposphere);
    return { kind: 'postgres', atmosphere, troposphere, url, troposphereUrl, drop };
  } catch (error) {
    await drop();
    throw error;
  }
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
