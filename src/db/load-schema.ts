import { readFile } from 'node:fs/promises';
import type { DatabaseHandle } from './client.js';

const ATMOSPHERE_SQL = new URL('./fixtures/atmosphere-schema.sql', import.meta.url);
const TROPOSPHERE_SQL = new URL('./fixtures/troposphere-schema.sql', import.meta.url);

/** The slice of PGlite used here: `exec` runs a multi-statement script over the simple protocol. */
interface ScriptClient {
  exec(script: string): Promise<unknown>;
  query(sql: string): Promise<{ rows: unknown[] }>;
}

/**
 * EMBEDDED AND TEST MODE ONLY. Creates Atmosphere's tables (the DDL its Django migrations produce) in
 * an EMPTY database. Never call it on a real Atmosphere database: Django owns that schema and the bot
 * must not run DDL on it. Does nothing when `public.atmosphere_user` already exists, so an embedded
 * database kept across restarts is loaded once.
 */
export async function loadAtmosphereSchema(handle: DatabaseHandle): Promise<void> {
  await loadSchemaScript(handle, ATMOSPHERE_SQL, 'public.atmosphere_user');
}

/**
 * EMBEDDED AND TEST MODE ONLY. Creates Troposphere's tables in an EMPTY database of their own (the two
 * schemas share table names such as `auth_group`, so they cannot live in one database, as in
 * production). Never call it on a real Troposphere database. Does nothing when
 * `public.api_maintenancerecord` already exists.
 */
export async function loadTroposphereSchema(handle: DatabaseHandle): Promise<void> {
  await loadSchemaScript(handle, TROPOSPHERE_SQL, 'public.api_maintenancerecord');
}

async function loadSchemaScript(handle: DatabaseHandle, file: URL, guardTable: string): Promise<void> {
  const script = neutraliseSearchPath(await readFile(file, 'utf8'));
  const guard = `select to_regclass('${guardTable}') is not null as present`;
  const client = await scriptClientFor(handle);
  try {
    const { rows } = await client.query(guard);
    if (isPresent(rows[0])) return;
    await client.exec(script);
  } finally {
    await client.release();
  }
}

/**
 * pg_dump scripts start with `set_config('search_path', '', false)`, which would outlive the script on
 * this connection (PGlite has only one) and hide `public` from every later unqualified query. The
 * script qualifies every name with `public.`, so the line can simply go.
 */
export function neutraliseSearchPath(script: string): string {
  return script
    .split('\n')
    .filter((line) => !/set_config\(\s*'search_path'/i.test(line) && !/^\s*SET\s+search_path\b/i.test(line))
    .join('\n');
}

function isPresent(row: unknown): boolean {
  return typeof row === 'object' && row !== null && 'present' in row && row.present === true;
}

async function scriptClientFor(handle: DatabaseHandle): Promise<ScriptClient & { release(): Promise<void> }> {
  if (handle.kind === 'postgres') {
    if (!handle.pool) throw new Error('a postgres DatabaseHandle needs its pool to load a schema');
    const client = await handle.pool.connect();
    return {
      // Without parameters node-postgres uses the simple query protocol, which accepts a whole script.
      exec: (script) => client.query(script),
      query: (sql) => client.query(sql),
      release: async () => {
        client.release();
      },
    };
  }
  // drizzle keeps the driver client on the db object; PGlite's `exec` is the multi-statement entry point.
  const client: unknown = Reflect.get(handle.db, '$client');
  if (!isScriptClient(client)) throw new Error('this PGlite DatabaseHandle does not expose its client');
  return { exec: (script) => client.exec(script), query: (sql) => client.query(sql), release: async () => {} };
}

function isScriptClient(value: unknown): value is ScriptClient {
  return (
    typeof value === 'object' &&
    value !== null &&
    'exec' in value &&
    typeof value.exec === 'function' &&
    'query' in value &&
    typeof value.query === 'function'
  );
}
