import { integer, jsonb, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { atmobot } from './atmobot.js';

/**
 * A staff decision on a request, claimed before the API call. The unique key makes the first click
 * win across replicas and restarts; every later click reads the winner from here.
 * `round` lets one record be decided again after it legitimately returns to pending (a re-submitted
 * imaging request): each return to pending opens a new round.
 */
export const decision = atmobot.table(
  'decision',
  {
    id: serial('id').primaryKey(),
    /** `resource_request` or `machine_request`. */
    subject: text('subject').notNull(),
    recordId: integer('record_id').notNull(),
    round: integer('round').notNull().default(0),
    /** `approve`, `deny`, `resubmit`, `queue`, ... */
    action: text('action').notNull(),
    /** `in_progress` while the API call runs, then `done`; a failed call deletes the claim. */
    state: text('state').notNull(),
    decidedBy: text('decided_by').notNull(),
    platform: text('platform').notNull(),
    chatUserId: text('chat_user_id').notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    adminMessage: text('admin_message').notNull().default(''),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
  },
  (table) => [uniqueIndex('decision_subject_record_round_uq').on(table.subject, table.recordId, table.round)],
);
