import { and, eq, gt, inArray, isNull, lt, lte, or, sql, type Placeholder } from 'drizzle-orm';
import type { Database } from '../client.js';
import { preparedPerDatabase } from '../prepared.js';
import { maintenanceRecord } from '../atmosphere-schema.js';
import { apiMaintenanceRecord } from '../troposphere-schema.js';

/** One maintenance record as the bot shows it, from either database. */
export interface MaintenanceRecordRow {
  id: number;
  title: string;
  message: string;
  startDate: Date;
  endDate: Date | null;
  disableLogin: boolean;
}

/** An end date as it was before `stop` changed it, so a failed two-database change can be put back. */
export interface PreviousEndDate {
  id: number;
  endDate: Date | null;
  modifiedDate?: Date;
}

const atmosphereColumns = {
  id: maintenanceRecord.id,
  title: maintenanceRecord.title,
  message: maintenanceRecord.message,
  startDate: maintenanceRecord.startDate,
  endDate: maintenanceRecord.endDate,
  disableLogin: maintenanceRecord.disableLogin,
};

const troposphereColumns = {
  id: apiMaintenanceRecord.id,
  title: apiMaintenanceRecord.title,
  message: apiMaintenanceRecord.message,
  startDate: apiMaintenanceRecord.startDate,
  endDate: apiMaintenanceRecord.endDate,
  disableLogin: apiMaintenanceRecord.disableLogin,
};

/**
 * Atmosphere's `MaintenanceRecord.active()` without a provider: `start_date <= now AND (end_date > now
 * OR end_date IS NULL) AND provider_id IS NULL`. Only these records make the API answer 503.
 */
const atmosphereActive = (now: Date | Placeholder) =>
  and(
    lte(maintenanceRecord.startDate, now),
    or(gt(maintenanceRecord.endDate, now), isNull(maintenanceRecord.endDate)),
    isNull(maintenanceRecord.providerId),
  );

/** Troposphere's `active()`: a strict `start_date < now`, and no provider concept. */
const troposphereActive = (now: Date) =>
  and(lt(apiMaintenanceRecord.startDate, now), or(gt(apiMaintenanceRecord.endDate, now), isNull(apiMaintenanceRecord.endDate)));

const activeAtmosphere = preparedPerDatabase((db) =>
  db
    .select(atmosphereColumns)
    .from(maintenanceRecord)
    .where(atmosphereActive(sql.placeholder('now')))
    .orderBy(maintenanceRecord.id)
    .prepare('atmobot_active_atmosphere_maintenance'),
);

/** Global Atmosphere maintenance records active at `now`, oldest first (every decision checks it). */
export async function listActiveAtmosphereMaintenance(db: Database, now: Date): Promise<MaintenanceRecordRow[]> {
  return activeAtmosphere(db).execute({ now });
}

/** Provider-specific Atmosphere records active at `now`: shown by `status`, never stopped by the bot. */
export async function listActiveProviderMaintenance(db: Database, now: Date): Promise<(MaintenanceRecordRow & { providerId: number })[]> {
  const rows = await db
    .select({ ...atmosphereColumns, providerId: maintenanceRecord.providerId })
    .from(maintenanceRecord)
    .where(
      and(
        lte(maintenanceRecord.startDate, now),
        or(gt(maintenanceRecord.endDate, now), isNull(maintenanceRecord.endDate)),
      ),
    )
    .orderBy(maintenanceRecord.id);
  return rows.flatMap((row) => (row.providerId === null ? [] : [{ ...row, providerId: row.providerId }]));
}

/**
 * Inserts a global Atmosphere record as `manage.py maintenance start` does: `provider_id` NULL (the
 * only kind that puts the API into maintenance) and `disable_login` true.
 */
export async function insertAtmosphereMaintenance(
  db: Database,
  input: { title: string; message: string; start: Date; end: Date | null },
): Promise<MaintenanceRecordRow> {
  const [row] = await db
    .insert(maintenanceRecord)
    .values({ title: input.title, message: input.message, startDate: input.start, endDate: input.end, disableLogin: true, providerId: null })
    .returning(atmosphereColumns);
  return row!;
}

/**
 * Ends every active global Atmosphere record at `now`, as `manage.py maintenance stop` does
 * (provider-specific records are left alone). Returns the end dates as they were.
 */
export async function endActiveAtmosphereMaintenance(db: Database, now: Date): Promise<PreviousEndDate[]> {
  const before = await db
    .select({ id: maintenanceRecord.id, endDate: maintenanceRecord.endDate })
    .from(maintenanceRecord)
    .where(atmosphereActive(now))
    .for('update');
  if (before.length === 0) return [];
  await db
    .update(maintenanceRecord)
    .set({ endDate: now })
    .where(inArray(maintenanceRecord.id, before.map((row) => row.id)));
  return before;
}

/** Troposphere maintenance records active at `now` (its own `active()`), oldest first. */
export async function listActiveTroposphereMaintenance(db: Database, now: Date): Promise<MaintenanceRecordRow[]> {
  return db.select(troposphereColumns).from(apiMaintenanceRecord).where(troposphereActive(now)).orderBy(apiMaintenanceRecord.id);
}

/**
 * Inserts a Troposphere record as its `manage.py maintenance start` does. Django fills
 * `created_date` and `modified_date` in the application, not the database, so they are set here.
 */
export async function insertTroposphereMaintenance(
  db: Database,
  input: { title: string; message: string; start: Date; end: Date | null; now: Date },
): Promise<MaintenanceRecordRow> {
  const [row] = await db
    .insert(apiMaintenanceRecord)
    .values({
      title: input.title,
      message: input.message,
      startDate: input.start,
      endDate: input.end,
      disableLogin: true,
      createdDate: input.now,
      modifiedDate: input.now,
    })
    .returning(troposphereColumns);
  return row!;
}

/** Ends every active Troposphere record at `now`, touching `modified_date`. Returns the values as they were. */
export async function endActiveTroposphereMaintenance(db: Database, now: Date): Promise<PreviousEndDate[]> {
  const before = await db
    .select({ id: apiMaintenanceRecord.id, endDate: apiMaintenanceRecord.endDate, modifiedDate: apiMaintenanceRecord.modifiedDate })
    .from(apiMaintenanceRecord)
    .where(troposphereActive(now))
    .for('update');
  if (before.length === 0) return [];
  await db
    .update(apiMaintenanceRecord)
    .set({ endDate: now, modifiedDate: now })
    .where(inArray(apiMaintenanceRecord.id, before.map((row) => row.id)));
  return before;
}

/** Puts Troposphere end dates (and modified dates) back after a failed two-database stop. */
export async function restoreTroposphereEndDates(db: Database, rows: readonly PreviousEndDate[]): Promise<void> {
  for (const row of rows) {
    await db
      .update(apiMaintenanceRecord)
      .set({ endDate: row.endDate, ...(row.modifiedDate ? { modifiedDate: row.modifiedDate } : {}) })
      .where(eq(apiMaintenanceRecord.id, row.id));
  }
}

/** Removes a Troposphere record the bot inserted, after a failed two-database start. */
export async function deleteTroposphereMaintenance(db: Database, id: number): Promise<void> {
  await db.delete(apiMaintenanceRecord).where(eq(apiMaintenanceRecord.id, id));
}

/** Any fixed number works; it only has to be the same for every replica of the bot. */
const MAINTENANCE_LOCK_ID = 0x6d61696e; // "main"

/**
 * Serialises maintenance changes across replicas for the rest of the transaction `tx`: two
 * confirmations clicked at the same instant must not both find "nothing active" and both insert.
 */
export async function lockMaintenanceChanges(tx: Database): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${MAINTENANCE_LOCK_ID})`);
}
