import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createTestContext, commandEvent, dispatch, type TestContext } from '../../support/test-deps.js';
import type { DbKind } from '../../support/databases.js';
import { startFakeGitHub, type FakeGitHub, type FakePull } from '../../fakes/github.js';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import type { Reply } from '../../../src/bot/chat/reply.js';
import { createGitHubReleases } from '../../../src/integrations/github/github-releases.js';

export const TOKEN = 'ghp_releaseHandlerTestToken0123456789abcdef';
export const ATMO = 'cyverse/atmosphere';
export const TROPO = 'cyverse/troposphere';
export const kpatel = { id: 'op', actingAs: 'kpatel' };
export const mdelgado = { id: 'op2', actingAs: 'mdelgado' };
export const jsmith = { id: 'op3', actingAs: 'jsmith' };
const changelog = readFileSync(new URL('../../fixtures/changelog-atmosphere.md', import.meta.url), 'utf8');

/** Everything a reply shows, as one string, so assertions read like what staff see. */
export const shown = (reply: Reply | undefined): string => [reply?.text ?? '', ...(reply?.sections ?? []).map((section) => section.text)].join('\n');

export interface ReleaseHarness {
  t: TestContext;
  github: FakeGitHub;
  dispatcher: Dispatcher;
  run(text: string, user?: { id: string; actingAs: string }): ReturnType<typeof dispatch>;
  /** Every request that changed something on the fake GitHub. */
  writes(): FakeGitHub['requests'];
  /** The v37-6 release pull request of `repo`, once opened. */
  pullOf(repo: string): FakePull | undefined;
  prepareAndMerge(): Promise<void>;
  /** Runs `release tag v37-6` and returns the confirmation button's value. */
  planId(): Promise<string>;
}

/**
 * A test context with the release commands registered, RELEASE_REPOS naming two repositories on a
 * fake GitHub (both at v37-5 with the real changelog layout), and the real Octokit client without
 * retries, so each injected failure is exactly one failed call. A fresh GitHub for every test.
 */
export function useReleaseHarness(kind: DbKind): ReleaseHarness {
  // Filled in by the hooks below before any test of the suite runs.
  const h = {} as ReleaseHarness;
  beforeAll(async () => {
    h.t = await createTestContext(kind, { env: { GITHUB_TOKEN: TOKEN, RELEASE_REPOS: `${ATMO},${TROPO}`, ANNOUNCE_CHANNEL: 'slack:CANNOUNCE' } });
  });
  afterAll(async () => {
    await h.t?.database.drop();
  });
  beforeEach(async () => {
    h.github = await startFakeGitHub({
      token: TOKEN,
      repos: {
        [ATMO]: { tags: ['v37-4', 'v37-5'], files: { 'CHANGELOG.md': changelog } },
        [TROPO]: { tags: ['v37-5'], files: { 'CHANGELOG.md': changelog.replaceAll('atmosphere', 'troposphere') } },
      },
    });
    const { t } = h;
    t.deps.releases = createGitHubReleases({ token: TOKEN, baseUrl: h.github.url, branch: 'master', retry: { retries: 0, retryAfterBaseValue: 1 }, throttle: false, log: t.deps.log });
    t.chat.posts.length = 0;
    t.chat.updates.length = 0;
    h.dispatcher = t.dispatcher;
  });
  afterEach(async () => {
    await h.github.close();
  });

  h.run = (text, user = kpatel) => dispatch(h.dispatcher, commandEvent(text, user));
  h.writes = () => h.github.requests.filter((request) => request.method !== 'GET');
  h.pullOf = (repo) => h.github.state.repos.get(repo)!.pulls.find((pull) => pull.head === 'release/v37-6');
  h.prepareAndMerge = async () => {
    await h.run('release prepare v37-6');
    for (const repo of [ATMO, TROPO]) h.github.mergePullRequest(repo, h.pullOf(repo)!.number);
  };
  h.planId = async () => {
    const { replies } = await h.run('release tag v37-6');
    return replies[0]!.buttons!.find((button) => button.action === 'rel:confirm-tag')!.value;
  };
  return h;
}
