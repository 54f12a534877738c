import { boolean, inet, integer, jsonb, numeric, pgTable, serial, text, timestamp, uuid, varchar, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { now, tz, uuid4 } from './column-defaults.js';
import { identity } from './identities.js';
import { provider, size } from './providers.js';
import { atmosphereUser, group } from './users-and-groups.js';

// Projects, images (applications, versions, provider machines) and the instances launched from them.
// Part of the hand mapping of Django's tables; see ../atmosphere-schema.ts.

/** Keys Atmosphere writes into `instance_status_history.extra` for faulted instances. */
export interface InstanceStatusExtra {
  display_error?: string;
  traceback?: string;
}

export const project = pgTable('project', {
  id: serial('id').primaryKey(),
  uuid: uuid('uuid').notNull().$defaultFn(uuid4),
  name: varchar('name', { length: 256 }).notNull(),
  description: text('description').notNull().$defaultFn(() => ''),
  startDate: timestamp('start_date', tz).notNull().$defaultFn(now),
  endDate: timestamp('end_date', tz),
  ownerId: integer('owner_id')
    .notNull()
    .references(() => group.groupPtrId),
  createdById: integer('created_by_id')
    .notNull()
    .references(() => atmosphereUser.id),
});

/** Parent of provider machines (images) and volumes; `identifier` is the Glance or Cinder id. */
export const instanceSource = pgTable('instance_source', {
  id: serial('id').primaryKey(),
  uuid: uuid('uuid').notNull().$defaultFn(uuid4),
  identifier: varchar('identifier', { length: 256 }).notNull(),
  startDate: timestamp('start_date', tz).notNull().$defaultFn(now),
  endDate: timestamp('end_date', tz),
  createdById: integer('created_by_id').references(() => atmosphereUser.id),
  createdByIdentityId: integer('created_by_identity_id').references(() => identity.id),
  providerId: integer('provider_id')
    .notNull()
    .references(() => provider.id),
  // numeric(14,0) holds at most 14 digits, well inside a JS number's exact range.
  sizeBytes: numeric('size_bytes', { precision: 14, scale: 0, mode: 'number' })
    .notNull()
    .$defaultFn(() => 0),
});

export const application = pgTable('application', {
  id: serial('id').primaryKey(),
  uuid: uuid('uuid').notNull().$defaultFn(uuid4),
  name: varchar('name', { length: 256 }).notNull(),
  icon: varchar('icon', { length: 100 }),
  description: text('description'),
  private: boolean('private').notNull().$defaultFn(() => false),
  startDate: timestamp('start_date', tz).notNull().$defaultFn(now),
  endDate: timestamp('end_date', tz),
  createdById: integer('created_by_id')
    .notNull()
    .references(() => atmosphereUser.id),
  createdByIdentityId: integer('created_by_identity_id').references(() => identity.id),
});

/** Its primary key is a uuid with no sequence. */
export const applicationVersion = pgTable('application_version', {
  id: uuid('id').primaryKey().$defaultFn(uuid4),
  name: varchar('name', { length: 256 }).notNull(),
  changeLog: text('change_log'),
  allowImaging: boolean('allow_imaging').notNull().$defaultFn(() => true),
  startDate: timestamp('start_date', tz).notNull().$defaultFn(now),
  endDate: timestamp('end_date', tz),
  systemFiles: text('system_files').$defaultFn(() => ''),
  installedSoftware: text('installed_software').$defaultFn(() => ''),
  excludedFiles: text('excluded_files').$defaultFn(() => ''),
  applicationId: integer('application_id')
    .notNull()
    .references(() => application.id),
  createdById: integer('created_by_id')
    .notNull()
    .references(() => atmosphereUser.id),
  createdByIdentityId: integer('created_by_identity_id').references(() => identity.id),
  parentId: uuid('parent_id').references((): AnyPgColumn => applicationVersion.id),
  docObjectId: text('doc_object_id').$defaultFn(() => ''),
});

/** An image on one provider; identifier, provider and dates live on its `instance_source`. */
export const providerMachine = pgTable('provider_machine', {
  id: serial('id').primaryKey(),
  applicationVersionId: uuid('application_version_id').references(() => applicationVersion.id),
  instanceSourceId: integer('instance_source_id')
    .notNull()
    .references(() => instanceSource.id),
});

/** A Cinder volume: its identifier, provider, owner and dates live on its `instance_source` row. */
export const volume = pgTable('volume', {
  id: serial('id').primaryKey(),
  /** GB. */
  size: integer('size').notNull(),
  name: varchar('name', { length: 256 }).notNull(),
  description: text('description'),
  instanceSourceId: integer('instance_source_id')
    .notNull()
    .references(() => instanceSource.id),
  projectId: integer('project_id').references(() => project.id),
});

/** No uuid and no status column: the status is the newest `instance_status_history` row. */
export const instance = pgTable('instance', {
  id: serial('id').primaryKey(),
  name: varchar('name', { length: 256 }).notNull(),
  token: varchar('token', { length: 36 }),
  /** The OpenStack server uuid, the instance's public identifier. */
  providerAlias: varchar('provider_alias', { length: 256 }).notNull(),
  ipAddress: inet('ip_address'),
  shell: boolean('shell').notNull().$defaultFn(() => false),
  vnc: boolean('vnc').notNull().$defaultFn(() => false),
  webDesktop: boolean('web_desktop').notNull().$defaultFn(() => false),
  password: varchar('password', { length: 64 }),
  startDate: timestamp('start_date', tz).notNull(),
  endDate: timestamp('end_date', tz),
  createdById: integer('created_by_id')
    .notNull()
    .references(() => atmosphereUser.id),
  createdByIdentityId: integer('created_by_identity_id').references(() => identity.id),
  sourceId: integer('source_id')
    .notNull()
    .references(() => instanceSource.id),
  projectId: integer('project_id').references(() => project.id),
});

/** Instance status names; not unique, created lazily, so resolve by name. */
export const instanceStatus = pgTable('instance_status', {
  id: serial('id').primaryKey(),
  name: varchar('name', { length: 128 }).notNull(),
});

export const instanceStatusHistory = pgTable('instance_status_history', {
  id: serial('id').primaryKey(),
  uuid: uuid('uuid').notNull().$defaultFn(uuid4),
  activity: varchar('activity', { length: 36 }),
  startDate: timestamp('start_date', tz).notNull().$defaultFn(now),
  /** NULL on the current row. */
  endDate: timestamp('end_date', tz),
  instanceId: integer('instance_id')
    .notNull()
    .references(() => instance.id),
  sizeId: integer('size_id')
    .notNull()
    .references(() => size.id),
  statusId: integer('status_id')
    .notNull()
    .references(() => instanceStatus.id),
  extra: jsonb('extra').$type<InstanceStatusExtra>(),
});
