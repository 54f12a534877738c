import type { HandlerContext } from '../../bot/chat/command.js';
import type { Reply } from '../../bot/chat/reply.js';
import { UserError } from '../../errors.js';
import { createReleasePlan, type PlannedRepoRelease } from '../../db/queries/releases.js';
import { extractReleaseSection } from '../../integrations/github/changelog.js';
import type { GitHubReleases } from '../../integrations/github/github-releases.js';
import { releaseSetup } from './release-setup.js';
import { renderNotMerged, renderReleasePlan, type PullRefusal } from './render-release-plan.js';

/** The release notes: the tag's changelog section as merged, read at the merge commit itself. */
async function notesAt(releases: GitHubReleases, repo: string, tag: string, sha: string): Promise<string | { problem: string }> {
  const changelog = await releases.readChangelog(repo, sha);
  const section = changelog ? extractReleaseSection(changelog.text, tag) : null;
  if (section === null) return { problem: `• ${repo}: CHANGELOG.md at the merge commit ${sha.slice(0, 7)} has no ${tag} section; fix the changelog on the release branch and merge again.` };
  if (section.trim() === '') {
    return {
      problem: `• ${repo}: the ${tag} section of CHANGELOG.md at the merge commit ${sha.slice(0, 7)} has no entries, so its release would have no notes. The entries belong in the release pull request before it is merged; now, add them by a follow-up pull request and create this release on GitHub by hand.`,
    };
  }
  return section;
}

/**
 * `/atmo release tag <tag>`: once every release pull request is merged, stores a plan saying exactly
 * what will be created on each repository and shows it behind a confirmation button. Repositories
 * whose release already exists are shown as such and left alone, which makes a re-run after a
 * partial failure finish only what is missing.
 */
export async function planReleaseTag(ctx: HandlerContext, tag: string): Promise<Reply> {
  const { deps } = ctx;
  const { releases, repos } = releaseSetup(deps);
  const looks = await Promise.all(
    repos.map(async (repo) => {
      const existing = await releases.getRelease(repo, tag);
      return existing ? { repo, existing, pull: null } : { repo, existing: null, pull: await releases.releasePullRequestState(repo, tag) };
    }),
  );
  const blocked = looks.flatMap((look): PullRefusal[] => (look.pull && look.pull.state !== 'merged' ? [{ repo: look.repo, pull: look.pull }] : []));
  if (blocked.length > 0) throw new UserError('conflict', renderNotMerged(tag, blocked));
  if (looks.every((look) => look.existing)) {
    return {
      text: `Release ${tag} already exists on every repository; nothing to do.\n${looks.map((look) => `• ${look.repo}: ${look.existing!.url}`).join('\n')}`,
      tone: 'info',
    };
  }

  const problems: string[] = [];
  const planned: PlannedRepoRelease[] = [];
  for (const look of looks) {
    if (look.existing) {
      planned.push({ repo: look.repo, kind: 'existing', target: null, pullNumber: null, pullUrl: null, body: '', releaseUrl: look.existing.url });
      continue;
    }
    const pull = look.pull!;
    if (pull.state !== 'merged') continue;
    if (!pull.mergeCommitSha) {
      problems.push(`• ${look.repo}: GitHub reports pull request #${pull.number} merged but gives no merge commit; try again in a minute.`);
      continue;
    }
    const notes = await notesAt(releases, look.repo, tag, pull.mergeCommitSha);
    if (typeof notes !== 'string') {
      problems.push(notes.problem);
      continue;
    }
    planned.push({ repo: look.repo, kind: 'create', target: pull.mergeCommitSha, pullNumber: pull.number, pullUrl: pull.url, body: notes, releaseUrl: null });
  }
  if (problems.length > 0) throw new UserError('conflict', `Nothing was created: ${tag} cannot be tagged yet.\n${problems.join('\n')}`);

  const createdBy = ctx.actor?.username ?? ctx.event.user.id;
  const plan = await createReleasePlan(deps.db, {
    tag,
    repos: planned,
    createdBy,
    platform: ctx.event.platform,
    chatUserId: ctx.event.user.id,
    createdAt: deps.now(),
  });
  ctx.audit({ tag, planId: plan.id, repos: planned.map((item) => ({ repo: item.repo, kind: item.kind, target: item.target })) });
  return renderReleasePlan({ id: plan.id, tag, repos: planned, createdBy, announceChannel: deps.config.announceChannel });
}
