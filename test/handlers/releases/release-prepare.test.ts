import { describe, expect, it } from 'vitest';
import { dbKinds } from '../../support/databases.js';
import { extractReleaseSection } from '../../../src/integrations/github/changelog.js';
import type { ChatPort } from '../../../src/bot/chat/chat-port.js';
import { ATMO, TROPO, jsmith, shown, useReleaseHarness } from './release-harness.js';

describe.each(dbKinds())('release prepare and status on %s', (kind) => {
  const h = useReleaseHarness(kind);

  it('prepares both repositories: the changelog moved under today and two pull requests, shown step by step', async () => {
    const { replies } = await h.run('release prepare v37-6');
    const reply = replies[0]!;
    expect(reply.text).toContain('Release v37-6 prepared: 2 of 2 done.');
    expect(reply.text).toContain('run `/atmo release tag v37-6`');
    for (const repo of [ATMO, TROPO]) {
      const pull = h.pullOf(repo)!;
      expect(pull).toMatchObject({ title: 'Release v37-6', base: 'master', state: 'open' });
      const text = h.github.file(repo, 'release/v37-6', 'CHANGELOG.md')!;
      const name = repo.split('/')[1];
      expect(text).toContain(`## [v37-6](https://github.com/cyverse/${name}/compare/v37-5...v37-6) - 2026-11-23`);
      expect(text).toContain(`## [Unreleased](https://github.com/cyverse/${name}/compare/v37-6...HEAD) - YYYY-MM-DD`);
      expect(extractReleaseSection(text, 'v37-6')).toContain('Staff can close an imaging request');
      expect(shown(reply)).toContain(`${repo}: done, pull request #${pull.number}: https://github.com/${repo}/pull/${pull.number}`);
    }
    expect(shown(reply)).toContain('branch: done (created release/v37-6 from master)');
    // One channel message, then edits: working on atmosphere, on troposphere, the final state.
    expect(h.t.chat.posts).toHaveLength(1);
    expect(h.t.chat.posts[0]!.channel).toEqual({ platform: 'console', channel: 'C-ops' });
    expect(shown(h.t.chat.posts[0]!.reply)).toContain(`[ ] ${ATMO}: pending`);
    const edits = h.t.chat.updates.map((update) => shown(update.reply));
    expect(edits[0]).toContain(`[…] ${ATMO}: working…`);
    expect(edits.some((edit) => edit.includes(`[✓] ${ATMO}: done`) && edit.includes(`[…] ${TROPO}: working…`))).toBe(true);
    expect(edits.at(-1)).toBe(shown({ ...reply }));
    expect(h.t.chat.updates.every((update) => update.message.id === h.t.chat.posts[0]!.ref.id)).toBe(true);
  });

  it('refuses a malformed tag and a tag that does not follow the latest, writing nothing', async () => {
    const bad = await h.run('release prepare v37-06');
    expect(bad.replies[0]!.text).toContain('"v37-06" is not a release tag');
    expect(bad.replies[0]!.text).toContain('Usage: /atmo release prepare <tag vMM-N>');
    expect(h.github.requests).toHaveLength(0);

    h.github.state.repos.get(TROPO)!.tags.set('v37-6', [...h.github.state.repos.get(TROPO)!.branches.values()][0]!);
    const notNext = await h.run('release prepare v37-6');
    const text = notNext.replies[0]!.text;
    expect(text).toContain('Nothing was changed: v37-6 cannot be prepared on every repository.');
    expect(text).toContain(`• ${TROPO}: v37-6 is already the latest release; the next release is v37-7 (patch) or v38-0 (new major).`);
    expect(text).not.toContain(`• ${ATMO}`);
    expect(text).toContain(`Latest tags: ${ATMO} v37-5, ${TROPO} v37-6.`);
    const skip = await h.run('release prepare v37-8');
    expect(skip.replies[0]!.text).toContain(`• ${ATMO}: v37-8 skips ahead of the latest release v37-5; the next release is v37-6 (patch) or v38-0 (new major).`);
    expect(h.writes()).toHaveLength(0);
    expect(h.t.chat.posts).toHaveLength(0);
  });

  it('leaves the other repository intact when one fails halfway, names both states, and a re-run resumes', async () => {
    h.github.failNext({ method: 'POST', path: /^\/repos\/cyverse\/troposphere\/pulls$/, status: 500, message: 'Server Error' });
    const first = (await h.run('release prepare v37-6')).replies[0]!;
    const atmoPull = h.pullOf(ATMO)!;
    expect(atmoPull.state).toBe('open');
    expect(h.pullOf(TROPO)).toBeUndefined();
    const text = shown(first);
    expect(text).toContain('1 of 2 done, 1 failed');
    expect(text).toContain(`[✓] ${ATMO}: done, pull request #${atmoPull.number}`);
    expect(text).toContain(`[✗] ${TROPO}: failed`);
    expect(text).toContain('failed: GitHub failed while opening the pull request release/v37-6 → master on cyverse/troposphere (500)');
    expect(text).toContain('left as is: branch release/v37-6 holds the v37-6 changelog; no pull request');
    expect(text).toContain('run `/atmo release prepare v37-6` again: it resumes, reusing existing branches and pull requests');
    expect(first.tone).toBe('warning');

    const second = (await h.run('release prepare v37-6')).replies[0]!;
    expect(second.text).toContain('2 of 2 done');
    expect(shown(second)).toContain(`pull request: existing (pull request #${atmoPull.number} was already open)`);
    expect(shown(second)).toContain('branch: existing (release/v37-6 already existed)');
    expect(h.github.state.repos.get(ATMO)!.pulls).toHaveLength(1);
    expect(h.github.state.repos.get(TROPO)!.pulls).toHaveLength(1);
    // The changelog was moved once, not twice.
    expect(h.github.file(TROPO, 'release/v37-6', 'CHANGELOG.md')!.match(/## \[v37-6\]/g)).toHaveLength(1);
  });

  it('writes nothing when a repository cannot be read before the start', async () => {
    h.github.breakRepo(TROPO, 503);
    await expect(h.run('release prepare v37-6')).resolves.toMatchObject({ replies: [{ text: expect.stringContaining('GitHub') }] });
    // The tag check reads every repository before any write, so nothing was written anywhere.
    expect(h.writes()).toHaveLength(0);
  });

  it('reports per repository where a release stands, even when one repository cannot be read', async () => {
    await h.run('release prepare v37-6');
    h.github.breakRepo(ATMO, 500);
    const { replies } = await h.run('release status v37-6', jsmith);
    const text = shown(replies[0]);
    expect(text).toContain('published on 0 of 2 repositories');
    expect(text).toContain(`${ATMO}\n    could not check: GitHub failed while`);
    expect(text).toContain(`${TROPO}\n    pull request: #${h.pullOf(TROPO)!.number} open`);
    expect(text).toContain('tag: not created (latest tag v37-5)');
  });

  it('tells staff when GitHub is not configured', async () => {
    h.t.deps.releases = null;
    const { replies } = await h.run('release prepare v37-6');
    expect(replies[0]!.text).toContain('Release tagging is not set up: an operator must set GITHUB_TOKEN');
  });

  it('still prepares and answers with everything when the progress message cannot be posted', async () => {
    const chat = h.t.deps.chat;
    const refusing: ChatPort = { post: () => Promise.reject(new Error('not_in_channel')), update: () => Promise.reject(new Error('unreachable')) };
    h.t.deps.chat = refusing;
    try {
      const { replies } = await h.run('release prepare v37-6');
      expect(replies[0]!.text).toContain('Release v37-6 prepared: 2 of 2 done.');
      expect(shown(replies[0])).toContain(`${TROPO}: done, pull request #${h.pullOf(TROPO)!.number}`);
    } finally {
      h.t.deps.chat = chat;
    }
  });
});
