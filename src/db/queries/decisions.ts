import { and, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { decision } from '../bot-schema/index.js';

export type DecisionRow = typeof decision.$inferSelect;
export type DecisionSubject = 'resource_request' | 'machine_request';

/**
 * Claims the decision on a record for this round. Exactly one caller gets `claimed: true`, however
 * many click at once and on however many replicas: the unique key settles it inside Postgres.
 * Everyone else gets the winning row.
 */
export async function claimDecision(
  db: Database,
  claim: Omit<typeof decision.$inferInsert, 'id' | 'state' | 'completedAt'>,
): Promise<{ claimed: true; row: DecisionRow } | { claimed: false; row: DecisionRow }> {
  const inserted = await db
    .insert(decision)
    .values({ ...claim, state: 'in_progress' })
    .onConflictDoNothing({ target: [decision.subject, decision.recordId, decision.round] })
    .returning();
  if (inserted[0]) return { claimed: true, row: inserted[0] };
  const existing = await findDecision(db, claim.subject as DecisionSubject, claim.recordId, claim.round ?? 0);
  if (!existing) {
    // The winner failed and released its claim between our insert and this read; let the caller retry.
    throw new Error(`decision claim for ${claim.subject} ${claim.recordId} vanished; try again`);
  }
  return { claimed: false, row: existing };
}

export async function findDecision(db: Database, subject: DecisionSubject, recordId: number, round = 0): Promise<DecisionRow | null> {
  const rows = await db
    .select()
    .from(decision)
    .where(and(eq(decision.subject, subject), eq(decision.recordId, recordId), eq(decision.round, round)))
    .limit(1);
  return rows[0] ?? null;
}

/** Marks a claimed decision as carried out. */
export async function completeDecision(db: Database, id: number, at: Date, detail?: Record<string, unknown>): Promise<void> {
  await db
    .update(decision)
    .set({ state: 'done', completedAt: at, ...(detail ? { detail } : {}) })
    .where(eq(decision.id, id));
}

/** Gives a claim back after the API call failed, so the request can be decided again. */
export async function releaseDecision(db: Database, id: number): Promise<void> {
  await db.delete(decision).where(and(eq(decision.id, id), eq(decision.state, 'in_progress')));
}
