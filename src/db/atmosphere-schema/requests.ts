import { boolean, integer, pgTable, serial, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { now, tz, uuid4 } from './column-defaults.js';
import { identityMembership } from './identities.js';
import { applicationVersion, instance, providerMachine } from './instances-and-images.js';
import { provider } from './providers.js';
import { atmosphereUser } from './users-and-groups.js';

// Resource (quota) requests, imaging (machine) requests and the status names they share. Part of the
// hand mapping of Django's tables; see ../atmosphere-schema.ts.

/** Request statuses; names are not unique and ids differ per database, so always resolve by name. */
export const statusType = pgTable('status_type', {
  id: serial('id').primaryKey(),
  uuid: uuid('uuid').notNull().$defaultFn(uuid4),
  name: varchar('name', { length: 32 }).notNull(),
  description: varchar('description', { length: 256 }).notNull().$defaultFn(() => ''),
  startDate: timestamp('start_date', tz).notNull().$defaultFn(now),
  endDate: timestamp('end_date', tz),
});

export const resourceRequest = pgTable('resource_request', {
  id: serial('id').primaryKey(),
  uuid: uuid('uuid').notNull().$defaultFn(uuid4),
  adminMessage: varchar('admin_message', { length: 1024 }).notNull().$defaultFn(() => ''),
  startDate: timestamp('start_date', tz).notNull().$defaultFn(now),
  /** Set on deny and close, not on approve. */
  endDate: timestamp('end_date', tz),
  request: text('request').notNull(),
  description: text('description').notNull(),
  createdById: integer('created_by_id')
    .notNull()
    .references(() => atmosphereUser.id),
  statusId: integer('status_id')
    .notNull()
    .references(() => statusType.id),
});

/** An imaging request. `old_status` carries the pipeline step or the error text. */
export const machineRequest = pgTable('machine_request', {
  id: serial('id').primaryKey(),
  uuid: uuid('uuid').notNull().$defaultFn(uuid4),
  adminMessage: varchar('admin_message', { length: 1024 }).notNull().$defaultFn(() => ''),
  startDate: timestamp('start_date', tz).notNull().$defaultFn(now),
  endDate: timestamp('end_date', tz),
  oldStatus: text('old_status').$defaultFn(() => ''),
  newApplicationName: varchar('new_application_name', { length: 256 }).notNull(),
  newApplicationDescription: text('new_application_description')
    .notNull()
    .$defaultFn(() => 'Description Missing'),
  newApplicationVisibility: varchar('new_application_visibility', { length: 256 })
    .notNull()
    .$defaultFn(() => 'private'),
  accessList: text('access_list').$defaultFn(() => ''),
  systemFiles: text('system_files').$defaultFn(() => ''),
  installedSoftware: text('installed_software').$defaultFn(() => ''),
  excludeFiles: text('exclude_files').$defaultFn(() => ''),
  newVersionName: varchar('new_version_name', { length: 256 }).notNull().$defaultFn(() => '1.0'),
  newVersionChangeLog: text('new_version_change_log')
    .notNull()
    .$defaultFn(() => 'Changelog Missing'),
  newVersionTags: text('new_version_tags').$defaultFn(() => ''),
  newVersionMemoryMin: integer('new_version_memory_min').notNull().$defaultFn(() => 0),
  newVersionCpuMin: integer('new_version_cpu_min').notNull().$defaultFn(() => 0),
  newVersionAllowImaging: boolean('new_version_allow_imaging').notNull().$defaultFn(() => true),
  newVersionForked: boolean('new_version_forked').notNull().$defaultFn(() => true),
  createdById: integer('created_by_id')
    .notNull()
    .references(() => atmosphereUser.id),
  instanceId: integer('instance_id')
    .notNull()
    .references(() => instance.id),
  membershipId: integer('membership_id')
    .notNull()
    .references(() => identityMembership.id),
  newApplicationVersionId: uuid('new_application_version_id').references(() => applicationVersion.id),
  newMachineId: integer('new_machine_id').references(() => providerMachine.id),
  newMachineOwnerId: integer('new_machine_owner_id')
    .notNull()
    .references(() => atmosphereUser.id),
  newMachineProviderId: integer('new_machine_provider_id')
    .notNull()
    .references(() => provider.id),
  parentMachineId: integer('parent_machine_id')
    .notNull()
    .references(() => providerMachine.id),
  statusId: integer('status_id')
    .notNull()
    .references(() => statusType.id),
});
