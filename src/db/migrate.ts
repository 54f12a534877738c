import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { DatabaseHandle } from './client.js';
import { MIGRATIONS_FOLDER, MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from './migrations-location.js';

/** Any fixed number works; it only has to be the same for every replica of the bot. */
const MIGRATION_LOCK_ID = 0x61746d6f; // "atmo"

/**
 * Applies the bot's own migrations (schema `atmobot` only; never Atmosphere's tables). Needs an owner
 * role: CREATE on the database (drizzle runs `CREATE SCHEMA IF NOT EXISTS` every time) and ownership
 * of `atmobot`. In production `npm run db:migrate` calls it once per release; embedded mode and the
 * tests call it at start. Runs that start together serialise on a session advisory lock held on one
 * pooled connection, so only the first one migrates and the rest find nothing to do.
 */
export async function migrateBotSchema(handle: DatabaseHandle): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER, migrationsSchema: MIGRATIONS_SCHEMA, migrationsTable: MIGRATIONS_TABLE };
  if (handle.kind === 'pglite') {
    // PGlite is one connection in one process: nothing to race with.
    await migratePglite(handle.db as unknown as PgliteDatabase, config);
    return;
  }
  const client = await handle.pool!.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await migrateNodePg(drizzleNodePg(client), config);
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => {});
    client.release();
  }
}
