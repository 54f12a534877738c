import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { releaseRunbook } from '../../../../src/db/bot-schema/index.js';
import { findRunbookByTag, listRunbookItems, markRunbookItemDone, type RunbookRow } from '../../../../src/db/queries/release-runbooks.js';
import { createImageRegistry } from '../../../../src/integrations/registry/image-registry.js';
import { followRunbooks } from '../../../../src/handlers/releases/runbook/follow-runbooks.js';
import type { ChatPort } from '../../../../src/bot/chat/chat-port.js';
import type { Reply } from '../../../../src/bot/chat/reply.js';
import { dbKinds, TEST_NOW } from '../../../support/databases.js';
import { startFakeDockerHub, type FakeDockerHub } from '../../../fakes/docker-hub.js';
import { mdelgado, useReleaseHarness } from '../release-harness.js';
import { actionEvent, dispatch } from '../../../support/test-deps.js';

const HUB_TOKEN = 'dckr_pat_followRunbooksTestToken0123';

/**
 * The release-runbook job's two duties on the real schema: the Docker Hub check that ticks Images
 * built once the tag is done and every image is there, and one reminder a day in the release thread
 * of the steps due or late, counted in the site's time zone (America/Phoenix, UTC-7 all year).
 */
describe.each(dbKinds())('following a release runbook, on %s', (kind) => {
  const h = useReleaseHarness(kind);
  let hub: FakeDockerHub;
  let runbook: RunbookRow;
  let planPost: Reply;

  beforeEach(async () => {
    hub = await startFakeDockerHub({ token: HUB_TOKEN });
    h.t.deps.images = createImageRegistry({ baseUrl: hub.url, token: HUB_TOKEN, timeoutMs: 2_000 });
    h.t.setNow(TEST_NOW);
    await h.t.deps.db.delete(releaseRunbook).where(eq(releaseRunbook.tag, 'v37-6'));
    // Deploying Tuesday 1 December: "two weeks prior" was due Tuesday 17 November, "week prior" is
    // due Tuesday 24 November, the user notice Friday 27 November. TEST_NOW is Monday 23 November.
    await h.run('release plan v37-6 --date 2026-12-01 --chief kpatel --driver mdelgado');
    runbook = (await findRunbookByTag(h.t.deps.db, 'v37-6'))!;
    planPost = h.t.chat.posts.find((post) => post.ref.id === runbook.messageId)!.reply;
    h.t.chat.posts.length = 0;
  });
  afterEach(async () => {
    await hub.close();
  });

  const step = async (key: string) => (await listRunbookItems(h.t.deps.db, runbook.id)).find((item) => item.key === key)!;
  const threadPosts = () => h.t.chat.posts.filter((post) => post.thread?.id === runbook.messageId);

  it('release images says which image is missing, with the fallback build, and ticks the step once both are there', async () => {
    hub.push('cyverse/atmosphere', 'v37-6', new Date('2026-11-23T16:40:00Z'));
    const first = await h.run('release images v37-6');
    const text = first.replies[0]!.text;
    expect(text).toContain('Not every image of v37-6 is on Docker Hub yet.');
    expect(text).toContain('cyverse/atmosphere:v37-6: on Docker Hub (pushed 2026-11-23 16:40 UTC, linux/amd64)');
    expect(text).toContain('cyverse/troposphere:v37-6: not on Docker Hub yet');
    expect(text).toContain('git clone --depth 1 --branch v37-6 https://github.com/cyverse/troposphere.git && cd troposphere && docker build -t cyverse/troposphere:v37-6 .');
    expect(text).not.toContain('https://github.com/cyverse/atmosphere.git');
    expect((await step('images')).doneAt).toBeNull();
    // Docker Hub's tag route, with the bearer token.
    expect(hub.requests.map((request) => request.path).sort()).toEqual([
      '/v2/namespaces/cyverse/repositories/atmosphere/tags/v37-6',
      '/v2/namespaces/cyverse/repositories/troposphere/tags/v37-6',
    ]);
    expect(hub.requests.every((request) => request.authorization === `Bearer ${HUB_TOKEN}`)).toBe(true);

    hub.push('cyverse/troposphere', 'v37-6');
    const second = await h.run('release images v37-6', { id: 'op2', actingAs: 'mdelgado' });
    expect(second.replies[0]!.text).toContain('Every image of v37-6 is on Docker Hub.');
    expect(second.replies[0]!.text).toContain('Ticked "Images built" in the v37-6 runbook.');
    expect(await step('images')).toMatchObject({ doneBy: 'mdelgado', doneVia: 'release images' });
  });

  it('the Check images button on the release message runs the same check for its release', async () => {
    hub.push('cyverse/atmosphere', 'v37-6');
    hub.push('cyverse/troposphere', 'v37-6');
    const images = await step('images');
    const check = planPost.buttons!.find((button) => button.action === 'rb:images')!;
    expect(check).toMatchObject({ label: 'Check images', value: String(images.id) });
    const { replies } = await dispatch(h.dispatcher, actionEvent('rb:images', check.value, mdelgado));
    expect(replies[0]!.text).toContain('Every image of v37-6 is on Docker Hub.');
    expect(await step('images')).toMatchObject({ doneBy: 'mdelgado', doneVia: 'release images' });
    // Done now: a second click from the old message runs nothing.
    const again = await dispatch(h.dispatcher, actionEvent('rb:images', check.value, mdelgado));
    expect(again.replies[0]!.text).toContain('was already done by mdelgado');
  });

  it('a Docker Hub failure is said for that image and ticks nothing', async () => {
    hub.push('cyverse/atmosphere', 'v37-6');
    hub.push('cyverse/troposphere', 'v37-6');
    hub.failNext(503, 'service unavailable');
    const { replies } = await h.run('release images v37-6');
    expect(replies[0]!.text).toContain('Not every image of v37-6 is on Docker Hub yet.');
    expect(replies[0]!.text).toMatch(/could not be checked: Docker Hub is unavailable \(HTTP 503\): service unavailable/);
    expect((await step('images')).doneAt).toBeNull();
  });

  it('the job ticks Images built only after the tag step, once, and says so in the release thread', async () => {
    hub.push('cyverse/atmosphere', 'v37-6');
    hub.push('cyverse/troposphere', 'v37-6');
    // Before the tag step is done, Docker Hub is not asked at all.
    expect((await followRunbooks(h.t.deps, TEST_NOW)).imagesTicked).toBe(0);
    expect(hub.requests).toHaveLength(0);

    await markRunbookItemDone(h.t.deps.db, (await step('tag')).id, { by: 'kpatel', at: TEST_NOW, via: 'release tag' });
    const [a, b] = await Promise.all([followRunbooks(h.t.deps, TEST_NOW), followRunbooks(h.t.deps, TEST_NOW)]);
    expect(a.imagesTicked + b.imagesTicked).toBe(1);
    expect(await step('images')).toMatchObject({ doneBy: 'atmo-bot', doneVia: 'release images' });
    const notes = threadPosts().filter((post) => post.reply.text.startsWith('Docker Hub has the v37-6 images'));
    expect(notes).toHaveLength(1);
    // The release message was redrawn with the step done.
    const redrawn = h.t.chat.updates.filter((update) => update.message.id === runbook.messageId).at(-1)!;
    expect(redrawn.reply.sections!.map((section) => section.text).join('\n')).toMatch(/✓ Tagged images built: .*done by atmo-bot/);
  });

  it('reminds once a day of late and due steps, in the site time zone, across simultaneous runs', async () => {
    const runs = await Promise.all([followRunbooks(h.t.deps, TEST_NOW), followRunbooks(h.t.deps, TEST_NOW), followRunbooks(h.t.deps, TEST_NOW)]);
    expect(runs.reduce((sum, run) => sum + run.reminders, 0)).toBe(1);
    const reminders = () => threadPosts().filter((post) => post.reply.text.startsWith('Release v37-6, '));
    expect(reminders()).toHaveLength(1);
    const first = reminders()[0]!.reply.text;
    expect(first).toContain('Release v37-6, Mon 23 Nov 2026 in America/Phoenix: steps are late.');
    expect(first).toContain('• CyVerse: scheduled maintenance on status.io: was due Tue 17 Nov 2026 (crew chief kpatel; name: cyverse-statusio)');
    // The plan itself chose the crew, so that step is done and not reminded of.
    expect(first).not.toContain('name: crew)');
    // Not due yet on Monday: the week-prior steps (Tuesday) and the user notice (Friday).
    expect(first).not.toContain('Changelogs');
    expect(first).not.toContain('maintenance notice sent');
    expect(reminders()[0]!.reply.tone).toBe('warning');

    // Later the same day: nothing new.
    await followRunbooks(h.t.deps, new Date('2026-11-23T23:00:00Z'));
    expect(reminders()).toHaveLength(1);
    // 06:00 UTC on Tuesday is still Monday 23:00 in Phoenix: still nothing.
    await followRunbooks(h.t.deps, new Date('2026-11-24T06:00:00Z'));
    expect(reminders()).toHaveLength(1);
    // 08:00 UTC is Tuesday 01:00 in Phoenix: the week-prior steps are due, the crew step is still late.
    await followRunbooks(h.t.deps, new Date('2026-11-24T08:00:00Z'));
    expect(reminders()).toHaveLength(2);
    const second = reminders()[1]!.reply.text;
    expect(second).toContain('Release v37-6, Tue 24 Nov 2026 in America/Phoenix');
    expect(second).toMatch(/Due today:\n(.*\n)*• Changelogs: "Unreleased" moved into v37-6, release pull requests open \(driver mdelgado; name: changelog\)/);
    expect(second).toContain('name: cyverse-statusio)');
  });

  it("also tells each owner in a direct message, on every platform their account is linked on", async () => {
    const { findUserByUsername } = await import('../../../../src/db/queries/users.js');
    const { upsertChatLink } = await import('../../../../src/db/queries/chat-links.js');
    const maria = (await findUserByUsername(h.t.deps.db, 'mdelgado'))!;
    const kiran = (await findUserByUsername(h.t.deps.db, 'kpatel'))!;
    await upsertChatLink(h.t.deps.db, { platform: 'slack', chatUserId: 'UMARIA', atmosphereUserId: maria.id, atmosphereUsername: 'mdelgado', linkedBy: 'slack:UADMIN', linkedAt: TEST_NOW });
    await upsertChatLink(h.t.deps.db, { platform: 'discord', chatUserId: '445566778899001122', atmosphereUserId: maria.id, atmosphereUsername: 'mdelgado', linkedBy: 'slack:UADMIN', linkedAt: TEST_NOW });
    await upsertChatLink(h.t.deps.db, { platform: 'slack', chatUserId: 'UKIRAN', atmosphereUserId: kiran.id, atmosphereUsername: 'kpatel', linkedBy: 'slack:UADMIN', linkedAt: TEST_NOW });
    try {
      // Tuesday 24 November in Phoenix: the driver's week-prior steps are due, the chief's are late.
      await followRunbooks(h.t.deps, new Date('2026-11-24T17:00:00Z'));
      const direct = h.t.chat.posts.filter((post) => post.channel.direct);
      expect(direct.map((post) => `${post.channel.platform}:${post.channel.channel}`).sort()).toEqual(['discord:445566778899001122', 'slack:UKIRAN', 'slack:UMARIA']);
      const toMaria = direct.find((post) => post.channel.channel === 'UMARIA')!.reply.text;
      expect(toMaria).toMatch(/^mdelgado, steps of release v37-6 that are yours are due today:/);
      expect(toMaria).toContain('• Changelogs: "Unreleased" moved into v37-6');
      expect(toMaria).not.toContain('status.io');
      const toKiran = direct.find((post) => post.channel.channel === 'UKIRAN')!.reply.text;
      expect(toKiran).toMatch(/^kpatel, steps of release v37-6 that are yours are late or due:/);
      expect(toKiran).toContain('(was due Tue 17 Nov 2026)');
      // Once a day: a second run that day sends nothing more.
      await followRunbooks(h.t.deps, new Date('2026-11-24T18:00:00Z'));
      expect(h.t.chat.posts.filter((post) => post.channel.direct)).toHaveLength(3);
    } finally {
      const { deleteChatLink } = await import('../../../../src/db/queries/chat-links.js');
      for (const [platform, id] of [['slack', 'UMARIA'], ['discord', '445566778899001122'], ['slack', 'UKIRAN']] as const) await deleteChatLink(h.t.deps.db, platform, id);
    }
  });

  it('a done step is not reminded of, and a failed post is tried again on the next run', async () => {
    expect((await h.run('release done v37-6 cyverse-statusio')).replies[0]!.text).toContain('marked');
    const failing: ChatPort = {
      post: async () => {
        throw new Error('chat is down');
      },
      update: h.t.deps.chat.update,
    };
    const down = await followRunbooks({ ...h.t.deps, chat: failing }, TEST_NOW);
    expect(down.reminders).toBe(0);
    expect((await step('cyverse-calendar')).remindedOn).toBeNull();

    expect((await followRunbooks(h.t.deps, TEST_NOW)).reminders).toBe(1);
    const text = threadPosts().at(-1)!.reply.text;
    expect(text).toContain('name: cyverse-calendar)');
    expect(text).not.toContain('name: cyverse-statusio)');
  });

  it('stops following a runbook a week after its deployment day', async () => {
    expect((await followRunbooks(h.t.deps, new Date('2026-12-08T19:00:00Z'))).reminders).toBe(1);
    expect((await followRunbooks(h.t.deps, new Date('2026-12-09T19:00:00Z'))).reminders).toBe(0);
  });
});
