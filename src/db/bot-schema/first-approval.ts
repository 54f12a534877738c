import { integer, jsonb, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { atmobot } from './atmobot.js';

/**
 * A large grant's first approval, waiting for a second staff member (SECOND_REVIEW_* in config). One
 * per resource request: the unique key makes the first of simultaneous first approvals win across
 * replicas. Nothing is sent to Atmosphere for it; the confirmation goes through the decision journal
 * like any approval, with exactly what was recorded here (`input`), re-planned against the quota and
 * allowance as they are at confirmation.
 */
export const firstApproval = atmobot.table(
  'first_approval',
  {
    id: serial('id').primaryKey(),
    requestId: integer('request_id').notNull(),
    approvedBy: text('approved_by').notNull(),
    platform: text('platform').notNull(),
    chatUserId: text('chat_user_id').notNull(),
    approvedAt: timestamp('approved_at', { withTimezone: true }).notNull(),
    adminMessage: text('admin_message').notNull().default(''),
    /** What the first approver asked for: `{ quota?, provider?, allocation?, confirmDecrease? }` (prepare-approval.ts). */
    input: jsonb('input').$type<Record<string, unknown>>().notNull(),
    /** Every value current → new as the first approver saw it, and which threshold it passed. */
    summary: text('summary').notNull(),
    /** The values the approval resolves to (identity, quota, source, allowance): a later identical approval confirms it. */
    planKey: text('plan_key').notNull(),
    eventId: text('event_id'),
    channel: text('channel'),
    messageId: text('message_id'),
  },
  (table) => [uniqueIndex('first_approval_request_uq').on(table.requestId)],
);
