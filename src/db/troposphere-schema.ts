import { boolean, pgTable, serial, text, timestamp, varchar } from 'drizzle-orm/pg-core';

// Hand mapping of the two Troposphere tables the bot writes, exactly as Troposphere's Django migrations
// create them (fixtures/troposphere-schema.sql). Troposphere has its own database; these tables are
// never migrated by the bot. Django keeps every default in Python, so the `$defaultFn`s repeat them.

const tz = { withTimezone: true } as const;
const now = () => new Date();

/**
 * Troposphere's maintenance mode (`api.models.MaintenanceRecord`). Active while
 * `start_date < now AND (end_date > now OR end_date IS NULL)`. `created_date` (auto_now_add) and
 * `modified_date` (auto_now) are not filled by the database: set `modifiedDate` on every update.
 */
export const apiMaintenanceRecord = pgTable('api_maintenancerecord', {
  id: serial('id').primaryKey(),
  startDate: timestamp('start_date', tz).notNull(),
  endDate: timestamp('end_date', tz),
  title: varchar('title', { length: 256 }).notNull(),
  message: text('message').notNull(),
  disableLogin: boolean('disable_login').notNull().$defaultFn(() => true),
  createdDate: timestamp('created_date', tz).notNull().$defaultFn(now),
  modifiedDate: timestamp('modified_date', tz).notNull().$defaultFn(now).$onUpdateFn(now),
});

/**
 * The advance banner about upcoming maintenance, a singleton with id 1 (not a maintenance mode).
 * Shown while `show_message AND (end_date > now OR end_date IS NULL)`.
 */
export const maintenanceNotice = pgTable('maintenance_notice', {
  id: serial('id').primaryKey(),
  showMessage: boolean('show_message').notNull().$defaultFn(() => false),
  message: text('message').notNull(),
  endDate: timestamp('end_date', tz),
  title: text('title')
    .notNull()
    .$defaultFn(() => 'Maintenance Information'),
});

