import { describe, expect, it } from 'vitest';
import { findRunbookByTag, listRunbookItems } from '../../../../src/db/queries/release-runbooks.js';
import { dbKinds } from '../../../support/databases.js';
import { ATMO, TROPO, useReleaseHarness } from '../release-harness.js';

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

  it('refuses a plan for a tag that does not follow every repository', async () => {
    const { replies } = await h.run('release plan v37-8 --date 2026-12-01 --chief kpatel --driver mdelgado');
    expect(replies[0]!.text).toContain('v37-8 skips ahead of the latest release v37-5');
    expect(await findRunbookByTag(h.t.deps.db, 'v37-8')).toBeNull();
  });
});
