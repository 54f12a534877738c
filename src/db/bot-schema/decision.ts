import { sql } from 'drizzle-orm';
import { index, integer, jsonb, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { atmobot } from './atmobot.js';

/** The states of a claim not yet carried out: few at any time, however long the journal grows. */
export const UNSETTLED_DECISION_STATES = ['in_progress', 'held'] as const;

/**
 * The decision journal: a staff decision on a request, claimed before the API call. The unique key
 * makes the first click win across replicas and restarts; every later click reads the winner here.
 * The claim records what is about to be sent (`plan`) and where the click came from, so a claim left
 * behind by a crash, a shutdown or a database outage can be finished by the bot itself (see
 * reconcile-decision.ts) against what Atmosphere shows.
 * `round` lets one record be decided again after it legitimately returns to pending (a re-submitted
 * imaging request): each return to pending opens a new round.
 */
export const decision = atmobot.table(
  'decision',
  {
    id: serial('id').primaryKey(),
    /** `resource_request`, `machine_request` or `instance` (a redeploy or reboot). */
    subject: text('subject').notNull(),
    recordId: integer('record_id').notNull(),
    round: integer('round').notNull().default(0),
    /** `approve`, `deny`, `resubmit`, `queue`; for instances the step (`redeploy`, `reboot-soft`, `reboot-hard`). */
    action: text('action').notNull(),
    /**
     * `in_progress` while the API call runs; `held` after the call ended without a clear answer (a
     * timeout, a 5xx, a reset connection), until Atmosphere shows the change or `held_until` passes;
     * `done` once carried out. A claim given back (a clear refusal, nothing sent) is deleted.
     */
    state: text('state').notNull(),
    decidedBy: text('decided_by').notNull(),
    platform: text('platform').notNull(),
    chatUserId: text('chat_user_id').notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    adminMessage: text('admin_message').notNull().default(''),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    /** What the bot is about to ask Atmosphere for: `{ from, status, quota?, event?, after? }` (read-atmosphere-outcome.ts). */
    plan: jsonb('plan').$type<Record<string, unknown>>(),
    /** Set just before the side-effect call goes out; null means nothing was sent. */
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /** For a `held` claim: until when a request still reading as before may yet change. */
    heldUntil: timestamp('held_until', { withTimezone: true }),
    /** Why the claim is held (the unclear answer), or how it was finished. */
    note: text('note'),
    /** The chat event that made the claim, for the audit row a reconciliation writes. */
    eventId: text('event_id'),
    channel: text('channel'),
    messageId: text('message_id'),
  },
  (table) => [
    uniqueIndex('decision_subject_record_round_uq').on(table.subject, table.recordId, table.round),
    // The journal keeps every decision forever, but the reconciler and every alert tick look only for
    // the unsettled handful: a partial index holds just those, in id order. Its predicate lists the
    // same states the queries ask for (decisions.ts), so the planner can prove it applies. Written as
    // literals: drizzle-kit would leave a bound parameter in the migration.
    index('decision_unsettled_idx')
      .on(table.id)
      .where(sql`${sql.identifier(table.state.name)} in (${sql.raw(UNSETTLED_DECISION_STATES.map((state) => `'${state}'`).join(', '))})`),
  ],
);
