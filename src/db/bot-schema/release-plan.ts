import { jsonb, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { atmobot } from './atmobot.js';

/** What the confirmation promised to create on one repository, fixed when the button was shown. */
export interface PlannedRepoRelease {
  repo: string;
  /** `create`: tag and release to make; `existing`: the release was already there, nothing to do. */
  kind: 'create' | 'existing';
  /** The merge commit of the release pull request the tag will point at (create only). */
  target: string | null;
  pullNumber: number | null;
  pullUrl: string | null;
  /** The changelog section that becomes the release notes (create only). */
  body: string;
  /** The release page when it already existed. */
  releaseUrl: string | null;
}

/** How each repository fared once the plan ran. */
export interface RepoReleaseOutcome {
  repo: string;
  outcome: 'created' | 'existing' | 'failed';
  url: string | null;
  detail: string;
}

/**
 * A release tagging plan shown behind a confirmation button. The button carries only the plan's id;
 * the click re-reads the plan here, and moving `state` from `pending` to `running` in one statement
 * lets the first of simultaneous clicks act, on any replica.
 */
export const releasePlan = atmobot.table('release_plan', {
  id: serial('id').primaryKey(),
  tag: text('tag').notNull(),
  repos: jsonb('repos').$type<PlannedRepoRelease[]>().notNull(),
  /** `pending` (button shown), `running`, `done` or `cancelled`. */
  state: text('state').notNull(),
  createdBy: text('created_by').notNull(),
  platform: text('platform').notNull(),
  chatUserId: text('chat_user_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  confirmedBy: text('confirmed_by'),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  outcomes: jsonb('outcomes').$type<RepoReleaseOutcome[]>(),
});
