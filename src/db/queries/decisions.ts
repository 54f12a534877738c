import { and, eq } from 'drizzle-orm';
import { UserError } from '../../errors.js';
import type { Database } from '../client.js';
import { decision } from '../bot-schema/index.js';

export type DecisionRow = typeof decision.$inferSelect;
export type DecisionSubject = 'resource_request' | 'machine_request' | 'instance';

/**
 * How long an unfinished claim holds. A claim is `in_progress` only while one API call runs (at most
 * the gateway's 15 s timeout); one older than this belongs to a process that died mid-call, and
 * would otherwise block the request forever. Whoever takes it over re-reads Atmosphere's status
 * first, so a call that did succeed before the crash is not made twice.
 */
export const DECISION_CLAIM_LEASE_MS = 5 * 60_000;

/** True for a claim left behind by a process that died during its API call. */
export function isAbandonedClaim(row: DecisionRow, now: Date): boolean {
  return row.state === 'in_progress' && now.getTime() - row.decidedAt.getTime() > DECISION_CLAIM_LEASE_MS;
}

/**
 * Claims the decision on a record for this round. Exactly one caller gets `claimed: true`, however
 * many click at once and on however many replicas: the unique key settles it inside Postgres.
 * Everyone else gets the winning row.
 */
export async function claimDecision(
  db: Database,
  claim: Omit<typeof decision.$inferInsert, 'id' | 'state' | 'completedAt'>,
): Promise<{ claimed: true; row: DecisionRow } | { claimed: false; row: DecisionRow }> {
  const insert = async () =>
    (
      await db
        .insert(decision)
        .values({ ...claim, state: 'in_progress' })
        .onConflictDoNothing({ target: [decision.subject, decision.recordId, decision.round] })
        .returning()
    )[0];
  const find = () => findDecision(db, claim.subject as DecisionSubject, claim.recordId, claim.round ?? 0);

  let inserted = await insert();
  if (inserted) return { claimed: true, row: inserted };
  let existing = await find();
  if (existing && isAbandonedClaim(existing, claim.decidedAt)) {
    // Take over an abandoned claim. The delete names that exact row, so of several callers at most one
    // removes it, and the unique key still lets only one of them insert again.
    await db
      .delete(decision)
      .where(and(eq(decision.id, existing.id), eq(decision.state, 'in_progress'), eq(decision.decidedAt, existing.decidedAt)));
    inserted = await insert();
    if (inserted) return { claimed: true, row: inserted };
    existing = await find();
  }
  if (existing) return { claimed: false, row: existing };
  // The winner gave its claim back between our insert and our read (its API call failed).
  throw new UserError('conflict', 'Someone else was deciding this at the same moment and their attempt failed; nothing was changed. Try again.');
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
