import { and, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { releasePlan } from '../bot-schema/index.js';
import type { PlannedRepoRelease, RepoReleaseOutcome } from '../bot-schema/release-plan.js';

export type ReleasePlanRow = typeof releasePlan.$inferSelect;
export type { PlannedRepoRelease, RepoReleaseOutcome };

/** Stores a tagging plan waiting for its confirmation click and returns it with its id. */
export async function createReleasePlan(
  db: Database,
  plan: { tag: string; repos: PlannedRepoRelease[]; createdBy: string; platform: string; chatUserId: string; createdAt: Date },
): Promise<ReleasePlanRow> {
  const rows = await db
    .insert(releasePlan)
    .values({ ...plan, state: 'pending' })
    .returning();
  return rows[0]!;
}

export async function getReleasePlan(db: Database, id: number): Promise<ReleasePlanRow | null> {
  const rows = await db.select().from(releasePlan).where(eq(releasePlan.id, id)).limit(1);
  return rows[0] ?? null;
}

/**
 * Moves a pending plan to `running` for this confirmer. Exactly one of any number of simultaneous
 * clicks gets `claimed: true`: the state check and the write are one statement. Everyone else gets
 * the plan as it now stands (or null when it does not exist).
 */
export async function claimReleasePlan(
  db: Database,
  id: number,
  by: string,
  at: Date,
): Promise<{ claimed: true; row: ReleasePlanRow } | { claimed: false; row: ReleasePlanRow | null }> {
  const updated = await db
    .update(releasePlan)
    .set({ state: 'running', confirmedBy: by, confirmedAt: at })
    .where(and(eq(releasePlan.id, id), eq(releasePlan.state, 'pending')))
    .returning();
  if (updated[0]) return { claimed: true, row: updated[0] };
  return { claimed: false, row: await getReleasePlan(db, id) };
}

/** Records how each repository fared once a claimed plan ran. */
export async function finishReleasePlan(db: Database, id: number, at: Date, outcomes: RepoReleaseOutcome[]): Promise<void> {
  await db.update(releasePlan).set({ state: 'done', finishedAt: at, outcomes }).where(eq(releasePlan.id, id));
}

/** Cancels a plan still waiting for confirmation; false when it was already confirmed or cancelled. */
export async function cancelReleasePlan(db: Database, id: number, by: string, at: Date): Promise<boolean> {
  const updated = await db
    .update(releasePlan)
    .set({ state: 'cancelled', confirmedBy: by, finishedAt: at })
    .where(and(eq(releasePlan.id, id), eq(releasePlan.state, 'pending')))
    .returning({ id: releasePlan.id });
  return updated.length > 0;
}
