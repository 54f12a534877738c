import { and, asc, eq, gt, inArray, isNotNull, isNull, lte } from 'drizzle-orm';
import type { Database } from '../client.js';
import { maintenanceConfirmation, maintenanceWindow } from '../bot-schema/index.js';

export type MaintenanceWindowRow = typeof maintenanceWindow.$inferSelect;
export type MaintenanceConfirmationRow = typeof maintenanceConfirmation.$inferSelect;
export type WindowState = 'scheduled' | 'started' | 'finished' | 'cancelled';
export type ReminderColumn = 'noticeRemindedAt' | 'hourRemindedAt' | 'overdueRemindedAt';

/** Saves a window (scheduled ahead, or opened by a start). */
export async function insertMaintenanceWindow(
  db: Database,
  input: Omit<typeof maintenanceWindow.$inferInsert, 'id'>,
): Promise<MaintenanceWindowRow> {
  const [row] = await db.insert(maintenanceWindow).values(input).returning();
  return row!;
}

export async function findMaintenanceWindow(db: Database, id: number): Promise<MaintenanceWindowRow | null> {
  const rows = await db.select().from(maintenanceWindow).where(eq(maintenanceWindow.id, id)).limit(1);
  return rows[0] ?? null;
}

/** Windows in the given states, earliest start first. */
export async function listMaintenanceWindows(db: Database, states: readonly WindowState[]): Promise<MaintenanceWindowRow[]> {
  return db.select().from(maintenanceWindow).where(inArray(maintenanceWindow.state, [...states])).orderBy(asc(maintenanceWindow.startsAt), asc(maintenanceWindow.id));
}

/**
 * Moves a window from one state to another, only if it is still in `from`: two staff cancelling or
 * starting the same window at once cannot both succeed. Returns the updated row or null.
 */
export async function transitionMaintenanceWindow(
  db: Database,
  id: number,
  from: readonly WindowState[],
  to: WindowState,
  set: Partial<Pick<MaintenanceWindowRow, 'startedAt' | 'finishedAt' | 'atmosphereRecordId' | 'troposphereRecordId' | 'statusioMaintenanceId' | 'endsAt' | 'detail'>> = {},
): Promise<MaintenanceWindowRow | null> {
  const rows = await db
    .update(maintenanceWindow)
    .set({ state: to, ...set })
    .where(and(eq(maintenanceWindow.id, id), inArray(maintenanceWindow.state, [...from])))
    .returning();
  return rows[0] ?? null;
}

/** Records the status.io maintenance id of a window. */
export async function setWindowStatusioId(db: Database, id: number, statusioMaintenanceId: string): Promise<void> {
  await db.update(maintenanceWindow).set({ statusioMaintenanceId }).where(eq(maintenanceWindow.id, id));
}

/**
 * Claims one reminder of one window: exactly one caller (across replicas and overlapping runs) gets
 * true, by setting the column only while it is still NULL.
 */
export async function claimWindowReminder(db: Database, id: number, column: ReminderColumn, at: Date): Promise<boolean> {
  const rows = await db
    .update(maintenanceWindow)
    .set({ [column]: at })
    .where(and(eq(maintenanceWindow.id, id), isNull(maintenanceWindow[column])))
    .returning({ id: maintenanceWindow.id });
  return rows.length === 1;
}

/** Gives a reminder claim back when the post failed, so the next run tries again. */
export async function releaseWindowReminder(db: Database, id: number, column: ReminderColumn): Promise<void> {
  await db.update(maintenanceWindow).set({ [column]: null }).where(eq(maintenanceWindow.id, id));
}

/** Started windows whose planned end is at or before `now` and whose overdue reminder is not yet posted. */
export async function listOverdueWindows(db: Database, now: Date): Promise<MaintenanceWindowRow[]> {
  return db
    .select()
    .from(maintenanceWindow)
    .where(
      and(
        eq(maintenanceWindow.state, 'started'),
        isNotNull(maintenanceWindow.endsAt),
        lte(maintenanceWindow.endsAt, now),
        isNull(maintenanceWindow.overdueRemindedAt),
      ),
    )
    .orderBy(asc(maintenanceWindow.id));
}

/** Stores a start or stop waiting for its confirmation click. */
export async function insertMaintenanceConfirmation(
  db: Database,
  input: Omit<typeof maintenanceConfirmation.$inferInsert, 'id' | 'state' | 'decidedBy' | 'decidedAt' | 'outcome'>,
): Promise<MaintenanceConfirmationRow> {
  const [row] = await db.insert(maintenanceConfirmation).values({ ...input, state: 'pending' }).returning();
  return row!;
}

export async function findMaintenanceConfirmation(db: Database, id: number): Promise<MaintenanceConfirmationRow | null> {
  const rows = await db.select().from(maintenanceConfirmation).where(eq(maintenanceConfirmation.id, id)).limit(1);
  return rows[0] ?? null;
}

/**
 * Decides a pending confirmation: only the first click on an unexpired request of the right kind
 * wins. Returns the row when this caller won, null otherwise (the caller reloads it to explain why).
 */
export async function claimMaintenanceConfirmation(
  db: Database,
  input: { id: number; kind: 'start' | 'stop' | null; to: 'confirmed' | 'cancelled'; by: string; at: Date },
): Promise<MaintenanceConfirmationRow | null> {
  const rows = await db
    .update(maintenanceConfirmation)
    .set({ state: input.to, decidedBy: input.by, decidedAt: input.at })
    .where(
      and(
        eq(maintenanceConfirmation.id, input.id),
        eq(maintenanceConfirmation.state, 'pending'),
        gt(maintenanceConfirmation.expiresAt, input.at),
        ...(input.kind ? [eq(maintenanceConfirmation.kind, input.kind)] : []),
      ),
    )
    .returning();
  return rows[0] ?? null;
}

/** Records what a confirmed start or stop did on each side. */
export async function recordConfirmationOutcome(db: Database, id: number, outcome: Record<string, unknown>): Promise<void> {
  await db.update(maintenanceConfirmation).set({ outcome }).where(eq(maintenanceConfirmation.id, id));
}
