import { integer, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { atmobot } from './atmobot.js';

/**
 * The bot's queue of imaging requests approved while another request was imaging (the staff guide:
 * at most one imaging at a time). The head is approved when the slot frees. `position` orders the
 * queue (ties by id); a request is queued at most once.
 */
export const imagingQueue = atmobot.table(
  'imaging_queue',
  {
    id: serial('id').primaryKey(),
    requestId: integer('request_id').notNull(),
    position: integer('position').notNull(),
    /** Atmosphere username of the staff member whose approval queued it. */
    queuedBy: text('queued_by').notNull(),
    platform: text('platform').notNull(),
    queuedAt: timestamp('queued_at', { withTimezone: true }).notNull(),
  },
  (table) => [uniqueIndex('imaging_queue_request_uq').on(table.requestId)],
);
