import { IntegrationError, UserError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { ReleaseOctokitClient } from './release-octokit.js';
import { isAlreadyExists } from './github-error.js';
import { parseReleaseTag } from './release-tag.js';
import { describeTagStep } from './tag-step.js';
import type { CreatedRelease, ReleaseInfo, ReleaseStep } from './release-types.js';

const FULL_SHA = /^[0-9a-f]{40}$/i;

/** What the release verbs need from github-releases.ts: its client and its call wrapper. */
export interface ReleaseCallContext {
  octokit: ReleaseOctokitClient;
  call<T, E = never>(repo: string, action: string, run: () => Promise<T>, expected?: (error: unknown) => E | undefined): Promise<T | E>;
  split(repo: string): { owner: string; repo: string };
  notFound<V>(value: V): (error: unknown) => V | undefined;
  log: Logger;
}

/**
 * Reading and creating GitHub releases. Creating one creates its tag on the target commit; a release
 * or tag that already exists is reported, never duplicated.
 */
export function createReleaseVerbs(context: ReleaseCallContext) {
  const { octokit, call, split, notFound, log } = context;

async function getRelease(repo: string, tag: string): Promise<ReleaseInfo | null> {
  const { data } = await call(
    repo,
    `reading release ${tag}`,
    () => octokit.rest.repos.getReleaseByTag({ ...split(repo), tag }),
    notFound({ data: null }),
  );
  if (data === null) return null;
  return {
    tag: data.tag_name,
    name: data.name ?? data.tag_name,
    url: data.html_url,
    body: data.body ?? '',
    target: data.target_commitish,
    draft: data.draft,
    prerelease: data.prerelease,
  };
}

/**
 * The commit a tag names. A lightweight tag's ref points at the commit; an annotated tag's
 * (`git tag -a`) points at a tag object, which is read to reach the commit, so an annotated tag on
 * the merge commit is never mistaken for a tag on another commit.
 */
async function tagSha(repo: string, tag: string): Promise<string | null> {
  const { data } = await call(repo, `reading tag ${tag}`, () => octokit.rest.git.getRef({ ...split(repo), ref: `tags/${tag}` }), notFound({ data: null }));
  if (!data) return null;
  let object = data.object;
  // A tag of a tag is possible in git; a few steps cover any real chain.
  for (let depth = 0; object.type === 'tag' && depth < 5; depth += 1) {
    const sha = object.sha;
    const { data: annotated } = await call(repo, `reading the tag object of ${tag}`, () => octokit.rest.git.getTag({ ...split(repo), tag_sha: sha }));
    object = annotated.object;
  }
  return object.type === 'commit' ? object.sha : null;
}

/** The commit `target` names: itself when it is a full sha, else the head of that branch (null when unknown). */
async function targetSha(repo: string, target: string): Promise<string | null> {
  if (FULL_SHA.test(target)) return target.toLowerCase();
  const { data } = await call(repo, `reading the head of ${target}`, () => octokit.rest.git.getRef({ ...split(repo), ref: `heads/${target}` }), notFound({ data: null }));
  return data?.object.sha ?? null;
}

/** The tag step of a new release, warning (and logging) when the tag sits on another commit. */
async function tagStep(repo: string, tag: string, target: string, before: string | null, after: string | null): Promise<ReleaseStep> {
  const wanted = before === null ? null : await targetSha(repo, target);
  const step = describeTagStep({ tag, target, before, after, wanted });
  if (step.warning) log.warn({ repo, tag, tagSha: before, target: wanted }, 'release attached to a tag on another commit');
  return step;
}

const alreadyThere = (repo: string, tag: string, url: string, sha: string | null): CreatedRelease => ({
  repo,
  tag,
  url,
  alreadyExisted: true,
  tagExisted: true,
  tagSha: sha,
  steps: [{ step: 'release', outcome: 'existing', detail: `release ${tag} already existed` }],
});

async function createRelease(repo: string, input: { tag: string; body: string; target: string }): Promise<CreatedRelease> {
  const { tag, body, target } = input;
  const names = split(repo);
  if (!parseReleaseTag(tag)) throw new UserError('invalid_value', `"${tag}" is not a release tag; use v<major>-<patch>, e.g. v37-6.`);
  const existing = await getRelease(repo, tag);
  if (existing) {
    log.info({ repo, tag }, 'release already exists');
    return alreadyThere(repo, tag, existing.url, await tagSha(repo, tag));
  }
  const before = await tagSha(repo, tag);
  const data = await call(
    repo,
    `creating release ${tag}`,
    () =>
      octokit.rest.repos
        .createRelease({ ...names, tag_name: tag, target_commitish: target, name: tag, body, draft: false, prerelease: false })
        .then((response) => response.data),
    (error) => (isAlreadyExists(error) ? null : undefined),
  );
  let url: string;
  let after = before;
  if (data === null) {
    const found = await getRelease(repo, tag);
    if (!found) throw new IntegrationError('github', `GitHub says release ${tag} exists on ${repo} but cannot find it`, { status: 422 });
    const now = await tagSha(repo, tag);
    // The retry plugin resends a create that GitHub applied before answering 5xx; the resend then
    // meets our own release. A tag that was missing before this call and now carries a release on
    // our target was made by this call, so it counts as created (and gets announced).
    const ours = before === null && found.target === target && (!FULL_SHA.test(target) || now === target.toLowerCase());
    if (!ours) return alreadyThere(repo, tag, found.url, now);
    log.info({ repo, tag }, 'GitHub had applied the release before a failed answer; the retry found it');
    url = found.url;
    after = now;
  } else {
    url = data.html_url;
    after ??= await tagSha(repo, tag);
  }
  log.info({ repo, tag, target, tagSha: after }, 'release created');
  return {
    repo,
    tag,
    url,
    alreadyExisted: false,
    tagExisted: before !== null,
    tagSha: after,
    steps: [await tagStep(repo, tag, target, before, after), { step: 'release', outcome: 'created', detail: `published release ${tag}` }],
  };
}

  return { getRelease, createRelease };
}
