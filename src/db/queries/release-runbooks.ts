import { and, asc, eq, gte, inArray, isNotNull, isNull, lt, lte, or } from 'drizzle-orm';
import type { Database } from '../client.js';
import { releaseRunbook, releaseRunbookItem } from '../bot-schema/index.js';

export type RunbookRow = typeof releaseRunbook.$inferSelect;
export type RunbookItemRow = typeof releaseRunbookItem.$inferSelect;
export type NewRunbookItem = Omit<typeof releaseRunbookItem.$inferInsert, 'id' | 'runbookId'>;

/**
 * Creates a runbook and its items in one transaction. `null` when the tag already has one (the unique
 * tag settles simultaneous `release plan` commands, on any replica).
 */
export async function createRunbook(
  db: Database,
  runbook: Omit<typeof releaseRunbook.$inferInsert, 'id' | 'platform' | 'channel' | 'messageId'>,
  items: readonly NewRunbookItem[],
): Promise<{ runbook: RunbookRow; items: RunbookItemRow[] } | null> {
  return db.transaction(async (tx) => {
    const [created] = await tx.insert(releaseRunbook).values(runbook).onConflictDoNothing({ target: releaseRunbook.tag }).returning();
    if (!created) return null;
    const rows = await tx
      .insert(releaseRunbookItem)
      .values(items.map((item) => ({ ...item, runbookId: created.id })))
      .returning();
    return { runbook: created, items: rows.sort((a, b) => a.position - b.position) };
  });
}

export async function findRunbookByTag(db: Database, tag: string): Promise<RunbookRow | null> {
  const [row] = await db.select().from(releaseRunbook).where(eq(releaseRunbook.tag, tag)).limit(1);
  return row ?? null;
}

/** The release runbooks (not hotfixes) deploying on any of `days` (`YYYY-MM-DD`), oldest first. */
export async function listRunbooksDeployingOn(db: Database, days: readonly string[]): Promise<RunbookRow[]> {
  if (days.length === 0) return [];
  return db
    .select()
    .from(releaseRunbook)
    .where(and(inArray(releaseRunbook.deploymentDay, [...days]), eq(releaseRunbook.kind, 'release')))
    .orderBy(asc(releaseRunbook.id));
}

export async function getRunbook(db: Database, id: number): Promise<RunbookRow | null> {
  const [row] = await db.select().from(releaseRunbook).where(eq(releaseRunbook.id, id)).limit(1);
  return row ?? null;
}

export async function listRunbookItems(db: Database, runbookId: number): Promise<RunbookItemRow[]> {
  return db.select().from(releaseRunbookItem).where(eq(releaseRunbookItem.runbookId, runbookId)).orderBy(asc(releaseRunbookItem.position));
}

export async function getRunbookItem(db: Database, id: number): Promise<RunbookItemRow | null> {
  const [row] = await db.select().from(releaseRunbookItem).where(eq(releaseRunbookItem.id, id)).limit(1);
  return row ?? null;
}

/** Where the release message went, so Done clicks and ticks can redraw it. */
export async function setRunbookMessage(db: Database, id: number, message: { platform: string; channel: string; messageId: string }): Promise<void> {
  await db.update(releaseRunbook).set(message).where(eq(releaseRunbook.id, id));
}

/**
 * Marks an item done unless it already is. Exactly one of simultaneous callers gets the row back;
 * the others get `null` and re-read who was first.
 */
export async function markRunbookItemDone(
  db: Database,
  itemId: number,
  done: { by: string; at: Date; via: string },
): Promise<RunbookItemRow | null> {
  const [row] = await db
    .update(releaseRunbookItem)
    .set({ doneBy: done.by, doneAt: done.at, doneVia: done.via })
    .where(and(eq(releaseRunbookItem.id, itemId), isNull(releaseRunbookItem.doneAt)))
    .returning();
  return row ?? null;
}

/** Runbooks with a release message whose deployment day is `sinceDay` or later, oldest first. */
export async function listPostedRunbooksSince(db: Database, sinceDay: string): Promise<RunbookRow[]> {
  return db
    .select()
    .from(releaseRunbook)
    .where(and(isNotNull(releaseRunbook.messageId), gte(releaseRunbook.deploymentDay, sinceDay)))
    .orderBy(asc(releaseRunbook.id));
}

/**
 * Claims today's reminder of every open step of a runbook that is due on `through` (today unless
 * given) or earlier and was not reminded of today yet. One statement, so of two replicas or two
 * overlapping runs only one gets a given step back; the others get nothing and post nothing.
 */
export async function claimDueRunbookItems(db: Database, runbookId: number, today: string, through: string = today): Promise<RunbookItemRow[]> {
  const rows = await db
    .update(releaseRunbookItem)
    .set({ remindedOn: today })
    .where(
      and(
        eq(releaseRunbookItem.runbookId, runbookId),
        isNull(releaseRunbookItem.doneAt),
        lte(releaseRunbookItem.dueOn, through),
        or(isNull(releaseRunbookItem.remindedOn), lt(releaseRunbookItem.remindedOn, today)),
      ),
    )
    .returning();
  return rows.sort((a, b) => a.position - b.position);
}

/** Gives claimed reminders back after the post failed, so the next run tries again. */
export async function releaseRunbookReminders(db: Database, itemIds: readonly number[]): Promise<void> {
  if (itemIds.length === 0) return;
  await db.update(releaseRunbookItem).set({ remindedOn: null }).where(inArray(releaseRunbookItem.id, [...itemIds]));
}
