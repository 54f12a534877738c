import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { APPLICATION_ID, buttonClick, chatInput, GUILD_ID } from '../support/discord-interactions.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord.js';
import type { FakeAtmosphereApi } from '../fakes/atmosphere-api.js';
import { startMirroredAtmosphereApi } from './mirrored-atmosphere-api.js';
import { createDiscordReader, discordButtonIds, discordText, EPHEMERAL } from './discord-driver.js';
import { apiWrites, decisionsFor, errorLines, fileRequest, onlyIdentityOf, productionEnv, requestState, startE2eBot, type E2eBot } from './e2e-support.js';

const TOKEN = 'e2e-discord-bot-token';
const D = { admin: '999000999000999000', mdelgado: '210000000000000003', kpatel: '210000000000000004' } as const;

describe.skipIf(!process.env.TEST_DATABASE_URL)('Discord end to end: a large allocation waits for a second reviewer (Postgres)', () => {
  let database: TestDatabase;
  let atmosphere: FakeAtmosphereApi;
  let discord: FakeDiscord;
  let running: E2eBot;
  let read: ReturnType<typeof createDiscordReader>;
  const db = () => database.atmosphere.db;
  const send = <T extends object>(interaction: T): T => {
    discord.sendInteraction(interaction);
    return interaction;
  };

  async function link(userId: string, username: string): Promise<void> {
    const command = send(chatInput({ path: ['link'], options: { user: `discord:${userId}`, username }, userId: D.admin, username: 'admin' }));
    expect(discordText(await read.commandReply(command))).toMatch(new RegExp(`^Linked discord:${userId} to ${username}`));
  }

  beforeAll(async () => {
    database = await createTestDatabase('postgres', { troposphere: true, demo: true, now: new Date() });
    atmosphere = await startMirroredAtmosphereApi(db());
    discord = await startFakeDiscord({ token: TOKEN, applicationId: APPLICATION_ID });
    read = createDiscordReader(discord);
    running = await startE2eBot(
      productionEnv(database, atmosphere, {
        DISCORD_TOKEN: TOKEN,
        DISCORD_APPLICATION_ID: APPLICATION_ID,
        DISCORD_GUILD_ID: GUILD_ID,
        DISCORD_API_URL: discord.apiUrl,
        BOT_ADMINS: `discord:${D.admin}`,
        SECOND_REVIEW_AU: '10000',
      }),
    );
    await link(D.kpatel, 'kpatel');
    await link(D.mdelgado, 'mdelgado');
  });
  afterAll(async () => {
    await running?.bot.stop();
    await discord?.close();
    await atmosphere?.close();
    await database?.drop();
  });

  it('/atmo approve records the first approval in the channel; twenty Confirm clicks by the other staff member grant it once', async () => {
    const id = await fileRequest(db(), 'pwright', 'Allocation: 20000 AU for the course');
    const identity = await onlyIdentityOf(db(), 'pwright');
    const approve = send(chatInput({ path: ['approve'], options: { id, allocation: '20000', message: 'Enjoy the course' }, userId: D.kpatel, username: 'kiran' }));
    const posted = await read.commandReply(approve);
    expect(posted.private).toBe(false);
    expect(discordText(posted)).toContain(`Request #${id} (pwright) was approved first by kpatel`);
    expect(discordText(posted)).toContain('pwright 20,000 AU is above SECOND_REVIEW_AU (10,000 AU)');
    expect(discordButtonIds(posted)).toEqual([`rr:confirm:${id}`, `rr:deny:${id}`]);
    expect(apiWrites(atmosphere)).toEqual([]);

    const own = send(buttonClick({ customId: `rr:confirm:${id}`, userId: D.kpatel, username: 'kiran' }));
    const refusal = await read.followUp(own);
    expect(discordText(refusal)).toMatch(/^You approved request #\d+ first .*has to confirm it\. Nothing was sent\.$/);
    expect(refusal.flags).toBe(EPHEMERAL);

    const clicks = Array.from({ length: 20 }, () => send(buttonClick({ customId: `rr:confirm:${id}`, messageId: '880000000000000010', userId: D.mdelgado, username: 'maria' })));
    const answers = await Promise.all(clicks.map((click) => read.followUp(click)));
    const texts = answers.map(discordText);
    expect(texts.filter((text) => text.startsWith(`Approved request #${id} from pwright as the second reviewer of kpatel's approval`))).toHaveLength(1);
    expect(texts.filter((text) => /(was|is being) approved by mdelgado/.test(text))).toHaveLength(19);

    const writes = apiWrites(atmosphere).map((call) => `${call.method} ${call.path}`);
    expect(writes.filter((write) => write.startsWith('PATCH /api/v2/allocation_sources/'))).toHaveLength(1);
    expect(writes.filter((write) => write === `PATCH /api/v2/admin/resource_requests/${id}`)).toHaveLength(1);
    expect(atmosphere.calls.find((call) => call.method === 'PATCH' && call.path.startsWith('/api/v2/allocation_sources/'))!.body).toEqual({ compute_allowed: 20_000 });
    expect(await requestState(db(), id)).toMatchObject({ status: 'approved', adminMessage: 'Enjoy the course' });
    expect(await decisionsFor(db(), id)).toMatchObject([{ state: 'done', decidedBy: 'mdelgado', platform: 'discord', plan: expect.objectContaining({ firstApprovedBy: 'kpatel' }) }]);
    expect((await onlyIdentityOf(db(), 'pwright')).quotaId).toBe(identity.quotaId);
    expect(errorLines(running.logLines)).toEqual([]);
  }, 120_000);
});
