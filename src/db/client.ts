import { mkdirSync } from 'node:fs';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/**
 * The one database type every query function takes: node-postgres in production, PGlite in
 * embedded mode and tests. Only features both drivers share are used through it.
 */
export type Database = PgDatabase<PgQueryResultHKT, Record<string, never>>;

/** A transaction on a Database; it runs every query a Database runs. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** What a query function runs on: a database, or a transaction on one. */
export type Executor = Database | Transaction;

/**
 * Runs `work` in one transaction on `db`: committed when it resolves, rolled back when it throws
 * (the error comes back). On a transaction it is a savepoint inside it.
 */
export function withTransaction<T>(db: Executor, work: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.transaction(work);
}

/** Answers when the database answers a trivial query; throws what the driver threw otherwise. */
export async function pingDatabase(db: Executor): Promise<void> {
  await db.execute('select 1');
}

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** node-postgres only: the pool, for work that needs one connection (session advisory locks). */
  pool: pg.Pool | null;
  close(): Promise<void>;
}

/** Opens a real Postgres through a pool. */
export function openPostgres(connectionString: string, options: { max?: number; onError?: (error: Error) => void } = {}): DatabaseHandle {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  // An idle client that loses its connection emits 'error' on the pool; without a listener Node exits.
  // The pool replaces the client by itself; the caller only gets to log it.
  pool.on('error', (error) => options.onError?.(error));
  const db = drizzleNodePg(pool) as unknown as Database;
  return { db, kind: 'postgres', pool, close: () => pool.end() };
}

/** Opens PGlite; persisted under `dataDir` when given, in memory otherwise. */
export async function openPglite(dataDir?: string): Promise<DatabaseHandle & { client: PGlite }> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = dataDir ? new PGlite(dataDir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite(client) as unknown as Database;
  return { db, kind: 'pglite', pool: null, client, close: () => client.close() };
}
