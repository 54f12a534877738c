import { index, integer, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { atmobot } from './atmobot.js';

/**
 * What the bot did to a request, one row per action (approved, queued, dequeued, resubmitted,
 * denied, auto-approved...). Triage reports quote it and the alert-thread job posts it, reading
 * forward by id. Never updated.
 */
export const requestEvent = atmobot.table(
  'request_event',
  {
    id: serial('id').primaryKey(),
    /** `machine_request` or `resource_request`. */
    subject: text('subject').notNull(),
    recordId: integer('record_id').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** Atmosphere username of the staff member, or `atmo-bot` for the bot's own jobs. */
    actor: text('actor').notNull(),
    /** `slack`, `discord`, `console` or `job`. */
    platform: text('platform').notNull(),
    action: text('action').notNull(),
    note: text('note'),
  },
  (table) => [index('request_event_record_idx').on(table.subject, table.recordId)],
);
