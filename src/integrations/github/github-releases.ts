import { IntegrationError, UserError } from '../../errors.js';
import { createReleaseVerbs } from './create-release.js';
import type { Logger } from '../../logger.js';
import { extractReleaseSection, releaseChangelog } from './changelog.js';
import { isAlreadyExists, statusOf, toGitHubIntegrationError } from './github-error.js';
import { createReleaseOctokit } from './release-octokit.js';
import { checkNextReleaseTag, latestReleaseTag } from './release-tag.js';
import type { GitHubReleases, ReleasePullRequest, ReleasePullRequestStatus, ReleaseStep } from './release-types.js';

/**
 * Release tagging as the deploy guide does it by hand: move the changelog's Unreleased items into a
 * named release on a `release/<tag>` branch, open the "Release <tag>" pull request against the release
 * branch, and once it is merged create the GitHub release, which creates the tag on the merge commit.
 * Every verb is safe to repeat: what already exists is reported, never duplicated.
 */

// Callers import the release types from here.
export type {
  CreatedRelease,
  GitHubReleases,
  ReleaseInfo,
  ReleasePullRequest,
  ReleasePullRequestStatus,
  ReleaseStep,
  ReleaseStepName,
} from './release-types.js';

export interface GitHubReleasesOptions {
  token: string;
  /** REST base, https://api.github.com by default (https://host/api/v3 for GitHub Enterprise). */
  baseUrl?: string;
  /** Web base for the changelog compare links, https://github.com by default. */
  webUrl?: string;
  /** The branch releases are cut from and merged into (RELEASE_BRANCH). */
  branch: string;
  changelogPath?: string;
  /** plugin-retry options; tests set `retryAfterBaseValue: 1` so retries do not wait seconds. */
  retry?: { retries?: number; retryAfterBaseValue?: number };
  /** plugin-throttling on (default) or off; off in tests, where writes would wait 1 s each. */
  throttle?: boolean;
  request?: { fetch?: typeof fetch };
  /** Per-request timeout in milliseconds (GITHUB_TIMEOUT_MS); none when unset. */
  timeoutMs?: number;
  log: Logger;
}

/** Creates the release verbs over one Octokit client. */
export function createGitHubReleases(options: GitHubReleasesOptions): GitHubReleases {
  const log = options.log.child({ integration: 'github' });
  const branch = options.branch;
  const path = options.changelogPath ?? 'CHANGELOG.md';
  const webUrl = (options.webUrl ?? 'https://github.com').replace(/\/+$/, '');
  const baseUrl = (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const redact = (text: string) => (options.token ? text.split(options.token).join('[redacted]') : text);
  const octokit = createReleaseOctokit({
    token: options.token,
    baseUrl,
    request: options.request,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    retry: options.retry,
    throttle: options.throttle,
    redact,
    log,
  });

  /** Runs one call; `expected` turns the given statuses into a value instead of an error. */
  async function call<T, E = never>(repo: string, action: string, run: () => Promise<T>, expected?: (error: unknown) => E | undefined): Promise<T | E> {
    try {
      return await run();
    } catch (error) {
      const handled = expected?.(error);
      if (handled !== undefined) return handled;
      // Octokit's errors all carry a status; anything else is a bug and stays one.
      if (statusOf(error) === undefined) throw error;
      throw toGitHubIntegrationError(error, { repo, action, baseUrl, redact });
    }
  }

  function split(repo: string): { owner: string; repo: string } {
    const match = /^([\w.-]+)\/([\w.-]+)$/.exec(repo);
    if (!match) throw new UserError('invalid_value', `"${repo}" is not a repository; write it as owner/name, e.g. cyverse/atmosphere.`);
    return { owner: match[1]!, repo: match[2]! };
  }

  const notFound = <V>(value: V) => (error: unknown) => (statusOf(error) === 404 ? value : undefined);

  async function readChangelog(repo: string, ref: string): Promise<{ text: string; sha: string } | null> {
    const { data } = await call(
      repo,
      `reading ${path} at ${ref}`,
      () => octokit.rest.repos.getContent({ ...split(repo), path, ref }),
      notFound({ data: null }),
    );
    if (data === null) return null;
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) {
      throw new IntegrationError('github', `${path} in ${repo} at ${ref} is not a file`);
    }
    return { text: Buffer.from(data.content, 'base64').toString('utf8'), sha: data.sha };
  }

  async function findPulls(repo: string, tag: string) {
    const target = split(repo);
    const { data } = await call(repo, `looking for the release pull request of ${tag}`, () =>
      octokit.rest.pulls.list({ ...target, state: 'all', head: `${target.owner}:release/${tag}`, per_page: 100 }),
    );
    return data;
  }

  async function releasePullRequestState(repo: string, tag: string): Promise<ReleasePullRequestStatus> {
    const pulls = await findPulls(repo, tag);
    const pick = pulls.find((pull) => pull.state === 'open') ?? pulls.find((pull) => pull.merged_at !== null) ?? pulls[0];
    if (!pick) return { state: 'missing' };
    const state = pick.state === 'open' ? 'open' : pick.merged_at !== null ? 'merged' : 'closed';
    return { state, number: pick.number, url: pick.html_url, branch: pick.head.ref, mergeCommitSha: state === 'merged' ? (pick.merge_commit_sha ?? null) : null };
  }

  async function openReleasePullRequest(repo: string, input: { tag: string; previousTag: string; date: string }): Promise<ReleasePullRequest> {
    const { tag, previousTag, date } = input;
    const target = split(repo);
    const check = checkNextReleaseTag(previousTag, tag);
    if (!check.ok) throw new UserError('invalid_value', `${repo}: ${check.reason}`);
    const releaseBranch = `release/${tag}`;
    const steps: ReleaseStep[] = [];
    const result = (pull: { number: number; html_url: string }, alreadyOpen: boolean, section: string): ReleasePullRequest => ({
      repo,
      tag,
      number: pull.number,
      url: pull.html_url,
      branch: releaseBranch,
      base: branch,
      alreadyOpen,
      section,
      steps,
    });

    const pulls = await findPulls(repo, tag);
    const open = pulls.find((pull) => pull.state === 'open');
    if (open) {
      const changelog = await readChangelog(repo, releaseBranch);
      steps.push({ step: 'pull_request', outcome: 'existing', detail: `pull request #${open.number} was already open` });
      log.info({ repo, tag, pull: open.number }, 'release pull request already open');
      return result(open, true, (changelog && extractReleaseSection(changelog.text, tag)) ?? '');
    }
    const merged = pulls.find((pull) => pull.merged_at !== null);
    if (merged) {
      throw new UserError('conflict', `${repo}: the release pull request #${merged.number} for ${tag} is already merged; tag the release instead of preparing it again.`);
    }

    const { data: head } = await call(repo, `reading the head of ${branch}`, () => octokit.rest.git.getRef({ ...target, ref: `heads/${branch}` }), notFound({ data: null }));
    if (head === null) throw new IntegrationError('github', `${repo} has no branch ${branch}`, { status: 404, operation: `reading branch ${branch} of ${repo}`, hint: 'RELEASE_BRANCH names the branch releases are cut from; an operator should check it.' });
    const base = await readChangelog(repo, head.object.sha);
    if (base === null) throw new UserError('not_found', `${repo} has no ${path} on ${branch}, so there is no changelog to release.`);
    const repoUrl = `${webUrl}/${target.owner}/${target.repo}`;
    // Checked before any write, so a changelog problem leaves nothing behind on GitHub.
    let update = releaseChangelog(base.text, { tag, previousTag, date, repoUrl });
    let fileSha = base.sha;

    const created = await call(
      repo,
      `creating branch ${releaseBranch}`,
      () => octokit.rest.git.createRef({ ...target, ref: `refs/heads/${releaseBranch}`, sha: head.object.sha }).then(() => true),
      (error) => (isAlreadyExists(error) ? false : undefined),
    );
    steps.push({ step: 'branch', outcome: created ? 'created' : 'existing', detail: created ? `created ${releaseBranch} from ${branch}` : `${releaseBranch} already existed` });

    let needsCommit = true;
    if (!created) {
      // A previous run stopped after making the branch: carry on from what the branch holds.
      const onBranch = await readChangelog(repo, releaseBranch);
      if (onBranch === null) throw new UserError('not_found', `${repo}: the branch ${releaseBranch} has no ${path}; delete the branch and prepare the release again.`);
      const section = extractReleaseSection(onBranch.text, tag);
      if (section !== null) {
        needsCommit = false;
        update = { text: onBranch.text, section, empty: section.trim() === '' };
      } else {
        update = releaseChangelog(onBranch.text, { tag, previousTag, date, repoUrl });
        fileSha = onBranch.sha;
      }
    }
    if (needsCommit) {
      const content = Buffer.from(update.text, 'utf8').toString('base64');
      await call(repo, `committing ${path} to ${releaseBranch}`, () =>
        octokit.rest.repos.createOrUpdateFileContents({ ...target, path, message: `Release ${tag}`, content, sha: fileSha, branch: releaseBranch }),
      );
    }
    const emptyNote = `the ${tag} section has no entries yet: write them in ${path} on ${releaseBranch} before merging`;
    steps.push({
      step: 'changelog',
      outcome: needsCommit ? 'created' : 'existing',
      detail: `${needsCommit ? `moved Unreleased into ${tag} in ${path}` : `${path} on ${releaseBranch} already had ${tag}`}${update.empty ? `; ${emptyNote}` : ''}`,
      ...(update.empty ? { warning: true } : {}),
    });

    const body = update.empty
      ? `Releases ${tag}. Unreleased had no entries, so ${emptyNote}; \`/atmo release tag\` refuses a release with an empty section.\n`
      : `Moves the Unreleased entries of ${path} into ${tag}.\n\n${update.section}\n`;
    const pull = await call(
      repo,
      `opening the pull request ${releaseBranch} → ${branch}`,
      () => octokit.rest.pulls.create({ ...target, title: `Release ${tag}`, head: releaseBranch, base: branch, body }).then(({ data }) => data),
      (error) => (isAlreadyExists(error) ? null : undefined),
    );
    if (pull === null) {
      // Another run opened it between our look-up and now.
      const raced = (await findPulls(repo, tag)).find((item) => item.state === 'open');
      if (!raced) throw new IntegrationError('github', `GitHub says a pull request for ${releaseBranch} exists on ${repo} but lists none open`, { status: 422 });
      steps.push({ step: 'pull_request', outcome: 'existing', detail: `pull request #${raced.number} was already open` });
      return result(raced, true, update.section);
    }
    steps.push({ step: 'pull_request', outcome: 'created', detail: `opened pull request #${pull.number} into ${branch}` });
    log.info({ repo, tag, pull: pull.number }, 'release pull request opened');
    return result(pull, false, update.section);
  }

  const { getRelease, createRelease } = createReleaseVerbs({ octokit, call, split, notFound, log });

  return {
    async latestTag(repo) {
      const names = await call(repo, 'listing tags', () =>
        octokit.paginate(octokit.rest.repos.listTags, { ...split(repo), per_page: 100 }, (response) => response.data.map((tag) => tag.name)),
      );
      return latestReleaseTag(names);
    },
    readChangelog,
    openReleasePullRequest,
    releasePullRequestState,
    createRelease,
    getRelease,
  };
}
