import { date, index, integer, jsonb, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { atmobot } from './atmobot.js';

/**
 * One release run as a runbook (`/atmo release plan`): who leads it, when it deploys, and the message
 * in chat that shows its checklist. One per tag. Named "runbook" because `release_plan` already holds
 * the confirmation plans of `/atmo release tag`.
 */
export const releaseRunbook = atmobot.table(
  'release_runbook',
  {
    id: serial('id').primaryKey(),
    /**
     * For a `release`, the release tag (`v37-6`); for a `hotfix`, `hotfix <image>:<tag>`, so the two
     * never share a unique tag.
     */
    tag: text('tag').notNull(),
    /** `release` (`release plan`) or `hotfix` (`release hotfix`, its steps all on the day it began). */
    kind: text('kind').notNull().default('release'),
    deploymentDay: date('deployment_day', { mode: 'string' }).notNull(),
    sites: jsonb('sites').$type<string[]>().notNull(),
    /** The site's time zone the due days and "late" are counted in. */
    timeZone: text('time_zone').notNull(),
    chief: text('chief').notNull(),
    driver: text('driver').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** Where the release message is: set once it is posted. */
    platform: text('platform'),
    channel: text('channel'),
    messageId: text('message_id'),
  },
  (table) => [uniqueIndex('release_runbook_tag_uq').on(table.tag)],
);

/** One step of a runbook. `done_at` is set once, by the first Done click or command that did it. */
export const releaseRunbookItem = atmobot.table(
  'release_runbook_item',
  {
    id: serial('id').primaryKey(),
    runbookId: integer('runbook_id')
      .notNull()
      .references(() => releaseRunbook.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    position: integer('position').notNull(),
    section: text('section').notNull(),
    title: text('title').notNull(),
    short: text('short').notNull(),
    /** `chief` or `driver`. */
    owner: text('owner').notNull(),
    site: text('site'),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    command: text('command'),
    hint: text('hint'),
    doneBy: text('done_by'),
    doneAt: timestamp('done_at', { withTimezone: true }),
    /** `button`, `command` (`release done`), or the bot command that did the work. */
    doneVia: text('done_via'),
    /** The site day the step was last reminded of while due or late; one reminder a day, across replicas. */
    remindedOn: date('reminded_on', { mode: 'string' }),
  },
  (table) => [uniqueIndex('release_runbook_item_key_uq').on(table.runbookId, table.key), index('release_runbook_item_open_idx').on(table.runbookId, table.doneAt)],
);
