import { and, asc, desc, eq, gte, inArray, isNotNull, ne, sql, type SQL } from 'drizzle-orm';
import { UserError } from '../../errors.js';
import type { Database } from '../client.js';
import { preparedPerDatabase } from '../prepared.js';
import { decision, requestEvent } from '../bot-schema/index.js';
import { UNSETTLED_DECISION_STATES } from '../bot-schema/decision.js';
import type { RequestEventInput } from './request-events.js';
import { rowsOf } from '../rows-of.js';

export type DecisionRow = typeof decision.$inferSelect;
export type DecisionSubject = 'resource_request' | 'machine_request' | 'instance';
export type DecisionState = 'in_progress' | 'held' | 'done';
export type DecisionClaim = Omit<typeof decision.$inferInsert, 'id' | 'state' | 'completedAt' | 'sentAt' | 'heldUntil'>;

/**
 * How long an unfinished claim is left to the process that made it. A claim is `in_progress` only
 * while one API call runs (the gateway's timeout) and its outcome is written; one older than this
 * belongs to a process that died, was stopped or lost its database mid-call, and the reconciler
 * (or the next click) finishes it from what Atmosphere shows.
 */
export const DECISION_CLAIM_LEASE_MS = 5 * 60_000;

/**
 * How long a change that was sent without a clear answer (a timeout, a 5xx, a reset connection) may
 * still land in Atmosphere. Until then a request that still reads as before is not decided again,
 * so the same decision is never sent twice; after it the change is taken as never applied.
 */
export const UNCONFIRMED_HOLD_MS = 30 * 60_000;

/** The states the partial index `decision_unsettled_idx` holds: filter on these and it serves the read. */
const UNSETTLED: DecisionState[] = [...UNSETTLED_DECISION_STATES];

/** True for an `in_progress` claim whose process had time enough to finish it and did not. */
export function isAbandonedClaim(row: DecisionRow, now: Date): boolean {
  return row.state === 'in_progress' && now.getTime() - row.decidedAt.getTime() > DECISION_CLAIM_LEASE_MS;
}

/**
 * Claims the decision on a record for this round. Exactly one caller gets `claimed: true`, however
 * many click at once and on however many replicas: the unique key settles it inside Postgres.
 * Everyone else gets the existing row (done, in progress or held); settling an unfinished one is the
 * caller's business (run-decision.ts re-reads Atmosphere first).
 */
export async function claimDecision(db: Database, claim: DecisionClaim): Promise<{ claimed: true; row: DecisionRow } | { claimed: false; row: DecisionRow }> {
  const values = claimValues(claim);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const inserted = (await insertClaim(db).execute(values))[0];
    if (inserted) return { claimed: true, row: inserted };
    const existing = await findDecision(db, claim.subject as DecisionSubject, claim.recordId, claim.round ?? 0);
    if (existing) return { claimed: false, row: existing };
    // The winner gave its claim back between our insert and our read; try once more.
  }
  throw new UserError('conflict', 'Someone else was deciding this at the same moment and their attempt failed; nothing was changed. Try again.');
}

/** The columns a claim fills, each given at execution; the state is always `in_progress`. */
const CLAIM_COLUMNS = ['subject', 'recordId', 'round', 'action', 'decidedBy', 'platform', 'chatUserId', 'decidedAt', 'adminMessage', 'plan', 'eventId', 'channel', 'messageId'] as const;

/** A claim's insert, built once per database: every decision makes one (the jsonb plan is encoded by its column). */
const insertClaim = preparedPerDatabase((db) =>
  db
    .insert(decision)
    .values({ ...(Object.fromEntries(CLAIM_COLUMNS.map((column) => [column, sql.placeholder(column)])) as unknown as DecisionClaim), state: 'in_progress' })
    .onConflictDoNothing({ target: [decision.subject, decision.recordId, decision.round] })
    .returning()
    .prepare('atmobot_decision_claim'),
);

/** The claim's values by placeholder name, with the columns' defaults for those it leaves out. */
function claimValues(claim: DecisionClaim): Record<(typeof CLAIM_COLUMNS)[number], unknown> {
  const defaults = { round: 0, adminMessage: '', plan: null, eventId: null, channel: null, messageId: null };
  return Object.fromEntries(CLAIM_COLUMNS.map((column) => [column, claim[column] ?? defaults[column as keyof typeof defaults] ?? null])) as Record<(typeof CLAIM_COLUMNS)[number], unknown>;
}

const decisionOf = preparedPerDatabase((db) =>
  db
    .select()
    .from(decision)
    .where(and(eq(decision.subject, sql.placeholder('subject')), eq(decision.recordId, sql.placeholder('recordId')), eq(decision.round, sql.placeholder('round'))))
    .limit(1)
    .prepare('atmobot_decision_of_record'),
);

export async function findDecision(db: Database, subject: DecisionSubject, recordId: number, round = 0): Promise<DecisionRow | null> {
  const rows = await decisionOf(db).execute({ subject, recordId, round });
  return rows[0] ?? null;
}

/** The newest claim of any round on a record (imaging requests have several rounds). */
export async function findLatestDecision(db: Database, subject: DecisionSubject, recordId: number): Promise<DecisionRow | null> {
  const rows = await db
    .select()
    .from(decision)
    .where(and(eq(decision.subject, subject), eq(decision.recordId, recordId)))
    .orderBy(asc(decision.round));
  return rows.at(-1) ?? null;
}

/**
 * What the record itself must still say when the call goes out: `state`, one value read in the same
 * statement as the mark (a scalar subquery on the record, null when it is gone), must equal `expected`.
 */
export interface RecordPrecondition {
  state: SQL<string | null>;
  expected: string;
}

export type MarkSent = { marked: true } | { marked: false; reason: 'not in progress' } | { marked: false; reason: 'record changed'; state: string | null };

/**
 * Notes that the side-effect call is about to go out; refused when the claim is no longer ours to
 * send or, with a precondition, when the record no longer reads as the decision planned (decided
 * elsewhere since it was read). The record is read and the claim marked in one statement, so the
 * check costs no round trip of its own and nothing can mark a claim on a record already changed.
 */
export async function markDecisionSent(db: Database, id: number, at: Date, precondition?: RecordPrecondition): Promise<MarkSent> {
  if (!precondition) {
    const rows = await db
      .update(decision)
      .set({ sentAt: at })
      .where(and(eq(decision.id, id), eq(decision.state, 'in_progress')))
      .returning({ id: decision.id });
    return rows.length === 1 ? { marked: true } : { marked: false, reason: 'not in progress' };
  }
  const mark = db
    .update(decision)
    .set({ sentAt: at })
    .where(and(eq(decision.id, id), eq(decision.state, 'in_progress'), sql`(select state from record) = ${precondition.expected}`))
    .returning({ id: decision.id });
  // `ours`: whether the claim was still in progress, read from the same snapshot as the record.
  const result = await db.execute(sql`
    with record as (select (${precondition.state}) as state), marked as (${mark.getSQL()})
    select (select state from record) as state, (select count(*) from marked)::integer as marked,
      exists (select 1 from ${decision} where ${decision.id} = ${id} and ${decision.state} = 'in_progress') as ours`);
  const row = rowsOf(result)[0];
  if (Number(row?.['marked'] ?? 0) === 1) return { marked: true };
  // A claim no longer ours is said as such whatever the record reads: its owner answers for it.
  if (row?.['ours'] !== true) return { marked: false, reason: 'not in progress' };
  return { marked: false, reason: 'record changed', state: typeof row['state'] === 'string' ? row['state'] : null };
}

/**
 * Keeps a claim whose call got no clear answer, so nobody sends the same change again before `until`.
 * False when the claim was no longer in progress (another replica held or finished it first).
 */
export async function holdDecision(db: Database, id: number, until: Date, note: string): Promise<boolean> {
  const rows = await db
    .update(decision)
    .set({ state: 'held', heldUntil: until, note })
    .where(and(eq(decision.id, id), eq(decision.state, 'in_progress')))
    .returning({ id: decision.id });
  return rows.length === 1;
}

/**
 * Marks a claimed decision as carried out and, in the same statement, appends its history row: the
 * update is a data-modifying CTE the insert reads, so both land or neither does without a transaction
 * (and without its BEGIN and COMMIT round trips). Only the first call for a claim does anything (true),
 * so a retried or late duplicate write after a timeout cannot record the decision twice.
 */
export async function completeDecision(
  db: Database,
  id: number,
  at: Date,
  outcome: { detail?: Record<string, unknown>; note?: string; history?: RequestEventInput } = {},
): Promise<boolean> {
  const done = db
    .update(decision)
    .set({ state: 'done', completedAt: at, ...(outcome.detail ? { detail: outcome.detail } : {}), ...(outcome.note ? { note: outcome.note } : {}) })
    .where(and(eq(decision.id, id), ne(decision.state, 'done')))
    .returning({ id: decision.id });
  const history = outcome.history;
  if (!history) return (await done).length === 1;
  const columns = [requestEvent.subject, requestEvent.recordId, requestEvent.at, requestEvent.actor, requestEvent.platform, requestEvent.action, requestEvent.note];
  const result = await db.execute(sql`
    with done as (${done.getSQL()})
    insert into ${requestEvent} (${sql.join(columns.map((column) => sql.identifier(column.name)), sql`, `)})
    select ${history.subject}, ${history.recordId}::integer, ${history.at.toISOString()}::timestamptz, ${history.actor}, ${history.platform}, ${history.action}, ${history.note ?? null}::text
    from done
    returning 1 as recorded`);
  return rowsOf(result).length === 1;
}

/** Gives an unfinished claim back (nothing was applied), so the request can be decided again. */
export async function releaseDecision(db: Database, id: number): Promise<boolean> {
  const rows = await db.delete(decision).where(and(eq(decision.id, id), inArray(decision.state, UNSETTLED))).returning({ id: decision.id });
  return rows.length === 1;
}

/** Claims not yet done, oldest first: what the reconciler looks at. */
export async function listUnsettledDecisions(db: Database, limit = 100): Promise<DecisionRow[]> {
  return unsettledDecisionsQuery(db, limit);
}

/** The select `listUnsettledDecisions` runs, unexecuted, so a test can ask the planner how it is served. */
export function unsettledDecisionsQuery(db: Database, limit: number) {
  return db.select().from(decision).where(inArray(decision.state, UNSETTLED)).orderBy(asc(decision.id)).limit(limit);
}

/** Unfinished claims of one action whose call went out: changes that may yet land in Atmosphere. */
export async function listUnsettledSent(db: Database, subject: DecisionSubject, action: string): Promise<DecisionRow[]> {
  return db
    .select()
    .from(decision)
    .where(and(eq(decision.subject, subject), eq(decision.action, action), inArray(decision.state, UNSETTLED), isNotNull(decision.sentAt)))
    .orderBy(asc(decision.id));
}

/**
 * The records of `subject` with a change of the bot's sent to Atmosphere at or after `sentSince` and
 * not yet recorded (claim in progress or held): their history row is still to come. The alert scans
 * read this to tell such a change as the bot's (sync-threads.ts).
 */
export async function listRecordsWithChangeInFlight(db: Database, subject: DecisionSubject, sentSince: Date): Promise<number[]> {
  const rows = await recordsWithChangeInFlightQuery(db, subject, sentSince);
  return rows.map((row) => row.recordId);
}

/** The select `listRecordsWithChangeInFlight` runs, unexecuted, so a test can ask the planner how it is served. */
export function recordsWithChangeInFlightQuery(db: Database, subject: DecisionSubject, sentSince: Date) {
  return db
    .selectDistinct({ recordId: decision.recordId })
    .from(decision)
    .where(and(eq(decision.subject, subject), inArray(decision.state, UNSETTLED), gte(decision.sentAt, sentSince)));
}

/**
 * One staff member's latest decisions, newest first, for their dashboard. Read by primary key order
 * from the newest: the journal holds one row per decision, and the limit stops the walk early.
 */
export async function listRecentDecisionsBy(db: Database, username: string, limit: number): Promise<DecisionRow[]> {
  return db.select().from(decision).where(eq(decision.decidedBy, username)).orderBy(desc(decision.id)).limit(limit);
}
