import { and, eq, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import type { MessageRef } from '../../model/channel-ref.js';
import { alertThread } from '../bot-schema/index.js';

export type AlertThreadRow = typeof alertThread.$inferSelect;

/** What a thread reports about its request; recorded after each post. */
export interface ThreadSnapshot {
  state: 'open' | 'resolved';
  status: string;
  oldStatus: string | null;
  category: string;
  fingerprint: string;
  lastEventId: number;
}

/**
 * The threads a scan must look at: those of the given records, plus every thread still open, still
 * without a parent message (a claim whose post may have been lost), or whose parent message does not
 * show the latest state yet. All of these sets stay small however large Atmosphere's tables grow.
 */
export async function listThreadsToScan(db: Database, subject: string, recordIds: readonly number[]): Promise<AlertThreadRow[]> {
  const interesting = or(
    eq(alertThread.state, 'open'),
    isNull(alertThread.parentRef),
    sql`${alertThread.parentFingerprint} is distinct from ${alertThread.fingerprint}`,
    ...(recordIds.length > 0 ? [inArray(alertThread.recordId, [...recordIds])] : []),
  );
  return db.select().from(alertThread).where(and(eq(alertThread.subject, subject), interesting));
}

/**
 * Claims the one thread of a record before its parent is posted: INSERT ... ON CONFLICT DO NOTHING on
 * (subject, record_id). Returns the new row, or null when a thread (or a claim) already exists.
 */
export async function claimAlertThread(
  db: Database,
  claim: ThreadSnapshot & { subject: string; recordId: number; channel: string; token: string; now: Date },
): Promise<AlertThreadRow | null> {
  const { token, now, ...snapshot } = claim;
  const rows = await db
    .insert(alertThread)
    .values({ ...snapshot, claimToken: token, claimedAt: now, openedAt: now, updatedAt: now })
    .onConflictDoNothing({ target: [alertThread.subject, alertThread.recordId] })
    .returning();
  return rows[0] ?? null;
}

/**
 * Takes over a claim whose parent was never recorded (its runner crashed or its post failed) once the
 * claim is older than `staleBefore`. Exactly one caller wins; null for everyone else.
 */
export async function reclaimUnpostedThread(db: Database, id: number, token: string, now: Date, staleBefore: Date): Promise<AlertThreadRow | null> {
  const rows = await db
    .update(alertThread)
    .set({ claimToken: token, claimedAt: now })
    .where(and(eq(alertThread.id, id), isNull(alertThread.parentRef), or(isNull(alertThread.claimedAt), lt(alertThread.claimedAt, staleBefore))))
    .returning();
  return rows[0] ?? null;
}

/** Records the posted parent message under the claim that posted it; false if the claim was lost. */
export async function recordThreadParent(
  db: Database,
  id: number,
  token: string,
  parentRef: MessageRef,
  snapshot: ThreadSnapshot,
  now: Date,
): Promise<boolean> {
  const rows = await db
    .update(alertThread)
    .set({ ...snapshot, parentRef, parentFingerprint: snapshot.fingerprint, claimToken: null, claimedAt: null, updatedAt: now })
    .where(and(eq(alertThread.id, id), eq(alertThread.claimToken, token)))
    .returning({ id: alertThread.id });
  return rows.length === 1;
}

/**
 * Claims the next update of a thread: succeeds only while the thread still reports `expected` (the
 * fingerprint and event the caller read) and no other runner holds a live claim. So two runners that
 * saw the same change cannot both post it, and a retry after the update was recorded finds nothing.
 */
export async function claimThreadUpdate(
  db: Database,
  id: number,
  expected: { fingerprint: string; lastEventId: number },
  token: string,
  now: Date,
  staleBefore: Date,
): Promise<boolean> {
  const rows = await db
    .update(alertThread)
    .set({ claimToken: token, claimedAt: now })
    .where(
      and(
        eq(alertThread.id, id),
        isNotNull(alertThread.parentRef),
        eq(alertThread.fingerprint, expected.fingerprint),
        eq(alertThread.lastEventId, expected.lastEventId),
        or(isNull(alertThread.claimToken), lt(alertThread.claimedAt, staleBefore)),
      ),
    )
    .returning({ id: alertThread.id });
  return rows.length === 1;
}

/** Records a posted update under its claim and releases the claim. */
export async function recordThreadUpdate(db: Database, id: number, token: string, snapshot: ThreadSnapshot, now: Date): Promise<boolean> {
  const rows = await db
    .update(alertThread)
    .set({ ...snapshot, claimToken: null, claimedAt: null, updatedAt: now })
    .where(and(eq(alertThread.id, id), eq(alertThread.claimToken, token)))
    .returning({ id: alertThread.id });
  return rows.length === 1;
}

/** Gives a claim back after its post failed, so the next tick can try again at once. */
export async function releaseThreadClaim(db: Database, id: number, token: string): Promise<void> {
  await db.update(alertThread).set({ claimToken: null, claimedAt: null }).where(and(eq(alertThread.id, id), eq(alertThread.claimToken, token)));
}

/** Notes that the parent message now shows `fingerprint` (parent edits are repeatable, so no claim). */
export async function recordParentShown(db: Database, id: number, fingerprint: string): Promise<void> {
  await db.update(alertThread).set({ parentFingerprint: fingerprint }).where(eq(alertThread.id, id));
}

/** One thread by subject and record, for tests and the triage action. */
export async function findAlertThread(db: Database, subject: string, recordId: number): Promise<AlertThreadRow | null> {
  const rows = await db
    .select()
    .from(alertThread)
    .where(and(eq(alertThread.subject, subject), eq(alertThread.recordId, recordId)))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * How many alert threads are open, per subject (`machine_request`, `resource_request`, `instance`).
 * Reads the (subject, state) index only.
 */
export async function countOpenAlertThreads(db: Database): Promise<Record<string, number>> {
  const rows = await db
    .select({ subject: alertThread.subject, count: sql<number>`count(*)::int` })
    .from(alertThread)
    .where(eq(alertThread.state, 'open'))
    .groupBy(alertThread.subject);
  return Object.fromEntries(rows.map((row) => [row.subject, Number(row.count)]));
}
