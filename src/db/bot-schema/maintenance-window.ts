import { boolean, index, integer, jsonb, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { atmobot } from './atmobot.js';

/**
 * A maintenance window the bot knows of: scheduled ahead (`/atmo maintenance schedule`) or opened on
 * the spot by `/atmo maintenance start`. The Atmosphere and Troposphere records stay the truth of
 * whether users are locked out; this row carries what those tables cannot: the planned times, the
 * status.io maintenance id and which reminders were already posted.
 */
export const maintenanceWindow = atmobot.table(
  'maintenance_window',
  {
    id: serial('id').primaryKey(),
    title: text('title').notNull(),
    message: text('message').notNull(),
    /** Planned start; for a window opened by `start` without a schedule, when it was started. */
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    /** Planned end; NULL for an open-ended start. */
    endsAt: timestamp('ends_at', { withTimezone: true }),
    /** `scheduled`, `started`, `finished` or `cancelled`. */
    state: text('state').notNull(),
    statusioMaintenanceId: text('statusio_maintenance_id'),
    /** Whether the window was meant to be on status.io (so a failed status.io call is remembered). */
    statusio: boolean('statusio').notNull().default(false),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** Each reminder is claimed by setting its column; a NULL column means not yet posted. */
    noticeRemindedAt: timestamp('notice_reminded_at', { withTimezone: true }),
    hourRemindedAt: timestamp('hour_reminded_at', { withTimezone: true }),
    overdueRemindedAt: timestamp('overdue_reminded_at', { withTimezone: true }),
    /** Atmosphere `maintenance_record` id written when the window started. */
    atmosphereRecordId: integer('atmosphere_record_id'),
    troposphereRecordId: integer('troposphere_record_id'),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
  },
  (table) => [index('maintenance_window_state_idx').on(table.state, table.startsAt)],
);
