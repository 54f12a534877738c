import { text, timestamp } from 'drizzle-orm/pg-core';
import { atmobot } from './atmobot.js';

/**
 * One row per scheduled-job slot that was elected. Written on every election: Postgres breaks the tie
 * when replicas disagree about Redis, and is the election itself while Redis is down
 * (see jobs/run-coordinator.ts).
 */
export const jobRun = atmobot.table('job_run', {
  slotKey: text('slot_key').primaryKey(),
  job: text('job').notNull(),
  runner: text('runner').notNull(),
  ranAt: timestamp('ran_at', { withTimezone: true }).notNull(),
});
