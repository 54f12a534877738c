import { describe, expect, it } from 'vitest';
import { renderReleaseProgress, renderRepoProgress, renderStepLine, type RepoProgress } from '../../../src/handlers/releases/render-release-progress.js';
import { renderAnnouncement, renderNotMerged, renderReleasePlan } from '../../../src/handlers/releases/render-release-plan.js';
import { renderReleaseStatus } from '../../../src/handlers/releases/render-release-status.js';

const sha = 'a'.repeat(40);

describe('release progress', () => {
  it('shows each step as done or existing with its detail', () => {
    expect(renderStepLine({ step: 'pull_request', outcome: 'created', detail: 'opened pull request #100 into master' })).toBe(
      'pull request: done (opened pull request #100 into master)',
    );
    expect(renderStepLine({ step: 'branch', outcome: 'existing', detail: 'release/v37-6 already existed' })).toBe('branch: existing (release/v37-6 already existed)');
  });

  it('shows pending, working, done with its link and failed with the reason and what was left', () => {
    const repos: RepoProgress[] = [
      { repo: 'o/done', state: 'done', steps: [{ step: 'branch', outcome: 'created', detail: 'created release/v37-6 from master' }], link: { label: 'pull request #100', url: 'https://x/pull/100' } },
      { repo: 'o/broken', state: 'failed', steps: [], failure: 'GitHub failed while opening the pull request (500)', leftover: 'branch release/v37-6 holds the v37-6 changelog; no pull request' },
      { repo: 'o/running', state: 'running', steps: [] },
      { repo: 'o/later', state: 'pending', steps: [] },
    ];
    expect(renderRepoProgress(repos[0]!)).toBe('[✓] o/done: done, pull request #100: https://x/pull/100\n    branch: done (created release/v37-6 from master)');
    expect(renderRepoProgress(repos[1]!)).toBe(
      '[✗] o/broken: failed\n    failed: GitHub failed while opening the pull request (500)\n    left as is: branch release/v37-6 holds the v37-6 changelog; no pull request',
    );
    expect(renderRepoProgress(repos[2]!)).toBe('[…] o/running: working…');
    expect(renderRepoProgress(repos[3]!)).toBe('[ ] o/later: pending');
    const reply = renderReleaseProgress({ title: 'Preparing release v37-6', repos, next: 'Run it again.' });
    expect(reply.text).toBe('Preparing release v37-6: 1 of 4 done, 1 failed, 2 to go.\nRun it again.');
    expect(reply.sections).toHaveLength(4);
    expect(reply.tone).toBe('info');
  });

  it('colours a finished run by its outcome', () => {
    const done: RepoProgress = { repo: 'a/b', state: 'done', steps: [] };
    const failed: RepoProgress = { repo: 'c/d', state: 'failed', steps: [], failure: 'x' };
    expect(renderReleaseProgress({ title: 't', repos: [done] }).tone).toBe('success');
    expect(renderReleaseProgress({ title: 't', repos: [done, failed] }).tone).toBe('warning');
    expect(renderReleaseProgress({ title: 't', repos: [failed] }).tone).toBe('danger');
  });
});

describe('release plan', () => {
  const plan = {
    id: 7,
    tag: 'v37-6',
    createdBy: 'kpatel',
    announceChannel: { platform: 'slack' as const, channel: 'CANN' },
    repos: [
      { repo: 'cyverse/atmosphere', kind: 'create' as const, target: sha, pullNumber: 100, pullUrl: 'https://github.com/cyverse/atmosphere/pull/100', body: '### Fixed\n  - a fix', releaseUrl: null },
      { repo: 'cyverse/troposphere', kind: 'existing' as const, target: null, pullNumber: null, pullUrl: null, body: '', releaseUrl: 'https://github.com/cyverse/troposphere/releases/tag/v37-6' },
    ],
  };

  it('says exactly what will be created where, with buttons carrying only the plan id', () => {
    const reply = renderReleasePlan(plan);
    expect(reply.text).toContain('Create release v37-6 on 1 of 2 repositories?');
    expect(reply.text).toContain('announced in slack:CANN');
    expect(reply.sections![0]!.text).toBe(
      `cyverse/atmosphere: tag v37-6 on ${sha} (merge commit of pull request #100 https://github.com/cyverse/atmosphere/pull/100),\nthen the GitHub release titled "v37-6" with these notes:\n### Fixed\n  - a fix`,
    );
    expect(reply.sections![1]!.text).toContain('release v37-6 already exists (https://github.com/cyverse/troposphere/releases/tag/v37-6); nothing to do');
    expect(reply.buttons).toEqual([
      { label: 'Create v37-6', action: 'rel:confirm-tag', value: '7', style: 'primary' },
      { label: 'Cancel', action: 'rel:cancel-tag', value: '7' },
    ]);
    expect(renderReleasePlan({ ...plan, announceChannel: undefined }).text).toContain('ANNOUNCE_CHANNEL is not set');
  });

  it('lists every pull request that blocks tagging, with its link', () => {
    const text = renderNotMerged('v37-6', [
      { repo: 'a/open', pull: { state: 'open', number: 3, url: 'https://x/3', branch: 'release/v37-6', mergeCommitSha: null } },
      { repo: 'a/closed', pull: { state: 'closed', number: 4, url: 'https://x/4', branch: 'release/v37-6', mergeCommitSha: null } },
      { repo: 'a/none', pull: { state: 'missing' } },
    ]);
    expect(text.split('\n')).toEqual([
      'Nothing was created: v37-6 can be tagged once every release pull request is merged.',
      '• a/open: pull request #3 is not merged yet: https://x/3',
      '• a/closed: pull request #4 was closed without merging: https://x/4 (reopen and merge it, or run `/atmo release prepare v37-6` again).',
      '• a/none: no release pull request; run `/atmo release prepare v37-6` first.',
    ]);
  });

  it('announces only the repositories given, with links', () => {
    const reply = renderAnnouncement('v37-6', [{ repo: 'a/b', url: 'https://x/rel' }], 'kpatel');
    expect(reply.text).toBe('Release v37-6 is published on a/b.');
    expect(reply.sections).toEqual([{ text: 'a/b: https://x/rel' }]);
    expect(reply.visibility).toBe('channel');
  });
});

describe('release status', () => {
  it('shows the pull request, tag and release of each repository, and errors per repository', () => {
    const reply = renderReleaseStatus('v37-6', [
      {
        repo: 'a/done',
        pull: { state: 'merged', number: 1, url: 'https://x/1', branch: 'release/v37-6', mergeCommitSha: sha },
        release: { tag: 'v37-6', name: 'v37-6', url: 'https://x/rel', body: '', target: sha, draft: false, prerelease: false },
        latestTag: 'v37-6',
      },
      { repo: 'a/open', pull: { state: 'open', number: 2, url: 'https://x/2', branch: 'release/v37-6', mergeCommitSha: null }, release: null, latestTag: 'v37-5' },
      { repo: 'a/none', pull: { state: 'missing' }, release: null, latestTag: null },
      { repo: 'a/broken', error: 'GitHub failed (500)' },
    ]);
    expect(reply.text).toBe('Release v37-6: published on 1 of 4 repositories.');
    expect(reply.sections!.map((section) => section.text)).toEqual([
      'a/done\n    pull request: #1 merged as aaaaaaa https://x/1\n    tag: v37-6 exists\n    release: "v37-6" published https://x/rel',
      'a/open\n    pull request: #2 open https://x/2\n    tag: not created (latest tag v37-5)\n    release: not created',
      'a/none\n    pull request: none yet (`/atmo release prepare v37-6` opens it)\n    tag: not created (latest tag none)\n    release: not created',
      'a/broken\n    could not check: GitHub failed (500)',
    ]);
  });
});
