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

/**
 * How the bot waits on the database: `wait` is a statement (or a connection) already sent; the hook
 * returns what it returns. The bot's work queue gives the event's slot up meanwhile.
 */
export type DatabaseWait = <T>(wait: () => Promise<T>) => Promise<T>;

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** node-postgres only: the pool, for work that needs one connection (session advisory locks). */
  pool: pg.Pool | null;
  /**
   * From now on every statement and every wait for a connection goes through `hook`. PGlite ignores
   * it: it runs the statement on this thread, so its time is the event's own work.
   */
  waitThrough(hook: DatabaseWait): void;
  close(): Promise<void>;
}

export interface PostgresOptions {
  max?: number;
  /** How long opening a connection may take before the query fails (DATABASE_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  /** How long one statement may run (DATABASE_STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs?: number;
  onError?: (error: Error) => void;
}

/** Defaults for callers that pass none (tests, tools); production passes the configured values. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;

/**
 * Opens a real Postgres through a pool, with timeouts on both ends: the server cancels a statement
 * that runs past `statementTimeoutMs` (`statement_timeout`), and the client gives up on one whose
 * answer does not arrive in that time (`query_timeout`), which is what ends a query on a hung
 * network path, where the server's cancel never reaches us. pg-pool destroys a client whose query
 * failed that way, so a half-read connection is never reused. Opening a connection gives up after
 * `connectTimeoutMs`; TCP keep-alive notices a silently dead peer on idle connections.
 */
export function openPostgres(connectionString: string, options: PostgresOptions = {}): DatabaseHandle {
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs,
    keepAlive: true,
  });
  // A client that loses its connection emits 'error'; without a listener Node exits. The pool
  // listens on idle clients and re-emits here (so do the checked-out clients the bot holds, see
  // withImagingSlotLock); the pool replaces the client by itself, the caller only gets to log it.
  pool.on('error', (error) => options.onError?.(error));
  let hook: DatabaseWait | null = null;
  waitThroughHook(pool, () => hook);
  const db = drizzleNodePg(pool) as unknown as Database;
  return { db, kind: 'postgres', pool, waitThrough: (given) => void (hook = given), close: () => pool.end() };
}

/** What node-postgres returns from a call made without a callback. */
function isPromise(value: unknown): value is Promise<unknown> {
  return value instanceof Promise;
}

/**
 * Routes the pool's promise-returning calls through the current hook: `pool.query` (drizzle's
 * statements outside transactions), `pool.connect` (a transaction or a session lock waiting for a
 * connection) and, on every connection the pool opens, `client.query` (the statements of a
 * transaction). Calls with a callback are pg-pool's own plumbing inside `pool.query` and stay as
 * they are. Waiting for a connection must be through the hook as well: an event that held its slot
 * while the pool was exhausted by events waiting for a slot would never get either.
 */
function waitThroughHook(pool: pg.Pool, current: () => DatabaseWait | null): void {
  const through = <F extends (...args: never[]) => unknown>(call: F): F =>
    // The wrapper has the call's own signature; TypeScript cannot check that of an overloaded method.
    ((...args: Parameters<F>) => {
      const result = call(...args);
      const hook = current();
      return hook && isPromise(result) ? hook(() => result) : result;
    }) as F;
  pool.query = through(pool.query.bind(pool));
  pool.connect = through(pool.connect.bind(pool));
  pool.on('connect', (client) => {
    client.query = through(client.query.bind(client));
  });
}

/** Opens PGlite; persisted under `dataDir` when given, in memory otherwise. */
export async function openPglite(dataDir?: string): Promise<DatabaseHandle & { client: PGlite }> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = dataDir ? new PGlite(dataDir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite(client) as unknown as Database;
  return { db, kind: 'pglite', pool: null, client, waitThrough: () => {}, close: () => client.close() };
}
