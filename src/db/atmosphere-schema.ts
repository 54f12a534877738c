import { randomUUID } from 'node:crypto';
import {
  boolean,
  inet,
  integer,
  jsonb,
  numeric,
  pgTable,
  serial,
  text,
  timestamp,
  uuid,
  varchar,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';

// Hand mapping of the Atmosphere tables Django owns, named and typed exactly as its migrations create
// them (fixtures/atmosphere-schema.sql). It lives outside the drizzle-kit schema glob, so no migration
// ever touches these tables; `.references()` below documents the foreign keys and produces no DDL.
//
// Django puts no DEFAULT in the database (only `nextval` on serial ids): every default is applied in
// Python. The `$defaultFn`s repeat the model defaults, so an insert from the bot writes what Django would.
// Secret tables (credential, provider_credential, tokens) are deliberately not mapped.

const tz = { withTimezone: true } as const;
const uuid4 = () => randomUUID();
const now = () => new Date();

/** Keys Atmosphere writes into `instance_status_history.extra` for faulted instances. */
export interface InstanceStatusExtra {
  display_error?: string;
  traceback?: string;
}

export const atmosphereUser = pgTable('atmosphere_user', {
  id: serial('id').primaryKey(),
  password: varchar('password', { length: 128 }).notNull(),
  lastLogin: timestamp('last_login', tz),
  isSuperuser: boolean('is_superuser').notNull().$defaultFn(() => false),
  uuid: uuid('uuid').notNull().$defaultFn(uuid4),
  /** Set when the account is disabled or expired. */
  endDate: timestamp('end_date', tz),
  username: varchar('username', { length: 256 }).notNull(),
  firstName: varchar('first_name', { length: 64 }).notNull().$defaultFn(() => ''),
  lastName: varchar('last_name', { length: 256 }).notNull().$defaultFn(() => ''),
  email: varchar('email', { length: 254 }).notNull().$defaultFn(() => ''),
  isStaff: boolean('is_staff').notNull().$defaultFn(() => false),
  isActive: boolean('is_active').notNull().$defaultFn(() => true),
  dateJoined: timestamp('date_joined', tz).notNull().$defaultFn(now),
});

/** Django's `auth_group`; its `name` is the group name (varchar(150) in a fresh build, 80 on Django 1.11). */
export const authGroup = pgTable('auth_group', {
  id: serial('id').primaryKey(),
  name: varchar('name', { length: 150 }).notNull(),
});

/** Atmosphere's Group, a multi-table child of `auth_group` (`"group"` is a reserved word). */
export const group = pgTable('group', {
  groupPtrId: integer('group_ptr_id')
    .primaryKey()
    .references(() => authGroup.id),
  uuid: uuid('uuid').notNull().$defaultFn(uuid4),
});

export const groupMembers = pgTable('group_members', {
  id: serial('id').primaryKey(),
  uuid: uuid('uuid').notNull().$defaultFn(uuid4),
  groupId: integer('group_id')
    .notNull()
    .references(() => group.groupPtrId),
  userId: integer('user_id')
    .notNull()
    .references(() => atmosphereUser.id),
  isLeader: boolean('is_leader').notNull().$defaultFn(() => false),
});

export const atmosphereUserGroups = pgTable('atmosphere_user_groups', {
  id: serial('id').primaryKey(),
  atmosphereuserId: integer('atmosphereuser_id')
    .notNull()
    .references(() => atmosphereUser.id),
  groupId: integer('group_id')
    .notNull()
    .references(() => authGroup.id),
});

/** Shared and never updated: to change a user's quota, point the identity at another row (via the API). */
export const quota = pgTable('quota', {
  id: serial('id').primaryKey(),
  uuid: uuid('uuid').notNull().$defaultFn(uuid4),
  cpu: integer('cpu'),
  memory: integer('memory'),
  storage: integer('storage'),
  instanceCount: integer('instance_count'),
  snapshotCount: integer('snapshot_count'),
  storageCount: integer('storage_count'),
  floatingIpCount: integer('floating_ip_count'),
  portCount: integer('port_count'),
});

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

/** A user's account on one provider. */
export const identity = pgTable('identity', {
  id: serial('id').primaryKey(),
  uuid: uuid('uuid').notNull().$defaultFn(uuid4),
  createdById: integer('created_by_id')
    .notNull()
    .references(() => atmosphereUser.id),
  providerId: integer('provider_id')
    .notNull()
    .references(() => provider.id),
  quotaId: integer('quota_id')
    .notNull()
    .references(() => quota.id),
});

export const identityMembership = pgTable('identity_membership', {
  id: serial('id').primaryKey(),
  uuid: uuid('uuid').notNull().$defaultFn(uuid4),
  endDate: timestamp('end_date', tz),
  identityId: integer('identity_id')
    .notNull()
    .references(() => identity.id),
  memberId: integer('member_id')
    .notNull()
    .references(() => group.groupPtrId),
});

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

export const allocationSource = pgTable('allocation_source', {
  id: serial('id').primaryKey(),
  uuid: uuid('uuid').notNull().$defaultFn(uuid4),
  name: varchar('name', { length: 255 }).notNull(),
  computeAllowed: integer('compute_allowed').notNull(),
  startDate: timestamp('start_date', tz).notNull().$defaultFn(now),
  endDate: timestamp('end_date', tz),
  renewalStrategy: varchar('renewal_strategy', { length: 255 }).notNull().$defaultFn(() => 'default'),
});

export const userAllocationSource = pgTable('user_allocation_source', {
  id: serial('id').primaryKey(),
  allocationSourceId: integer('allocation_source_id')
    .notNull()
    .references(() => allocationSource.id),
  userId: integer('user_id')
    .notNull()
    .references(() => atmosphereUser.id),
});
