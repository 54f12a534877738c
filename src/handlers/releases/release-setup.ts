import type { Logger } from '../../logger.js';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { isIntegrationError, UserError } from '../../errors.js';
import { integrationReason } from '../../bot/chat/render-error.js';
import type { GitHubReleases } from '../../integrations/github/github-releases.js';
import { checkNextReleaseTag, parseReleaseTag } from '../../integrations/github/release-tag.js';

/** The `vMM-N` argument of every release command, refused before anything runs when malformed. */
export const releaseTagArg = z.string().transform((text, ctx) => {
  const tag = text.trim();
  if (parseReleaseTag(tag)) return tag;
  const check = checkNextReleaseTag(null, tag);
  ctx.addIssue({ code: 'custom', message: check.ok ? `"${tag}" is not a release tag` : check.reason.replace(/\.$/, '') });
  return z.NEVER;
});

export const releaseTagOption = { name: 'tag', description: 'Release tag, v<major>-<patch>, e.g. v37-6', type: 'string', required: true } as const;

/** The GitHub client and the repositories to release, or a refusal telling the operator what to set. */
export function releaseSetup(deps: Deps): { releases: GitHubReleases; repos: readonly string[] } {
  if (!deps.releases) {
    throw new UserError('unavailable', 'Release tagging is not set up: an operator must set GITHUB_TOKEN (and RELEASE_REPOS, the repositories to release).');
  }
  if (deps.config.RELEASE_REPOS.length === 0) {
    throw new UserError('unavailable', 'No repositories to release: an operator must list them in RELEASE_REPOS, e.g. cyverse/atmosphere,cyverse/troposphere.');
  }
  return { releases: deps.releases, repos: deps.config.RELEASE_REPOS };
}

/**
 * The reason one repository failed, for the progress message. Refusals and GitHub failures say what
 * happened. Anything else is a bug: it is logged with its stack and reported for that repository
 * only, so the other repositories still run and the plan still records what was done where.
 */
export function repoFailureText(error: unknown, log: Logger): string {
  if (error instanceof UserError) return error.message;
  if (isIntegrationError(error)) {
    log.warn({ err: error }, 'a repository step failed');
    return integrationReason(error);
  }
  log.error({ err: error }, 'unexpected error while working on a repository');
  return 'an unexpected error in the bot (details in its log); nothing more was done on this repository';
}

export const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;
