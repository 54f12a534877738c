import { integer, pgTable, serial, timestamp, uuid, varchar } from 'drizzle-orm/pg-core';
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
