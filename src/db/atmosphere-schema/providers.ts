import { boolean, integer, jsonb, pgTable, serial, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { now, tz, uuid4 } from './column-defaults.js';
import { atmosphereUser } from './users-and-groups.js';

// The clouds (providers), their flavors (sizes) and their maintenance records. Part of the hand
// mapping of Django's tables; see ../atmosphere-schema.ts.

export const providerType = pgTable('provider_type', {
  id: serial('id').primaryKey(),
  name: varchar('name', { length: 256 }).notNull(),
  startDate: timestamp('start_date', tz).notNull().$defaultFn(now),
  endDate: timestamp('end_date', tz),
});

export const platformType = pgTable('platform_type', {
  id: serial('id').primaryKey(),
  name: varchar('name', { length: 256 }).notNull(),
  startDate: timestamp('start_date', tz).notNull().$defaultFn(now),
  endDate: timestamp('end_date', tz),
});

export const provider = pgTable('provider', {
  id: serial('id').primaryKey(),
  uuid: uuid('uuid').notNull().$defaultFn(uuid4),
  /** The provider's display name (the API calls it `name`; there is no `name` column). */
  location: varchar('location', { length: 256 }).notNull(),
  description: text('description').notNull().$defaultFn(() => ''),
  active: boolean('active').notNull().$defaultFn(() => true),
  public: boolean('public').notNull().$defaultFn(() => false),
  autoImaging: boolean('auto_imaging').notNull().$defaultFn(() => false),
  timezone: varchar('timezone', { length: 128 }).notNull().$defaultFn(() => 'America/Phoenix'),
  /** Holds secrets in production: never echo it. */
  cloudConfig: jsonb('cloud_config').$type<Record<string, unknown>>(),
  startDate: timestamp('start_date', tz).notNull().$defaultFn(now),
  endDate: timestamp('end_date', tz),
  cloudAdminId: integer('cloud_admin_id').references(() => atmosphereUser.id),
  /** FK to `core_instanceaction`, which the bot does not map. */
  overAllocationActionId: integer('over_allocation_action_id'),
  typeId: integer('type_id')
    .notNull()
    .references(() => providerType.id),
  virtualizationId: integer('virtualization_id')
    .notNull()
    .references(() => platformType.id),
});

export const size = pgTable('size', {
  id: serial('id').primaryKey(),
  uuid: uuid('uuid').notNull().$defaultFn(uuid4),
  alias: varchar('alias', { length: 256 }).notNull(),
  name: varchar('name', { length: 256 }).notNull(),
  cpu: integer('cpu').notNull(),
  disk: integer('disk').notNull(),
  root: integer('root').notNull(),
  /** MB. */
  mem: integer('mem').notNull(),
  startDate: timestamp('start_date', tz).notNull().$defaultFn(now),
  endDate: timestamp('end_date', tz),
  providerId: integer('provider_id')
    .notNull()
    .references(() => provider.id),
});

export const maintenanceRecord = pgTable('maintenance_record', {
  id: serial('id').primaryKey(),
  startDate: timestamp('start_date', tz).notNull(),
  endDate: timestamp('end_date', tz),
  title: varchar('title', { length: 256 }).notNull(),
  message: text('message').notNull(),
  disableLogin: boolean('disable_login').notNull().$defaultFn(() => true),
  /** NULL = global, the only kind that puts the API into maintenance. */
  providerId: integer('provider_id').references(() => provider.id),
});
