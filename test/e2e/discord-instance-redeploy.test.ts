import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { APPLICATION_ID, buttonClick, chatInput, GUILD_ID } from '../support/discord-interactions.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord.js';
import type { FakeAtmosphereApi } from '../fakes/atmosphere-api.js';
import { startMirroredAtmosphereApi } from './mirrored-atmosphere-api.js';
import { createDiscordReader, discordButtonIds, discordText, EPHEMERAL } from './discord-driver.js';
import { auditRows, errorLines, lastAuditId, productionEnv, startE2eBot, type E2eBot } from './e2e-support.js';
import { actionPosts, deployErrorInstance, instanceDecisions } from './instance-support.js';

const TOKEN = 'e2e-discord-bot-token';
const D = { admin: '999000999000999000', mdelgado: '210000000000000003', kpatel: '210000000000000004' } as const;

describe.skipIf(!process.env.TEST_DATABASE_URL)('Discord end to end: redeploying an instance in deploy_error', () => {
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
      }),
    );
    for (const [userId, username] of [[D.kpatel, 'kpatel'], [D.mdelgado, 'mdelgado']] as const) {
      const command = send(chatInput({ path: ['link'], options: { user: `discord:${userId}`, username }, userId: D.admin, username: 'admin' }));
      expect(discordText(await read.commandReply(command))).toMatch(/^Linked/);
    }
  });
  afterAll(async () => {
    await running?.bot.stop();
    await discord?.close();
    await atmosphere?.close();
    await database?.drop();
  });

  it('shows the instance, confirms, and of 20 simultaneous confirmations sends one POST', async () => {
    const vm = await deployErrorInstance(db());
    const show = send(chatInput({ path: ['instance'], options: { instance: 'docker-dev' }, userId: D.kpatel }));
    const shown = await read.commandReply(show);
    expect(discordText(shown)).toMatch(/Instance #\d+ "docker-dev": deploy error/);
    expect(discordButtonIds(shown)).toEqual([`in:step:${vm.id}:redeploy`, `in:report:${vm.id}`]);

    const step = send(buttonClick({ customId: `in:step:${vm.id}:redeploy`, userId: D.kpatel }));
    const confirmation = await read.followUp(step);
    expect(discordText(confirmation)).toMatch(new RegExp(`Redeploy instance #${vm.id} "docker-dev" \\(${vm.uuid}\\) of alee2`));
    expect(discordButtonIds(confirmation)).toEqual([`in:confirm:${vm.id}:redeploy:0`, `in:cancel:${vm.id}`]);

    const auditBefore = await lastAuditId(db());
    const clicks = Array.from({ length: 20 }, (_, index) =>
      buttonClick({ customId: `in:confirm:${vm.id}:redeploy:0`, messageId: '880000000000000009', userId: index % 2 === 0 ? D.mdelgado : D.kpatel }),
    );
    for (const click of clicks) send(click);
    const answers = await Promise.all(clicks.map((click) => read.followUp(click)));

    expect(actionPosts(atmosphere, vm.uuid).map((call) => call.body)).toEqual([{ action: 'redeploy' }]);
    const decisions = await instanceDecisions(db(), vm.id);
    expect(decisions).toHaveLength(1);
    const texts = answers.map(discordText);
    expect(texts.filter((text) => text.startsWith('Redeploy sent for instance'))).toHaveLength(1);
    const losers = answers.filter((answer) => !discordText(answer).startsWith('Redeploy sent'));
    expect(losers).toHaveLength(19);
    for (const loser of losers) {
      expect(discordText(loser)).toMatch(new RegExp(`^Instance #${vm.id} (is being|was) redeployed by ${decisions[0]!.decidedBy} .*Nothing more was done\\.$`, 's'));
      expect(loser.flags).toBe(EPHEMERAL);
    }
    const audit = (await auditRows(db(), auditBefore, 20)).filter((row) => row.name === 'in:confirm');
    expect(audit.map((row) => row.outcome).sort()).toEqual(['ok', ...Array(19).fill('refused')].sort());
    expect(errorLines(running.logLines)).toEqual([]);
  });

  it('a 500 after Atmosphere started the redeploy: held and told truthfully, then credited to the first person on the next click, one POST', async () => {
    const vm = await deployErrorInstance(db());
    const step = send(buttonClick({ customId: `in:step:${vm.id}:redeploy`, userId: D.kpatel }));
    expect(discordButtonIds(await read.followUp(step))).toEqual([`in:confirm:${vm.id}:redeploy:1`, `in:cancel:${vm.id}`]);
    const before = actionPosts(atmosphere, vm.uuid).length;
    atmosphere.failAfterApplying({ method: 'POST', pathPrefix: `/instances/${vm.uuid}/actions` }, 500);

    const first = send(buttonClick({ customId: `in:confirm:${vm.id}:redeploy:1`, messageId: '880000000000000010', userId: D.kpatel }));
    const held = discordText(await read.followUp(first));
    expect(held).toMatch(/may still be applied by Atmosphere, so the bot holds this decision as kpatel's and will not send it again/);
    expect(held).not.toMatch(/something went wrong|nothing was (done|sent)/i);
    expect((await instanceDecisions(db(), vm.id)).find((row) => row.round === 1)).toMatchObject({ state: 'held', decidedBy: 'kpatel' });

    const second = send(buttonClick({ customId: `in:confirm:${vm.id}:redeploy:1`, messageId: '880000000000000010', userId: D.mdelgado }));
    expect(discordText(await read.followUp(second))).toMatch(new RegExp(`^Instance #${vm.id} was redeployed by kpatel at .*recorded it afterwards from what Atmosphere shows\\. Nothing more was done\\.$`, 's'));
    expect(actionPosts(atmosphere, vm.uuid)).toHaveLength(before + 1);
    expect((await instanceDecisions(db(), vm.id)).find((row) => row.round === 1)).toMatchObject({ state: 'done', decidedBy: 'kpatel' });
  });
});
