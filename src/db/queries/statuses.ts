import { AsyncResource } from 'node:async_hooks';
import { asc } from 'drizzle-orm';
import type { Database } from '../client.js';
import { statusType } from '../atmosphere-schema.js';

/**
 * `status_type` as the bot's queries need it: every id under each name. Names are not unique and ids
 * differ between databases (rows are created lazily by Django's `get_or_create`), so queries filter on
 * the ids of a name rather than joining the table to compare names: the planner estimates
 * `status_id = ANY(<ids>)` from the column statistics, where a join on `status_type.name` made it
 * expect a quarter of a million-row table and scan it.
 */
export interface StatusCatalog {
  /** Every id carrying one of `names`; empty when none exists yet. */
  idsOf(names: readonly string[]): number[];
  /** Every id whose name is not one of `names`. */
  idsExcept(names: readonly string[]): number[];
  /** Every name with its ids, lowest first. */
  byName: ReadonlyMap<string, readonly number[]>;
}

/**
 * The rows never change while the bot runs (Atmosphere only adds a status the first time a request
 * enters it, years before), so one read serves every event. The catalogue is read again after this
 * long anyway, so a status added by a new Atmosphere release shows up without a restart.
 */
export const STATUS_CATALOG_TTL_MS = 10 * 60_000;
/** A name asked for but absent makes the next call re-read, at most this often (it may be created any time). */
export const STATUS_MISS_RELOAD_MS = 60_000;

interface Loaded {
  byName: Map<string, number[]>;
  loadedAt: number;
}

/** One cache per database handle, so tests on many databases never see each other's ids. */
const cache = new WeakMap<Database, Promise<Loaded>>();

/**
 * The read runs in this scope, created outside any event, so it is no event's own database wait. Run
 * as the first asker's wait, the shared promise would settle only once that event had its work slot
 * back, while the others awaiting it hold theirs: with every slot so held, nothing moves again.
 */
const shared = new AsyncResource('atmobot.status-catalog');

async function load(db: Database): Promise<Loaded> {
  const rows = await db.select({ id: statusType.id, name: statusType.name }).from(statusType).orderBy(asc(statusType.id));
  const byName = new Map<string, number[]>();
  for (const row of rows) byName.set(row.name, [...(byName.get(row.name) ?? []), row.id]);
  return { byName, loadedAt: Date.now() };
}

function catalogOf(loaded: Loaded): StatusCatalog {
  return {
    idsOf: (names) => names.flatMap((name) => loaded.byName.get(name) ?? []),
    idsExcept: (names) => [...loaded.byName].filter(([name]) => !names.includes(name)).flatMap(([, ids]) => ids),
    byName: loaded.byName,
  };
}

/**
 * The status catalogue of `db`, read once and then served from memory. `expect` names statuses the
 * caller is about to filter on: when one is missing from a catalogue older than a minute, it is read
 * again first.
 */
export async function statusCatalog(db: Database, expect: readonly string[] = []): Promise<StatusCatalog> {
  let pending = cache.get(db);
  if (pending) {
    const loaded = await pending;
    const age = Date.now() - loaded.loadedAt;
    const missing = expect.some((name) => !loaded.byName.has(name));
    if (age < STATUS_CATALOG_TTL_MS && !(missing && age >= STATUS_MISS_RELOAD_MS)) return catalogOf(loaded);
    pending = undefined;
  }
  pending = shared.runInAsyncScope(() => load(db));
  cache.set(db, pending);
  // A failed read must not stay cached: the next call tries again.
  pending.catch(() => cache.delete(db));
  return catalogOf(await pending);
}

/** Drops the cached catalogue of `db`, for a writer that has just added a `status_type` row itself. */
export function forgetStatusCatalog(db: Database): void {
  cache.delete(db);
}

/** The ids of the named statuses (every duplicate row included), from the cached catalogue. */
export async function statusIdsOf(db: Database, names: readonly string[]): Promise<number[]> {
  return (await statusCatalog(db, names)).idsOf(names);
}

/**
 * The id of a `status_type` by name: the lowest when there are several, as Django's lookup would
 * prefer the first row.
 */
export async function findStatusTypeId(db: Database, name: string): Promise<number | null> {
  return (await statusIdsOf(db, [name]))[0] ?? null;
}

/** Like `findStatusTypeId`, but a missing status is an error: the caller cannot go on without it. */
export async function requireStatusTypeId(db: Database, name: string): Promise<number> {
  const id = await findStatusTypeId(db, name);
  if (id === null) throw new Error(`status_type "${name}" does not exist in this Atmosphere database`);
  return id;
}
