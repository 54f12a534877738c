import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { releaseRunbook } from '../../../../src/db/bot-schema/index.js';
import { findRunbookByTag, listRunbookItems } from '../../../../src/db/queries/release-runbooks.js';
import { dbKinds } from '../../../support/databases.js';
import { actionEvent, dispatch } from '../../../support/test-deps.js';
import { ATMO, kpatel, mdelgado, TROPO, useReleaseHarness } from '../release-harness.js';

describe.each(dbKinds())('runbook steps ticked by the commands that do them, on %s', (kind) => {
  const h = useReleaseHarness(kind);

  it('release prepare ticks the changelog step and release tag the tag step, redrawing the release message', async () => {
    const planned = await h.run('release plan v37-6 --date 2026-12-01 --chief kpatel --driver mdelgado');
    expect(planned.replies[0]!.text).toContain('v37-6 follows the latest tag of every repository');
    const runbook = (await findRunbookByTag(h.t.deps.db, 'v37-6'))!;
    const step = async (key: string) => (await listRunbookItems(h.t.deps.db, runbook.id)).find((item) => item.key === key)!;

    const prepared = await h.run('release prepare v37-6', { id: 'op2', actingAs: 'mdelgado' });
    expect(prepared.replies[0]!.text + JSON.stringify(prepared.replies[0])).toContain('Ticked \\"Changelogs moved\\" in the v37-6 runbook.');
    expect(await step('changelog')).toMatchObject({ doneBy: 'mdelgado', doneVia: 'release prepare' });
    expect(h.t.chat.updates.some((update) => update.message.id === runbook.messageId)).toBe(true);

    for (const repo of [ATMO, TROPO]) h.github.mergePullRequest(repo, h.pullOf(repo)!.number);
    const planId = await h.planId();
    await h.t.dispatcher.handle(
      { kind: 'action', id: 'ev-tag', platform: 'console', user: { platform: 'console', id: 'op', actingAs: 'kpatel' }, channel: 'C-ops', receivedAt: new Date(), action: 'rel:confirm-tag', value: planId },
      { respond: async () => {} },
    );
    expect(await step('tag')).toMatchObject({ doneBy: 'kpatel', doneVia: 'release tag' });
  });

  it('the Prepare and Tag buttons on the release message run the commands for its release and tick their steps', async () => {
    // The suite shares one database and GitHub is fresh for each test: plan v37-6 afresh.
    await h.t.deps.db.delete(releaseRunbook).where(eq(releaseRunbook.tag, 'v37-6'));
    await h.run('release plan v37-6 --date 2026-12-01 --chief kpatel --driver mdelgado');
    const runbook = (await findRunbookByTag(h.t.deps.db, 'v37-6'))!;
    const step = async (key: string) => (await listRunbookItems(h.t.deps.db, runbook.id)).find((item) => item.key === key)!;
    const buttons = h.t.chat.posts.find((post) => post.ref.id === runbook.messageId)!.reply.buttons!;
    const prepare = buttons.find((button) => button.action === 'rb:prepare')!;
    expect(prepare).toMatchObject({ label: 'Prepare v37-6', value: String((await step('changelog')).id) });

    const prepared = await dispatch(h.dispatcher, actionEvent('rb:prepare', prepare.value, mdelgado));
    expect(JSON.stringify(prepared.replies[0])).toContain('Ticked \\"Changelogs moved\\" in the v37-6 runbook.');
    expect(h.pullOf(ATMO)).toBeDefined();
    expect(h.pullOf(TROPO)).toBeDefined();
    expect(await step('changelog')).toMatchObject({ doneBy: 'mdelgado', doneVia: 'release prepare' });

    for (const repo of [ATMO, TROPO]) h.github.mergePullRequest(repo, h.pullOf(repo)!.number);
    const tag = buttons.find((button) => button.action === 'rb:tag')!;
    const asked = await dispatch(h.dispatcher, actionEvent('rb:tag', tag.value, kpatel));
    const confirm = asked.replies[0]!.buttons!.find((button) => button.action === 'rel:confirm-tag')!;
    // Nothing is created on GitHub before the confirmation, as with the typed command.
    expect(h.writes().some((request) => request.path.endsWith('/releases'))).toBe(false);
    await dispatch(h.dispatcher, actionEvent('rel:confirm-tag', confirm.value, kpatel));
    expect(await step('tag')).toMatchObject({ doneBy: 'kpatel', doneVia: 'release tag' });
    expect(h.github.state.repos.get(ATMO)!.releases.map((release) => release.tagName)).toContain('v37-6');
  });

  it('refuses a plan for a tag that does not follow every repository', async () => {
    const { replies } = await h.run('release plan v37-8 --date 2026-12-01 --chief kpatel --driver mdelgado');
    expect(replies[0]!.text).toContain('v37-8 skips ahead of the latest release v37-5');
    expect(await findRunbookByTag(h.t.deps.db, 'v37-8')).toBeNull();
  });
});
