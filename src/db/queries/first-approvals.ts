import { eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { firstApproval } from '../bot-schema/index.js';

export type FirstApprovalRow = typeof firstApproval.$inferSelect;
export type FirstApprovalInput = Omit<typeof firstApproval.$inferInsert, 'id'>;

/**
 * Records a large grant's first approval. Of simultaneous first approvals on any replicas exactly one
 * is `recorded: true` (the unique key on the request settles it in Postgres); the others get the
 * winner's row.
 */
export async function recordFirstApproval(db: Database, input: FirstApprovalInput): Promise<{ recorded: boolean; row: FirstApprovalRow }> {
  const inserted = (await db.insert(firstApproval).values(input).onConflictDoNothing({ target: firstApproval.requestId }).returning())[0];
  if (inserted) return { recorded: true, row: inserted };
  const existing = await findFirstApproval(db, input.requestId);
  if (!existing) throw new Error(`first approval of request ${input.requestId} neither inserted nor found`);
  return { recorded: false, row: existing };
}

/** The first approval a request waits on for its second reviewer, or null. */
export async function findFirstApproval(db: Database, requestId: number): Promise<FirstApprovalRow | null> {
  const rows = await db.select().from(firstApproval).where(eq(firstApproval.requestId, requestId)).limit(1);
  return rows[0] ?? null;
}
