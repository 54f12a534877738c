import type { Logger } from '../../logger.js';
import type { HandlerContext } from '../../bot/chat/command.js';
import type { Reply } from '../../bot/chat/reply.js';
import { UserError } from '../../errors.js';
import { extractReleaseSection } from '../../integrations/github/changelog.js';
import type { GitHubReleases } from '../../integrations/github/github-releases.js';
import { checkNextReleaseTag } from '../../integrations/github/release-tag.js';
import { createChannelBoard } from './progress-board.js';
import { renderReleaseProgress, type RepoProgress } from './render-release-progress.js';
import { releaseSetup, repoFailureText } from './release-setup.js';
import { tickStepDoneByCommand } from './runbook/tick-runbook-item.js';

/**
 * Checks that `tag` follows the latest tag of every repository, all before any write, and returns
 * each repository's previous tag. A refusal names every repository that is not ready and why.
 */
export async function checkTagAgainstRepos(releases: GitHubReleases, repos: readonly string[], tag: string): Promise<Map<string, string>> {
  const latest = await Promise.all(repos.map(async (repo) => ({ repo, latest: await releases.latestTag(repo) })));
  const problems: string[] = [];
  const previous = new Map<string, string>();
  for (const { repo, latest: last } of latest) {
    if (last === null) {
      problems.push(`• ${repo}: has no v<major>-<patch> tag yet, so there is nothing to compare ${tag} with; tag its first release on GitHub by hand.`);
      continue;
    }
    const check = checkNextReleaseTag(last, tag);
    if (check.ok) previous.set(repo, last);
    else problems.push(`• ${repo}: ${check.reason}`);
  }
  if (problems.length > 0) {
    const tags = latest.map(({ repo, latest: last }) => `${repo} ${last ?? '(none)'}`).join(', ');
    throw new UserError('conflict', `Nothing was changed: ${tag} cannot be prepared on every repository.\n${problems.join('\n')}\nLatest tags: ${tags}.`);
  }
  return previous;
}

/** What a failed repository left on GitHub, so staff know what a re-run will reuse. */
async function describeLeftovers(releases: GitHubReleases, repo: string, tag: string, log: Logger): Promise<string> {
  const branch = `release/${tag}`;
  try {
    const [onBranch, pull] = await Promise.all([releases.readChangelog(repo, branch), releases.releasePullRequestState(repo, tag)]);
    const branchText =
      onBranch === null
        ? `no ${branch} branch`
        : extractReleaseSection(onBranch.text, tag) !== null
          ? `branch ${branch} holds the ${tag} changelog`
          : `branch ${branch} exists, changelog not moved yet`;
    const pullText = pull.state === 'missing' ? 'no pull request' : `pull request #${pull.number} is ${pull.state} (${pull.url})`;
    return `${branchText}; ${pullText}`;
  } catch (error) {
    return `could not check what is on GitHub now (${repoFailureText(error, log)})`;
  }
}

/**
 * `/atmo release prepare <tag>`: on each repository, moves the changelog's Unreleased items into
 * `tag` on a release branch and opens the release pull request, one repository after the other,
 * editing one channel message as it goes. A failing repository leaves the others as they are.
 */
export async function prepareRelease(ctx: HandlerContext, tag: string): Promise<Reply> {
  const { releases, repos } = releaseSetup(ctx.deps);
  const previous = await checkTagAgainstRepos(releases, repos, tag);
  const date = ctx.deps.now().toISOString().slice(0, 10);
  const progress: RepoProgress[] = repos.map((repo) => ({ repo, state: 'pending', steps: [] }));
  const title = `Preparing release ${tag} (changelog dated ${date})`;
  const board = createChannelBoard(ctx.deps.chat, { platform: ctx.event.platform, channel: ctx.event.channel }, ctx.log);
  const footer = `Started by ${ctx.actor?.username ?? ctx.event.user.id}.`;
  await board.show(renderReleaseProgress({ title, repos: progress, footer }));

  for (const item of progress) {
    item.state = 'running';
    await board.show(renderReleaseProgress({ title, repos: progress, footer }));
    try {
      const pull = await releases.openReleasePullRequest(item.repo, { tag, previousTag: previous.get(item.repo)!, date });
      Object.assign(item, { state: 'done', steps: pull.steps, link: { label: `pull request #${pull.number}`, url: pull.url } } satisfies Partial<RepoProgress>);
    } catch (error) {
      Object.assign(item, { state: 'failed', failure: repoFailureText(error, ctx.log) } satisfies Partial<RepoProgress>);
      item.leftover = await describeLeftovers(releases, item.repo, tag, ctx.log);
    }
    if (item !== progress[progress.length - 1]) await board.show(renderReleaseProgress({ title, repos: progress, footer }));
  }

  const failed = progress.filter((item) => item.state === 'failed');
  const ticked = failed.length === 0 ? await tickStepDoneByCommand(ctx.deps, tag, 'changelog', ctx.actor?.username ?? ctx.event.user.id, 'release prepare') : '';
  const next =
    failed.length === 0
      ? `Next: review and merge the pull requests, then run \`/atmo release tag ${tag}\`.${ticked}`
      : `Not finished: ${failed.map((item) => item.repo).join(', ')} failed; the other repositories are left as they are. ` +
        `Fix what failed (or wait for GitHub) and run \`/atmo release prepare ${tag}\` again: it resumes, reusing existing branches and pull requests.`;
  const final = renderReleaseProgress({ title: `Release ${tag} prepared`, repos: progress, next, footer });
  await board.show(final);
  ctx.audit({ tag, date, repos: progress.map((item) => ({ repo: item.repo, state: item.state, url: item.link?.url, failure: item.failure })) });
  return { ...final, visibility: 'ephemeral' };
}
