import { bigint, boolean, index, integer, jsonb, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { MessageRef } from '../../model/channel-ref.js';
import { atmobot } from './atmobot.js';

/**
 * One alert thread per request, ever: the unique (subject, record_id) row is claimed with
 * INSERT ... ON CONFLICT DO NOTHING before the parent message is posted, so two ticks racing (two
 * replicas, or a replica whose election went wrong) cannot both post. The same row records what the
 * thread last said (`fingerprint`, `last_event_id`), and an update is claimed on it (compare-and-set of
 * `claim_token`) before it is posted, so a retried tick never posts the same update twice.
 *
 * The remaining window (see jobs/alerts/alert-thread-store.ts): a post that reached the chat platform
 * but whose message ref was not recorded (crash right after the post) is posted again once the claim's
 * lease has run out.
 */
export const alertThread = atmobot.table(
  'alert_thread',
  {
    id: serial('id').primaryKey(),
    /** `machine_request` or `resource_request`. */
    subject: text('subject').notNull(),
    recordId: integer('record_id').notNull(),
    /** `platform:channel` the thread lives in. */
    channel: text('channel').notNull(),
    /** The parent message; NULL while the claim's post is in flight (or was lost in a crash). */
    parentRef: jsonb('parent_ref').$type<MessageRef>(),
    /** `open` or `resolved`. */
    state: text('state').notNull(),
    /** Status name, old_status and category the thread last reported. */
    status: text('status').notNull(),
    oldStatus: text('old_status'),
    category: text('category').notNull(),
    /** What the thread last reported, as one comparable string (status, old_status hash, category). */
    fingerprint: text('fingerprint').notNull(),
    /** What the parent message shows; differs from `fingerprint` until the parent has been edited. */
    parentFingerprint: text('parent_fingerprint'),
    /** The last bot event (`atmobot.request_event.id`) already told in the thread. */
    lastEventId: bigint('last_event_id', { mode: 'number' }).notNull().default(0),
    /** Set while one runner posts the parent or an update; cleared when what it posted is recorded. */
    claimToken: text('claim_token'),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    uniqueIndex('alert_thread_subject_record_uq').on(table.subject, table.recordId),
    index('alert_thread_open_idx').on(table.subject, table.state),
  ],
);

/**
 * Since when the bot has seen a request (or an instance) in its current state. Atmosphere records no
 * status-change time, so "stuck in started for N minutes" and "in error for N hours" are measured
 * from here, by the imaging lists and details and by the alert scan alike. `status` is the state as
 * one comparable string (an imaging request's status plus a hash of its error text, so an error that
 * comes back reads as new). `since_known` is false when the bot only knows a lower bound (it first saw
 * the request already in this state): messages then say "at least since". `seen_at` is when the bot
 * last looked, so a change seen long after the previous look is not taken for an exact time. Rows
 * exist only for requests that are not final, and are deleted when the request is.
 */
export const requestWatch = atmobot.table(
  'request_watch',
  {
    subject: text('subject').notNull(),
    recordId: integer('record_id').notNull(),
    status: text('status').notNull(),
    since: timestamp('since', { withTimezone: true }).notNull(),
    sinceKnown: boolean('since_known').notNull().default(true),
    seenAt: timestamp('seen_at', { withTimezone: true }),
  },
  (table) => [primaryKey({ columns: [table.subject, table.recordId] })],
);

/** How far each scan job has read the bot's request events (`atmobot.request_event`). */
export const alertScanCursor = atmobot.table('alert_scan_cursor', {
  job: text('job').primaryKey(),
  lastEventId: bigint('last_event_id', { mode: 'number' }).notNull(),
});
