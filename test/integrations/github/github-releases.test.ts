import { readFileSync } from 'node:fs';
import { integrationReason, renderIntegrationError } from '../../../src/bot/chat/render-error.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntegrationError, UserError } from '../../../src/errors.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { ChangelogError, extractReleaseSection, releaseChangelog } from '../../../src/integrations/github/changelog.js';
import { createGitHubReleases, type GitHubReleases } from '../../../src/integrations/github/github-releases.js';
import { startFakeGitHub, type FakeGitHub } from '../../fakes/github.js';

const TOKEN = 'ghp_fakeTokenThatMustNeverBeLogged0123456789';
const changelog = readFileSync(new URL('../../fixtures/changelog-atmosphere.md', import.meta.url), 'utf8');
const release = { tag: 'v37-6', previousTag: 'v37-5', date: '2022-03-01' };
const expected = releaseChangelog(changelog, { ...release, repoUrl: 'https://github.com/cyverse/atmosphere' });

let github: FakeGitHub;
let memory: ReturnType<typeof createMemoryLogger>;
let releases: GitHubReleases;

function connect(token = TOKEN): GitHubReleases {
  return createGitHubReleases({
    token,
    baseUrl: github.url,
    branch: 'master',
    retry: { retryAfterBaseValue: 1 },
    throttle: false,
    log: memory.log,
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

beforeEach(async () => {
  github = await startFakeGitHub({
    token: TOKEN,
    repos: {
      'cyverse/atmosphere': { tags: ['v30', 'v37-4', 'v37-5', 'Zesty-Zapdos'], files: { 'CHANGELOG.md': changelog, 'README.md': '# Atmosphere\n' } },
      'cyverse/troposphere': { tags: ['v36-6'], files: { 'CHANGELOG.md': changelog.replaceAll('atmosphere', 'troposphere') } },
    },
  });
  memory = createMemoryLogger('trace');
  releases = connect();
});

afterEach(async () => {
  await github.close();
});

describe('latestTag', () => {
  it('reads every page of tags and ignores other formats', async () => {
    const many = Array.from({ length: 120 }, (_, patch) => `v36-${patch}`);
    // Sorted as text, v100-0 lands on the last page, so only pagination finds it.
    const big = await startFakeGitHub({ token: TOKEN, repos: { 'cyverse/atmosphere': { tags: [...many, 'v100-0', 'v99', 'Zesty-Zapdos'] } } });
    try {
      const client = createGitHubReleases({ token: TOKEN, baseUrl: big.url, branch: 'master', throttle: false, retry: { retryAfterBaseValue: 1 }, log: memory.log });
      expect(await client.latestTag('cyverse/atmosphere')).toBe('v100-0');
      expect(big.requests.map((request) => request.query.page ?? '1')).toEqual(['1', '2']);
      expect(big.requests.every((request) => request.query.per_page === '100')).toBe(true);
    } finally {
      await big.close();
    }
  });

  it('returns null for a repository without release tags', async () => {
    github.state.repos.get('cyverse/troposphere')!.tags.clear();
    expect(await releases.latestTag('cyverse/troposphere')).toBeNull();
  });

  it('retries a 5xx once and then succeeds', async () => {
    github.failNext({ method: 'GET', path: /\/tags$/, status: 502 });
    expect(await releases.latestTag('cyverse/atmosphere')).toBe('v37-5');
    expect(github.requests.map((request) => request.status)).toEqual([502, 200]);
  });
});

describe('readChangelog', () => {
  it('decodes the file and keeps its blob sha; null when missing', async () => {
    const file = await releases.readChangelog('cyverse/atmosphere', 'master');
    expect(file?.text).toBe(changelog);
    expect(file?.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await releases.readChangelog('cyverse/atmosphere', 'no-such-branch')).toBeNull();
  });
});

describe('openReleasePullRequest', () => {
  it('branches from master, commits the released changelog and opens "Release <tag>"', async () => {
    const pull = await releases.openReleasePullRequest('cyverse/atmosphere', release);

    expect(pull).toMatchObject({
      repo: 'cyverse/atmosphere',
      tag: 'v37-6',
      branch: 'release/v37-6',
      base: 'master',
      alreadyOpen: false,
      url: `https://github.com/cyverse/atmosphere/pull/${pull.number}`,
      section: expected.section,
    });
    expect(pull.steps.map((step) => `${step.step}:${step.outcome}`)).toEqual(['branch:created', 'changelog:created', 'pull_request:created']);
    expect(github.file('cyverse/atmosphere', 'release/v37-6', 'CHANGELOG.md')).toBe(expected.text);
    expect(github.file('cyverse/atmosphere', 'master', 'CHANGELOG.md')).toBe(changelog);
    const [stored] = github.state.repos.get('cyverse/atmosphere')!.pulls;
    expect(stored).toMatchObject({ number: pull.number, title: 'Release v37-6', head: 'release/v37-6', base: 'master', state: 'open' });
    expect(stored!.body).toContain(expected.section);

    const getRef = github.requests.find((request) => request.method === 'GET' && request.path.includes('/git/ref/'));
    expect(getRef?.rawPath).toBe('/repos/cyverse/atmosphere/git/ref/heads%2Fmaster');
    const createRef = github.requests.find((request) => request.method === 'POST' && request.path.endsWith('/git/refs'));
    expect(createRef?.body).toMatchObject({ ref: 'refs/heads/release/v37-6' });
    const put = github.requests.find((request) => request.method === 'PUT');
    expect(put?.body).toMatchObject({ branch: 'release/v37-6', message: 'Release v37-6', sha: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(github.requests.every((request) => request.authorization === `token ${TOKEN}`)).toBe(true);
  });

  it('returns the open pull request on a second call instead of duplicating anything', async () => {
    const first = await releases.openReleasePullRequest('cyverse/atmosphere', release);
    const writesBefore = github.requests.filter((request) => request.method !== 'GET').length;

    const second = await releases.openReleasePullRequest('cyverse/atmosphere', release);

    expect(second).toMatchObject({ number: first.number, url: first.url, alreadyOpen: true, section: expected.section });
    expect(second.steps).toEqual([{ step: 'pull_request', outcome: 'existing', detail: `pull request #${first.number} was already open` }]);
    expect(github.requests.filter((request) => request.method !== 'GET').length).toBe(writesBefore);
    expect(github.state.repos.get('cyverse/atmosphere')!.pulls).toHaveLength(1);
  });

  it('resumes on the existing branch after a run that stopped before the commit', async () => {
    github.failNext({ method: 'PUT', path: /\/contents\/CHANGELOG\.md$/, status: 422, message: 'Invalid request.' });
    const failed = await rejection(releases.openReleasePullRequest('cyverse/atmosphere', release));
    expect(failed).toBeInstanceOf(IntegrationError);
    expect(github.state.repos.get('cyverse/atmosphere')!.branches.has('release/v37-6')).toBe(true);

    const pull = await releases.openReleasePullRequest('cyverse/atmosphere', release);

    expect(pull.steps.map((step) => `${step.step}:${step.outcome}`)).toEqual(['branch:existing', 'changelog:created', 'pull_request:created']);
    expect(github.file('cyverse/atmosphere', 'release/v37-6', 'CHANGELOG.md')).toBe(expected.text);
  });

  it('refuses a tag that is not next and writes nothing', async () => {
    const error = await rejection(releases.openReleasePullRequest('cyverse/atmosphere', { ...release, tag: 'v37-7' }));
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^cyverse\/atmosphere: .*v37-6 \(patch\) or v38-0/);
    expect(github.requests).toHaveLength(0);
  });

  it('opens the release pull request for an empty Unreleased section, with an empty section to write the entries in', async () => {
    github.push('cyverse/atmosphere', 'master', { 'CHANGELOG.md': expected.text });
    const pull = await releases.openReleasePullRequest('cyverse/atmosphere', { ...release, tag: 'v37-7', previousTag: 'v37-6' });
    const changelogStep = pull.steps.find((step) => step.step === 'changelog')!;
    expect(changelogStep).toMatchObject({ outcome: 'created', warning: true });
    expect(changelogStep.detail).toContain('the v37-7 section has no entries yet: write them in CHANGELOG.md on release/v37-7 before merging');
    const onBranch = github.file('cyverse/atmosphere', 'release/v37-7', 'CHANGELOG.md')!;
    expect(onBranch).toContain('## [v37-7](https://github.com/cyverse/atmosphere/compare/v37-6...v37-7) - 2022-03-01');
    expect(github.state.repos.get('cyverse/atmosphere')!.pulls.at(-1)!.body).toContain('Unreleased had no entries');
  });

  it('refuses to prepare again once the release pull request is merged', async () => {
    const pull = await releases.openReleasePullRequest('cyverse/atmosphere', release);
    github.mergePullRequest('cyverse/atmosphere', pull.number);
    const error = await rejection(releases.openReleasePullRequest('cyverse/atmosphere', release));
    expect(error).toMatchObject({ code: 'conflict', message: expect.stringContaining(`#${pull.number} for v37-6 is already merged`) });
  });
});

describe('releasePullRequestState and createRelease', () => {
  it('follows the pull request from missing to open to merged', async () => {
    expect(await releases.releasePullRequestState('cyverse/atmosphere', 'v37-6')).toEqual({ state: 'missing' });
    const pull = await releases.openReleasePullRequest('cyverse/atmosphere', release);
    expect(await releases.releasePullRequestState('cyverse/atmosphere', 'v37-6')).toEqual({
      state: 'open',
      number: pull.number,
      url: pull.url,
      branch: 'release/v37-6',
      mergeCommitSha: null,
    });
    const mergeSha = github.mergePullRequest('cyverse/atmosphere', pull.number);
    expect(await releases.releasePullRequestState('cyverse/atmosphere', 'v37-6')).toMatchObject({ state: 'merged', mergeCommitSha: mergeSha });
  });

  it('reports a closed, unmerged pull request as closed', async () => {
    const pull = await releases.openReleasePullRequest('cyverse/atmosphere', release);
    github.closePullRequest('cyverse/atmosphere', pull.number);
    expect(await releases.releasePullRequestState('cyverse/atmosphere', 'v37-6')).toMatchObject({ state: 'closed', number: pull.number });
  });

  it('creates the release with the changelog section as body and the tag on the merge commit, once', async () => {
    const pull = await releases.openReleasePullRequest('cyverse/atmosphere', release);
    const mergeSha = github.mergePullRequest('cyverse/atmosphere', pull.number);
    const merged = await releases.readChangelog('cyverse/atmosphere', 'master');
    expect(merged?.text).toBe(expected.text);
    const body = extractReleaseSection(merged!.text, 'v37-6')!;

    const created = await releases.createRelease('cyverse/atmosphere', { tag: 'v37-6', body, target: mergeSha });

    expect(created).toMatchObject({
      repo: 'cyverse/atmosphere',
      tag: 'v37-6',
      url: 'https://github.com/cyverse/atmosphere/releases/tag/v37-6',
      alreadyExisted: false,
      tagExisted: false,
      tagSha: mergeSha,
    });
    expect(created.steps.map((step) => `${step.step}:${step.outcome}`)).toEqual(['tag:created', 'release:created']);
    expect(github.state.repos.get('cyverse/atmosphere')!.tags.get('v37-6')).toBe(mergeSha);
    expect(await releases.getRelease('cyverse/atmosphere', 'v37-6')).toMatchObject({ tag: 'v37-6', name: 'v37-6', body: expected.section, target: mergeSha, draft: false });
    expect(await releases.latestTag('cyverse/atmosphere')).toBe('v37-6');

    const again = await releases.createRelease('cyverse/atmosphere', { tag: 'v37-6', body, target: mergeSha });
    expect(again).toMatchObject({ alreadyExisted: true, url: created.url, tagSha: mergeSha });
    expect(github.state.repos.get('cyverse/atmosphere')!.releases).toHaveLength(1);
  });

  it('attaches the release to a tag made by hand and says so', async () => {
    const sha = github.state.repos.get('cyverse/atmosphere')!.branches.get('master')!;
    github.state.repos.get('cyverse/atmosphere')!.tags.set('v37-6', sha);
    const created = await releases.createRelease('cyverse/atmosphere', { tag: 'v37-6', body: 'notes', target: 'master' });
    expect(created).toMatchObject({ alreadyExisted: false, tagExisted: true, tagSha: sha });
    expect(created.steps[0]).toEqual({ step: 'tag', outcome: 'existing', detail: `tag v37-6 already existed at ${sha.slice(0, 7)}` });
  });

  it('reports a release as created when GitHub applied it, answered 502 and the retry met it', async () => {
    const pull = await releases.openReleasePullRequest('cyverse/atmosphere', release);
    const mergeSha = github.mergePullRequest('cyverse/atmosphere', pull.number);
    github.failAfterApplying({ method: 'POST', path: /\/releases$/, status: 502 });

    const created = await releases.createRelease('cyverse/atmosphere', { tag: 'v37-6', body: 'notes', target: mergeSha });

    expect(github.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/releases')).map((request) => request.status)).toEqual([502, 422]);
    expect(created).toMatchObject({ alreadyExisted: false, tagExisted: false, tagSha: mergeSha, url: 'https://github.com/cyverse/atmosphere/releases/tag/v37-6' });
    expect(created.steps.map((step) => `${step.step}:${step.outcome}`)).toEqual(['tag:created', 'release:created']);
    expect(github.state.repos.get('cyverse/atmosphere')!.releases).toHaveLength(1);
  });

  it('still reports a release someone else made on another commit, between the look-ups and the create, as existing', async () => {
    const pull = await releases.openReleasePullRequest('cyverse/atmosphere', release);
    const mergeSha = github.mergePullRequest('cyverse/atmosphere', pull.number);
    const other = github.push('cyverse/atmosphere', 'master', { 'README.md': '# Atmosphere, later\n' });
    await releases.createRelease('cyverse/atmosphere', { tag: 'v37-6', body: 'by hand', target: other });
    // Our look-ups ran before that release existed: they saw no release and no tag.
    github.failNext({ method: 'GET', path: /\/releases\/tags\/v37-6$/, status: 404, message: 'Not Found' });
    github.failNext({ method: 'GET', path: /\/git\/ref\/tags\/v37-6$/, status: 404, message: 'Not Found' });

    const result = await releases.createRelease('cyverse/atmosphere', { tag: 'v37-6', body: 'notes', target: mergeSha });

    expect(github.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/releases')).map((request) => request.status)).toEqual([201, 422]);
    expect(result).toMatchObject({ alreadyExisted: true, tagSha: other });
    expect(result.steps).toEqual([{ step: 'release', outcome: 'existing', detail: 'release v37-6 already existed' }]);
  });

  it('compares an annotated tag by the commit it names, not by its tag object', async () => {
    const pull = await releases.openReleasePullRequest('cyverse/atmosphere', release);
    const mergeSha = github.mergePullRequest('cyverse/atmosphere', pull.number);
    // `git tag -a v37-6 <merge commit>` pushed by hand: the ref points at the tag object.
    const objectSha = github.annotateTag('cyverse/atmosphere', 'v37-6', mergeSha);
    expect(objectSha).not.toBe(mergeSha);

    const created = await releases.createRelease('cyverse/atmosphere', { tag: 'v37-6', body: 'notes', target: mergeSha });

    expect(created).toMatchObject({ alreadyExisted: false, tagExisted: true, tagSha: mergeSha });
    expect(created.steps[0]).toEqual({ step: 'tag', outcome: 'existing', detail: `tag v37-6 already existed at ${mergeSha.slice(0, 7)}` });
    expect(created.steps.some((step) => step.warning)).toBe(false);
    expect(github.requests.some((request) => request.method === 'GET' && request.path.endsWith(`/git/tags/${objectSha}`))).toBe(true);

    // An annotated tag on another commit is still told apart.
    const elsewhere = github.push('cyverse/atmosphere', 'master', { 'README.md': '# Atmosphere, later\n' });
    github.annotateTag('cyverse/atmosphere', 'v37-7', elsewhere);
    const other = await releases.createRelease('cyverse/atmosphere', { tag: 'v37-7', body: 'notes', target: mergeSha });
    expect(other).toMatchObject({ tagSha: elsewhere });
    expect(other.steps[0]).toMatchObject({ warning: true });
  });

  it('warns when the tag already points at another commit than the merge commit', async () => {
    const pull = await releases.openReleasePullRequest('cyverse/atmosphere', release);
    const mergeSha = github.mergePullRequest('cyverse/atmosphere', pull.number);
    const elsewhere = github.push('cyverse/atmosphere', 'master', { 'README.md': '# Atmosphere, later\n' });
    github.state.repos.get('cyverse/atmosphere')!.tags.set('v37-6', elsewhere);

    const created = await releases.createRelease('cyverse/atmosphere', { tag: 'v37-6', body: 'notes', target: mergeSha });

    expect(created).toMatchObject({ alreadyExisted: false, tagExisted: true, tagSha: elsewhere });
    expect(created.steps[0]).toEqual({
      step: 'tag',
      outcome: 'existing',
      detail: `tag v37-6 already points at ${elsewhere.slice(0, 7)}, not the merge commit ${mergeSha.slice(0, 7)}; the release is attached to the existing tag`,
      warning: true,
    });
    expect(github.state.repos.get('cyverse/atmosphere')!.tags.get('v37-6')).toBe(elsewhere);
    expect(memory.lines.some((line) => line.msg === 'release attached to a tag on another commit' && line.tagSha === elsewhere)).toBe(true);
  });

  it('returns null for a release that does not exist', async () => {
    expect(await releases.getRelease('cyverse/atmosphere', 'v37-5')).toBeNull();
  });

  it("shows GitHub's message for a 422", async () => {
    const error = await rejection(releases.createRelease('cyverse/atmosphere', { tag: 'v37-6', body: 'x', target: 'f'.repeat(40) }));
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ service: 'github', status: 422 });
    expect((error as Error).message).toBe('GitHub refused creating release v37-6 on cyverse/atmosphere (422): Validation Failed: target_commitish invalid');
  });
});

describe('failures', () => {
  it('names the repository that fails permanently, after retrying', async () => {
    github.breakRepo('cyverse/troposphere', 500);
    expect(await releases.latestTag('cyverse/atmosphere')).toBe('v37-5');
    const error = await rejection(releases.latestTag('cyverse/troposphere'));
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ service: 'github', status: 500 });
    expect((error as Error).message).toBe('GitHub failed while listing tags on cyverse/troposphere (500)');
    expect(integrationReason(error as IntegrationError)).toBe('GitHub failed while listing tags on cyverse/troposphere (500); try again later');
    expect(github.requests.filter((request) => request.path.startsWith('/repos/cyverse/troposphere')).length).toBe(4);
  });

  it('points at GITHUB_TOKEN on a 401 and at the repository on a 403', async () => {
    const wrong = connect('ghp_wrongTokenAlsoSecret000000000000000');
    const unauthorized = await rejection(wrong.latestTag('cyverse/atmosphere'));
    expect(unauthorized).toMatchObject({ status: 401, operation: 'listing tags on cyverse/atmosphere' });
    expect(integrationReason(unauthorized as IntegrationError)).toContain('; an operator should check GITHUB_TOKEN');

    github.failNext({ path: /\/pulls$/, status: 403, message: 'Resource not accessible by integration' });
    const forbidden = await rejection(releases.openReleasePullRequest('cyverse/troposphere', { tag: 'v36-7', previousTag: 'v36-6', date: '2022-03-01' }));
    expect(forbidden).toMatchObject({ status: 403, message: expect.stringContaining('the GitHub token cannot see or write cyverse/troposphere'), hint: 'give it write access to contents and pull requests there' });
  });

  it('names a missing release branch', async () => {
    const client = createGitHubReleases({ token: TOKEN, baseUrl: github.url, branch: 'main', throttle: false, log: memory.log });
    const error = await rejection(client.openReleasePullRequest('cyverse/atmosphere', release));
    expect(error).toMatchObject({ service: 'github', status: 404, message: 'cyverse/atmosphere has no branch main' });
    expect((error as IntegrationError).hint).toContain('RELEASE_BRANCH');
    expect(renderIntegrationError(error as IntegrationError)).toMatch(/RELEASE_BRANCH names the branch releases are cut from; an operator should check it.$/);
  });

  it('never writes the token into a log line or an error', async () => {
    github.failNext({ path: /\/tags$/, status: 503 });
    await releases.latestTag('cyverse/atmosphere');
    const pull = await releases.openReleasePullRequest('cyverse/atmosphere', release);
    github.mergePullRequest('cyverse/atmosphere', pull.number);
    github.breakRepo('cyverse/troposphere', 502);
    const errors = [
      await rejection(releases.latestTag('cyverse/troposphere')),
      await rejection(connect(`${TOKEN}x`).latestTag('cyverse/atmosphere')),
    ];

    const logged = JSON.stringify(memory.lines);
    expect(memory.lines.some((line) => line.msg === 'release pull request opened')).toBe(true);
    // A failure is logged by whoever ends it, not by the client.
    expect(memory.lines.some((line) => line.msg === 'GitHub call failed')).toBe(false);
    expect(logged).not.toContain(TOKEN);
    expect(logged).not.toContain(TOKEN.slice(4, 20));
    for (const error of errors) {
      expect(JSON.stringify({ message: (error as Error).message, detail: (error as IntegrationError).detail })).not.toContain(TOKEN);
    }
  });
});

describe('an unreachable GitHub', () => {
  it('names the base URL instead of blaming GitHub', async () => {
    const gone = await startFakeGitHub({ token: TOKEN, repos: {} });
    await gone.close();
    const client = createGitHubReleases({ token: TOKEN, baseUrl: gone.url, branch: 'master', throttle: false, retry: { retryAfterBaseValue: 1 }, log: memory.log });
    const error = await rejection(client.latestTag('cyverse/atmosphere'));
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ status: undefined, message: expect.stringContaining(`could not reach GitHub at ${gone.url} while listing tags on cyverse/atmosphere`) });
  });
});

describe('rate limits', () => {
  it('says a rate limit stopped the call rather than blaming the token', async () => {
    github.failNext({ path: /\/tags$/, status: 403, message: 'API rate limit exceeded for installation ID 1.' });
    const error = await rejection(releases.latestTag('cyverse/atmosphere'));
    expect(error).toMatchObject({ status: 403, code: 'rate_limited', message: "GitHub's rate limit stopped listing tags on cyverse/atmosphere (403)" });
    expect(renderIntegrationError(error as IntegrationError)).toBe('GitHub is limiting how often the bot may call it. Try again in a few minutes.');
  });
});
