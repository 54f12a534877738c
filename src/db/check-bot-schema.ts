import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Database } from './client.js';
import { rowsOf } from './rows-of.js';
import { MIGRATIONS_FOLDER, MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from './migrations-location.js';

/** How the database's `atmobot` schema stands against the migrations this release ships. */
export type BotSchemaState =
  | { state: 'current'; applied: number }
  /** Nothing applied yet: no migrations table at all. */
  | { state: 'absent' }
  /** Shipped migrations the database has not applied (the tags, oldest first). */
  | { state: 'behind'; pending: string[] }
  /** Applied migrations whose recorded hash is not the shipped file's: the release and the database disagree. */
  | { state: 'differs'; tags: string[] }
  /** Everything shipped is applied, and the database holds newer ones (a later release already migrated). */
  | { state: 'ahead'; applied: number; newer: number };

interface Shipped {
  tag: string;
  hash: string;
  when: number;
}

function shippedMigrations(): Shipped[] {
  const journal: unknown = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8'));
  const entries = typeof journal === 'object' && journal !== null && 'entries' in journal && Array.isArray(journal.entries) ? journal.entries : [];
  // drizzle's own reader, so the hashes are computed exactly as its migrator recorded them.
  return readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).map((migration, index) => {
    const entry: unknown = entries[index];
    const tag = typeof entry === 'object' && entry !== null && 'tag' in entry && typeof entry.tag === 'string' ? entry.tag : `#${index}`;
    return { tag, hash: migration.hash, when: migration.folderMillis };
  });
}

/**
 * Reads (never writes) which of the shipped migrations `atmobot.__drizzle_migrations` records, by
 * drizzle's own rule: a migration counts as applied when a row holds its hash and creation time;
 * drizzle applies every shipped migration newer than the newest row.
 */
export async function checkBotSchema(db: Database): Promise<BotSchemaState> {
  const present = rowsOf(await db.execute(sql`select to_regclass(${`${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`}) is not null as present`));
  if (present[0]?.['present'] !== true) return { state: 'absent' };
  const rows = rowsOf(await db.execute(sql`select hash, created_at from ${sql.identifier(MIGRATIONS_SCHEMA)}.${sql.identifier(MIGRATIONS_TABLE)}`));
  const applied = rows.map((row) => ({ hash: String(row['hash']), when: Number(row['created_at']) }));
  const shipped = shippedMigrations();
  const newestApplied = Math.max(-Infinity, ...applied.map((row) => row.when));
  const pending = shipped.filter((migration) => migration.when > newestApplied).map((migration) => migration.tag);
  if (pending.length > 0) return { state: 'behind', pending };
  const differs = shipped.filter((migration) => !applied.some((row) => row.when === migration.when && row.hash === migration.hash)).map((migration) => migration.tag);
  if (differs.length > 0) return { state: 'differs', tags: differs };
  const newer = applied.filter((row) => !shipped.some((migration) => migration.when === row.when)).length;
  return newer > 0 ? { state: 'ahead', applied: shipped.length, newer } : { state: 'current', applied: shipped.length };
}
