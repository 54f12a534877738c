import { boolean, integer, pgTable, serial, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { now, tz, uuid4 } from './column-defaults.js';

// Atmosphere's users and Django groups: every Atmosphere user has a personal group of the same name.
// Part of the hand mapping of Django's tables; see ../atmosphere-schema.ts.

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

/**
 * Atmosphere's `CloudAdministrator`: a user in control of a whole provider, who may approve and deny
 * resource and machine requests as staff do (core/models/cloud_admin.py). Indexed on `user_id`.
 */
export const cloudAdministrator = pgTable('cloud_administrator', {
  id: serial('id').primaryKey(),
  uuid: uuid('uuid').notNull().$defaultFn(uuid4),
  providerId: integer('provider_id').notNull(),
  userId: integer('user_id')
    .notNull()
    .references(() => atmosphereUser.id),
});
