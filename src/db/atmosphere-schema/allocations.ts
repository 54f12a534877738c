import { integer, numeric, pgTable, serial, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
import { now, tz, uuid4 } from './column-defaults.js';
import { atmosphereUser } from './users-and-groups.js';

// Allocation sources (compute budgets) and the users who draw on them. Part of the hand mapping of
// Django's tables; see ../atmosphere-schema.ts.

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

/**
 * What one user used of one source and how fast they burn it now, written by the allocation engine
 * (read-only for everyone else). Amounts in AU; the burn rate in AU per hour.
 */
export const userAllocationSnapshot = pgTable('user_allocation_snapshot', {
  id: serial('id').primaryKey(),
  // numeric(19,3): AU with three decimals, far inside a JS number's exact range for any allowance.
  computeUsed: numeric('compute_used', { precision: 19, scale: 3, mode: 'number' }).notNull(),
  burnRate: numeric('burn_rate', { precision: 19, scale: 3, mode: 'number' }).notNull(),
  updated: timestamp('updated', tz).notNull().$defaultFn(now),
  allocationSourceId: integer('allocation_source_id')
    .notNull()
    .references(() => allocationSource.id),
  userId: integer('user_id')
    .notNull()
    .references(() => atmosphereUser.id),
});

/** A whole source's use and burn rate over all its users, as the allocation engine last saw it. */
export const allocationSourceSnapshot = pgTable('allocation_source_snapshot', {
  id: serial('id').primaryKey(),
  updated: timestamp('updated', tz).notNull().$defaultFn(now),
  lastRenewed: timestamp('last_renewed', tz).notNull().$defaultFn(now),
  globalBurnRate: numeric('global_burn_rate', { precision: 19, scale: 3, mode: 'number' }).notNull(),
  computeUsed: numeric('compute_used', { precision: 19, scale: 3, mode: 'number' }).notNull(),
  computeAllowed: numeric('compute_allowed', { precision: 19, scale: 3, mode: 'number' })
    .notNull()
    .$defaultFn(() => 0),
  allocationSourceId: integer('allocation_source_id')
    .notNull()
    .references(() => allocationSource.id),
});
