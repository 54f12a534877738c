import { integer, pgTable, serial, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tz, uuid4 } from './column-defaults.js';
import { provider } from './providers.js';
import { atmosphereUser, group } from './users-and-groups.js';

// A user's accounts on the providers, and the quotas those accounts point at. Part of the hand mapping
// of Django's tables; see ../atmosphere-schema.ts.

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
