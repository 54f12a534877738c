import { withTransaction, type Database, type Executor } from '../../db/client.js';
import {
  deleteTroposphereMaintenance,
  endActiveAtmosphereMaintenance,
  endActiveTroposphereMaintenance,
  insertAtmosphereMaintenance,
  insertTroposphereMaintenance,
  listActiveAtmosphereMaintenance,
  listActiveTroposphereMaintenance,
  restoreTroposphereEndDates,
  lockMaintenanceChanges,
} from '../../db/queries/maintenance.js';

/**
 * Starts and stops maintenance in Atmosphere and Troposphere together, as the deploy guide does by
 * running `manage.py maintenance` in both containers.
 *
 * The Troposphere transaction runs, and commits, inside the Atmosphere one. So a Troposphere failure
 * rolls Atmosphere back with it, and the only moment one side can be left changed alone is a failed
 * Atmosphere commit after Troposphere committed: then Troposphere is put back by hand, and if even
 * that fails, the outcome says exactly which side is in which state.
 *
 * Each side is idempotent: start skips a side already in maintenance, stop a side already out of it.
 * Running the same start or stop again therefore repairs a half-done one.
 */

export type SideOutcome =
  /** Start inserted `ids`; stop end-dated `ids`. */
  | { state: 'changed'; ids: number[] }
  /** Nothing to do: start found `ids` already active; stop found none. */
  | { state: 'unchanged'; ids: number[] }
  | { state: 'not-configured' }
  /** This side failed and is as it was before. */
  | { state: 'failed'; error: string }
  /** This side worked but was rolled back or put back because the other side failed. */
  | { state: 'put-back'; ids: number[] }
  /** This side changed, the other failed, and putting this one back failed too. */
  | { state: 'stuck'; ids: number[]; error: string };

export interface MaintenanceOutcome {
  kind: 'start' | 'stop';
  atmosphere: SideOutcome;
  troposphere: SideOutcome;
  /** True when every configured side ended in the asked state. */
  ok: boolean;
}

export interface MaintenanceDatabases {
  atmosphere: Database;
  /** null when TROPOSPHERE_DATABASE_URL is not configured. */
  troposphere: Database | null;
}

/** A side's planned change, run inside that side's transaction; `undo` runs after its commit if needed. */
interface SidePlan<T> {
  apply(tx: Executor): Promise<{ outcome: SideOutcome; undoData: T | null }>;
  undo(db: Database, data: T): Promise<void>;
}

class TroposphereFailed extends Error {}

/** Starts maintenance on both sides: a global Atmosphere record and a Troposphere record. */
export function startMaintenanceOnBothSides(
  dbs: MaintenanceDatabases,
  input: { title: string; message: string; until: Date | null; now: Date },
): Promise<MaintenanceOutcome> {
  const record = { title: input.title, message: input.message, start: input.now, end: input.until };
  return runOnBothSides(
    'start',
    dbs,
    {
      async apply(tx) {
        const active = await listActiveAtmosphereMaintenance(tx, input.now);
        if (active.length > 0) return { outcome: { state: 'unchanged', ids: active.map((r) => r.id) }, undoData: null };
        const row = await insertAtmosphereMaintenance(tx, record);
        return { outcome: { state: 'changed', ids: [row.id] }, undoData: null };
      },
      undo: async () => {},
    },
    {
      async apply(tx) {
        // Troposphere's active() needs start_date < now; a record started this instant counts as on.
        const active = await listActiveTroposphereMaintenance(tx, new Date(input.now.getTime() + 1));
        if (active.length > 0) return { outcome: { state: 'unchanged', ids: active.map((r) => r.id) }, undoData: null };
        const row = await insertTroposphereMaintenance(tx, { ...record, now: input.now });
        return { outcome: { state: 'changed', ids: [row.id] }, undoData: row.id };
      },
      undo: (db, id: number) => deleteTroposphereMaintenance(db, id),
    },
  );
}

/** Ends maintenance on both sides: every active global Atmosphere record and every active Troposphere one. */
export function stopMaintenanceOnBothSides(dbs: MaintenanceDatabases, input: { now: Date }): Promise<MaintenanceOutcome> {
  type Previous = Awaited<ReturnType<typeof endActiveTroposphereMaintenance>>;
  return runOnBothSides(
    'stop',
    dbs,
    {
      async apply(tx) {
        const previous = await endActiveAtmosphereMaintenance(tx, input.now);
        return { outcome: previous.length > 0 ? { state: 'changed', ids: previous.map((r) => r.id) } : { state: 'unchanged', ids: [] }, undoData: null };
      },
      undo: async () => {},
    },
    {
      async apply(tx) {
        const previous = await endActiveTroposphereMaintenance(tx, input.now);
        return {
          outcome: previous.length > 0 ? { state: 'changed', ids: previous.map((r) => r.id) } : { state: 'unchanged', ids: [] },
          undoData: previous.length > 0 ? previous : null,
        };
      },
      undo: (db, previous: Previous) => restoreTroposphereEndDates(db, previous),
    },
  );
}

async function runOnBothSides<A, T>(
  kind: 'start' | 'stop',
  dbs: MaintenanceDatabases,
  atmospherePlan: SidePlan<A>,
  tropospherePlan: SidePlan<T>,
): Promise<MaintenanceOutcome> {
  // Fields of one object rather than `let`s: they are set inside the transaction callbacks, which
  // TypeScript's narrowing of a local does not follow.
  const sides: { atmosphere: SideOutcome | null; troposphere: SideOutcome } = {
    atmosphere: null,
    troposphere: dbs.troposphere ? { state: 'failed', error: 'not attempted' } : { state: 'not-configured' },
  };
  let tropoUndo: T | null = null;
  const tropoDb = dbs.troposphere;
  try {
    await withTransaction(dbs.atmosphere, async (atx) => {
      await lockMaintenanceChanges(atx);
      const done = await atmospherePlan.apply(atx);
      sides.atmosphere = done.outcome;
      if (!tropoDb) return;
      try {
        await withTransaction(tropoDb, async (ttx) => {
          const tropoDone = await tropospherePlan.apply(ttx);
          sides.troposphere = tropoDone.outcome;
          tropoUndo = tropoDone.undoData;
        });
      } catch (error) {
        sides.troposphere = { state: 'failed', error: describeDatabaseError(error) };
        throw new TroposphereFailed('troposphere failed', { cause: error });
      }
    });
  } catch (error) {
    if (error instanceof TroposphereFailed) {
      // The Atmosphere transaction rolled back with it.
      const before = sides.atmosphere;
      const atmosphere: SideOutcome = before && before.state === 'changed' ? { state: 'put-back', ids: before.ids } : (before ?? { state: 'failed', error: 'not attempted' });
      return finish(kind, atmosphere, sides.troposphere);
    }
    const atmosphereError = describeDatabaseError(error);
    sides.atmosphere = { state: 'failed', error: atmosphereError };
    const tropoOutcome = sides.troposphere;
    if (tropoDb && tropoOutcome.state === 'changed') {
      if (tropoUndo === null) {
        sides.troposphere = { state: 'stuck', ids: tropoOutcome.ids, error: 'nothing recorded to put back' };
      } else {
        try {
          await tropospherePlan.undo(tropoDb, tropoUndo);
          sides.troposphere = { state: 'put-back', ids: tropoOutcome.ids };
        } catch (undoError) {
          sides.troposphere = { state: 'stuck', ids: tropoOutcome.ids, error: describeDatabaseError(undoError) };
        }
      }
    } else if (tropoDb && tropoOutcome.state === 'failed' && tropoOutcome.error === 'not attempted') {
      sides.troposphere = { state: 'failed', error: 'not attempted, because Atmosphere failed first' };
    }
  }
  return finish(kind, sides.atmosphere ?? { state: 'failed', error: 'not attempted' }, sides.troposphere);
}

function finish(kind: 'start' | 'stop', atmosphere: SideOutcome, troposphere: SideOutcome): MaintenanceOutcome {
  const good = (side: SideOutcome) => side.state === 'changed' || side.state === 'unchanged' || side.state === 'not-configured';
  return { kind, atmosphere, troposphere, ok: good(atmosphere) && good(troposphere) };
}

/** The database's own words (drizzle wraps them in "Failed query: …" with the SQL), kept short. */
export function describeDatabaseError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}
