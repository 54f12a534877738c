import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dbKinds } from '../../support/databases.js';
import { actionEvent, dispatch } from '../../support/test-deps.js';
import { extractReleaseSection } from '../../../src/integrations/github/changelog.js';
import { releasePlan } from '../../../src/db/bot-schema/index.js';
import { ATMO, TROPO, jsmith, kpatel, mdelgado, shown, useReleaseHarness } from './release-harness.js';

describe.each(dbKinds())('release tag on %s', (kind) => {
  const h = useReleaseHarness(kind);

  it('refuses to tag until both pull requests are merged, listing the open ones with links', async () => {
    await h.run('release prepare v37-6');
    h.github.mergePullRequest(ATMO, h.pullOf(ATMO)!.number);
    const { replies } = await h.run('release tag v37-6');
    const pull = h.pullOf(TROPO)!;
    expect(replies[0]!.text).toBe(
      `Nothing was created: v37-6 can be tagged once every release pull request is merged.\n• ${TROPO}: pull request #${pull.number} is not merged yet: https://github.com/${TROPO}/pull/${pull.number}`,
    );
    expect(replies[0]!.buttons).toBeUndefined();
    expect(h.writes().filter((request) => request.path.endsWith('/releases'))).toHaveLength(0);
  });

  it('warns in the final message when a tag already points at another commit than the merge commit', async () => {
    await h.prepareAndMerge();
    const plan = (await h.run('release tag v37-6')).replies[0]!;
    const repo = h.github.state.repos.get(ATMO)!;
    const older = [...repo.commits.keys()][0]!;
    expect(older).not.toBe(repo.branches.get('master'));
    repo.tags.set('v37-6', older);
    const click = await dispatch(h.dispatcher, actionEvent('rel:confirm-tag', plan.buttons![0]!.value, kpatel));
    expect(shown(click.replies[0])).toContain(`Warning: ${ATMO}: tag v37-6 already points at ${older.slice(0, 7)}`);
  });

  it('creates both releases on confirmation with the changelog section as notes, announced once; a second click does nothing', async () => {
    await h.prepareAndMerge();
    const { replies } = await h.run('release tag v37-6');
    const plan = replies[0]!;
    const merge = h.github.state.repos.get(ATMO)!.branches.get('master')!;
    expect(plan.sections![0]!.text).toContain(`${ATMO}: tag v37-6 on ${merge} (merge commit of pull request #${h.pullOf(ATMO)!.number}`);
    expect(plan.sections![0]!.text).toContain('Staff can close an imaging request');
    const id = plan.buttons![0]!.value;
    expect(id).toMatch(/^\d+$/);

    const click = await dispatch(h.dispatcher, actionEvent('rel:confirm-tag', id, kpatel));
    expect(click.replies[0]!.text).toContain('Release v37-6: 2 of 2 done.');
    expect(click.replies[0]!.text).toContain('Announced in slack:CANNOUNCE.');
    for (const repo of [ATMO, TROPO]) {
      const releases = h.github.state.repos.get(repo)!.releases;
      expect(releases).toHaveLength(1);
      const expected = extractReleaseSection(h.github.file(repo, 'master', 'CHANGELOG.md')!, 'v37-6');
      expect(releases[0]).toMatchObject({ tagName: 'v37-6', name: 'v37-6', body: expected, targetCommitish: h.github.state.repos.get(repo)!.branches.get('master') });
      expect(h.github.state.repos.get(repo)!.tags.get('v37-6')).toBe(h.github.state.repos.get(repo)!.branches.get('master'));
    }
    // The confirmation message was edited while working and at the end.
    expect(click.updates.length).toBeGreaterThanOrEqual(3);
    expect(shown(click.updates[0])).toContain(`[…] ${ATMO}: working…`);
    expect(click.updates.at(-1)!.buttons).toBeUndefined();
    const announcements = h.t.chat.posts.filter((post) => post.channel.channel === 'CANNOUNCE');
    expect(announcements).toHaveLength(1);
    expect(shown(announcements[0]!.reply)).toContain(`${TROPO}: https://github.com/${TROPO}/releases/tag/v37-6`);

    const again = await dispatch(h.dispatcher, actionEvent('rel:confirm-tag', id, mdelgado));
    expect(again.replies[0]!.text).toMatch(/^kpatel already confirmed release v37-6 \(plan #\d+\) at .* UTC\. Nothing more was done\.$/);
    expect(h.github.state.repos.get(ATMO)!.releases).toHaveLength(1);
    expect(h.t.chat.posts.filter((post) => post.channel.channel === 'CANNOUNCE')).toHaveLength(1);
    const row = (await h.t.deps.db.select().from(releasePlan).where(eq(releasePlan.id, Number(id))))[0]!;
    expect(row).toMatchObject({ state: 'done', confirmedBy: 'kpatel' });
    expect(row.outcomes!.map((outcome) => outcome.outcome)).toEqual(['created', 'created']);

    const status = await h.run('release status v37-6', jsmith);
    expect(status.replies[0]!.text).toBe('Release v37-6: published on 2 of 2 repositories.');
    expect(shown(status.replies[0])).toContain(`release: "v37-6" published https://github.com/${ATMO}/releases/tag/v37-6`);
  });

  it('lets only one of two simultaneous clicks create anything', async () => {
    await h.prepareAndMerge();
    const id = await h.planId();
    const clicks = await Promise.all([
      dispatch(h.dispatcher, actionEvent('rel:confirm-tag', id, kpatel)),
      dispatch(h.dispatcher, actionEvent('rel:confirm-tag', id, mdelgado)),
    ]);
    const texts = clicks.map((click) => click.replies[0]!.text);
    expect(texts.filter((text) => text.includes('2 of 2 done'))).toHaveLength(1);
    expect(texts.filter((text) => text.includes('already confirmed'))).toHaveLength(1);
    expect(h.writes().filter((request) => request.path.endsWith('/releases'))).toHaveLength(2);
    expect(h.t.chat.posts.filter((post) => post.channel.channel === 'CANNOUNCE')).toHaveLength(1);
  });

  it('after one repository fails to release, says what to do, and a re-run creates only the missing one', async () => {
    await h.prepareAndMerge();
    const id = await h.planId();
    h.github.failNext({ method: 'POST', path: /^\/repos\/cyverse\/troposphere\/releases$/, status: 500, message: 'Server Error' });
    const click = await dispatch(h.dispatcher, actionEvent('rel:confirm-tag', id, kpatel));
    const text = shown(click.replies[0]);
    expect(text).toContain('1 of 2 done, 1 failed');
    expect(text).toContain(`[✓] ${ATMO}: done, release: https://github.com/${ATMO}/releases/tag/v37-6`);
    expect(text).toContain(`[✗] ${TROPO}: failed\n    failed: GitHub failed while creating release v37-6 on ${TROPO} (500)`);
    expect(text).toContain('Run `/atmo release tag v37-6` again once GitHub answers: it creates only what is missing');
    expect(h.github.state.repos.get(ATMO)!.releases).toHaveLength(1);
    expect(h.github.state.repos.get(TROPO)!.releases).toHaveLength(0);
    let announcements = h.t.chat.posts.filter((post) => post.channel.channel === 'CANNOUNCE');
    expect(announcements).toHaveLength(1);
    expect(announcements[0]!.reply.text).toBe(`Release v37-6 is published on ${ATMO}.`);

    const plan = (await h.run('release tag v37-6')).replies[0]!;
    expect(plan.text).toContain('on 1 of 2 repositories');
    expect(plan.sections![0]!.text).toContain(`${ATMO}: release v37-6 already exists`);
    const before = h.writes().length;
    const rerun = await dispatch(h.dispatcher, actionEvent('rel:confirm-tag', plan.buttons![0]!.value, kpatel));
    expect(shown(rerun.replies[0])).toContain('2 of 2 done');
    expect(shown(rerun.replies[0])).toContain('release: existing (release v37-6 already existed)');
    expect(h.writes().slice(before).map((request) => `${request.method} ${request.path}`)).toEqual([`POST /repos/${TROPO}/releases`]);
    expect(h.github.state.repos.get(TROPO)!.releases).toHaveLength(1);
    announcements = h.t.chat.posts.filter((post) => post.channel.channel === 'CANNOUNCE');
    expect(announcements.map((post) => post.reply.text)).toEqual([`Release v37-6 is published on ${ATMO}.`, `Release v37-6 is published on ${TROPO}.`]);

    const done = await h.run('release tag v37-6');
    expect(done.replies[0]!.text).toContain('Release v37-6 already exists on every repository; nothing to do.');
    expect(done.replies[0]!.buttons).toBeUndefined();
  });

  it('refuses non-staff for prepare, tag and the confirmation, re-checked at click time', async () => {
    for (const text of ['release prepare v37-6', 'release tag v37-6']) {
      const { replies } = await h.run(text, jsmith);
      expect(replies[0]!.text).toBe('Only Atmosphere staff can do that, and jsmith is not staff.');
    }
    await h.prepareAndMerge();
    const id = await h.planId();
    const click = await dispatch(h.dispatcher, actionEvent('rel:confirm-tag', id, jsmith));
    expect(click.replies[0]!.text).toBe('Only Atmosphere staff can do that, and jsmith is not staff.');
    expect(h.writes().filter((request) => request.path.endsWith('/releases'))).toHaveLength(0);
    const tampered = await dispatch(h.dispatcher, actionEvent('rel:confirm-tag', `${id};v99-0`, kpatel));
    expect(tampered.replies[0]!.text).toContain('carries a value I cannot accept');
  });

  it('cancels a plan so that its button no longer creates anything', async () => {
    await h.prepareAndMerge();
    const id = await h.planId();
    const cancel = await dispatch(h.dispatcher, actionEvent('rel:cancel-tag', id, mdelgado));
    expect(cancel.updates[0]!.text).toBe(`mdelgado cancelled release v37-6 (plan #${id}); nothing was created on GitHub.`);
    const click = await dispatch(h.dispatcher, actionEvent('rel:confirm-tag', id, kpatel));
    expect(click.replies[0]!.text).toContain(`mdelgado cancelled release plan #${id} for v37-6`);
    expect(h.writes().filter((request) => request.path.endsWith('/releases'))).toHaveLength(0);
  });

  it('refuses a confirmation more than a day old', async () => {
    await h.prepareAndMerge();
    const id = await h.planId();
    h.t.setNow(new Date(h.t.deps.now().getTime() + 25 * 60 * 60 * 1000));
    try {
      const click = await dispatch(h.dispatcher, actionEvent('rel:confirm-tag', id, kpatel));
      expect(click.replies[0]!.text).toContain('more than a day old; run `/atmo release tag v37-6` again');
      expect(h.writes().filter((request) => request.path.endsWith('/releases'))).toHaveLength(0);
    } finally {
      h.t.setNow(new Date('2026-11-23T17:00:00.000Z'));
    }
  });
});
