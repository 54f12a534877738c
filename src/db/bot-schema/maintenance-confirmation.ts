import { boolean, integer, jsonb, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { atmobot } from './atmobot.js';

/**
 * A start or stop of maintenance waiting for its confirmation click. The button carries only this
 * row's id; the request itself lives here so it cannot be altered on the way back, and the first
 * click that moves `state` away from `pending` is the only one that acts.
 */
export const maintenanceConfirmation = atmobot.table('maintenance_confirmation', {
  id: serial('id').primaryKey(),
  /** `start` or `stop`. */
  kind: text('kind').notNull(),
  title: text('title').notNull().default(''),
  message: text('message').notNull().default(''),
  until: timestamp('until', { withTimezone: true }),
  statusio: boolean('statusio').notNull().default(false),
  /** The scheduled window this start opens, when there is one. */
  windowId: integer('window_id'),
  /** Text for status.io when the maintenance is finished (stop). */
  details: text('details').notNull().default(''),
  requestedBy: text('requested_by').notNull(),
  platform: text('platform').notNull(),
  chatUserId: text('chat_user_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  /** `pending`, `confirmed` or `cancelled`. */
  state: text('state').notNull().default('pending'),
  decidedBy: text('decided_by'),
  decidedAt: timestamp('decided_at', { withTimezone: true }),
  /** What happened on each side, for the record and for the status reply. */
  outcome: jsonb('outcome').$type<Record<string, unknown>>(),
});
