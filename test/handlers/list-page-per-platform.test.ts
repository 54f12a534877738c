import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { dbKinds, TEST_NOW } from '../support/databases.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../support/test-deps.js';
import { resourceRequest } from '../../src/db/atmosphere-schema.js';
import { requireStatusTypeId } from '../../src/db/queries/statuses.js';
import { findUserByUsername } from '../../src/db/queries/users.js';
import { upsertChatLink } from '../../src/db/queries/chat-links.js';
import { renderReplyMessageWithCuts } from '../../src/bot/discord/render-reply.js';
import { renderReplyBlocksWithCuts } from '../../src/bot/slack/render-reply.js';
import { sectionsShown } from '../../src/bot/chat/reply.js';

/**
 * A list longer than one Discord message holds: the pending list is asked for a page that fits the
 * platform (nine items beside the list's own text in Discord's ten embeds), so Discord shows it
 * whole, without a cut and without the full text attached as a file, while Slack keeps its fifteen.
 */
describe.each(dbKinds())('the pending list sized to the platform on %s', (kind) => {
  let t: TestContext;
  const DISCORD_STAFF = { platform: 'discord' as const, id: '400000000000000001' };
  /** Every pending request's id, lowest first. */
  let pendingIds: number[] = [];

  beforeAll(async () => {
    t = await createTestContext(kind);
    const pending = await requireStatusTypeId(t.deps.db, 'pending');
    const requester = await findUserByUsername(t.deps.db, 'jsmith');
    // Twenty more pending requests beside the demo's five; the list is oldest first by id, as Atmosphere numbers them.
    await t.deps.db.insert(resourceRequest).values(
      Array.from({ length: 20 }, (_, i) => ({
        request: `cpu 8 for run ${i + 1}`,
        description: `Needs more cores for batch ${i + 1}`,
        createdById: requester!.id,
        statusId: pending,
        startDate: new Date(TEST_NOW.getTime() - (20 - i) * 3_600_000),
      })),
    );
    pendingIds = (await t.deps.db.select({ id: resourceRequest.id }).from(resourceRequest).where(eq(resourceRequest.statusId, pending)).orderBy(asc(resourceRequest.id))).map((row) => row.id);
    const kpatel = await findUserByUsername(t.deps.db, 'kpatel');
    await upsertChatLink(t.deps.db, { platform: 'discord', chatUserId: DISCORD_STAFF.id, atmosphereUserId: kpatel!.id, atmosphereUsername: 'kpatel', linkedBy: 'kpatel', linkedAt: TEST_NOW });
  }, 120_000);
  afterAll(async () => {
    await t?.database.drop();
  });

  it('shows Discord the oldest nine, whole, and says how to see any other', async () => {
    expect(pendingIds).toHaveLength(25);
    const { replies } = await dispatch(t.dispatcher, commandEvent('requests', DISCORD_STAFF));
    const reply = replies[0]!;
    expect(reply.sections).toHaveLength(sectionsShown('discord', 15));
    expect(reply.sections).toHaveLength(9);
    expect(reply.text).toContain('25 pending resource requests, oldest first. Showing the oldest 9; /atmo request <id> shows any one.');
    expect(reply.sections!.map((section) => section.text.split(' ')[0])).toEqual(pendingIds.slice(0, 9).map((id) => `#${id}`));
    // Rendered for Discord: the text and nine items are ten embeds, nothing is cut, so no file goes with it.
    const rendered = renderReplyMessageWithCuts(reply, { name: 'requests.txt', attached: true });
    expect(rendered.cut).toBe(false);
    expect(rendered.message.embeds).toHaveLength(10);
    expect(rendered.message.content).not.toMatch(/not shown/);
    expect(rendered.message.components!.flatMap((row) => row.components)).toHaveLength(18);
  });

  it('keeps fifteen on Slack, within its block limit', async () => {
    const { replies } = await dispatch(t.dispatcher, commandEvent('requests', { platform: 'console', id: 'op', actingAs: 'kpatel' }));
    const reply = replies[0]!;
    expect(reply.sections).toHaveLength(15);
    expect(reply.text).toContain('Showing the oldest 15;');
    expect(renderReplyBlocksWithCuts(reply, undefined).cut).toBe(false);
  });

  it('redraws a Discord list after a decision with the next nine', async () => {
    const first = (await dispatch(t.dispatcher, commandEvent('requests', DISCORD_STAFF))).replies[0]!;
    const id = Number(/^#(\d+) /.exec(first.sections![0]!.text)![1]);
    const { updates } = await dispatch(t.dispatcher, actionEvent('rr:deny', `${id}:list`, DISCORD_STAFF, { reason: 'Duplicate of a later request' }));
    expect(updates).toHaveLength(1);
    const redrawn = updates[0]!;
    expect(redrawn.sections).toHaveLength(9);
    expect(redrawn.sections!.map((section) => section.text.split(' ')[0])).toEqual(pendingIds.slice(1, 10).map((next) => `#${next}`));
    expect(redrawn.text).toContain('24 pending resource requests');
    expect(renderReplyMessageWithCuts(redrawn, { name: 'requests.txt', attached: true }).cut).toBe(false);
  });
});
