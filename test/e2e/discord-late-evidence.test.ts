import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInstances } from '../../src/db/queries/instances.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { APPLICATION_ID, buttonClick, chatInput, GUILD_ID } from '../support/discord-interactions.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord.js';
import { startFakeOpenStack, type FakeOpenStack } from '../fakes/openstack.js';
import type { FakeAtmosphereApi } from '../fakes/atmosphere-api.js';
import { startMirroredAtmosphereApi } from './mirrored-atmosphere-api.js';
import { CALLBACK, createDiscordReader, discordText, type DiscordMessageBody } from './discord-driver.js';
import { errorLines, productionEnv, startE2eBot, waitFor, type E2eBot } from './e2e-support.js';

const TOKEN = 'e2e-discord-late-evidence-token';
const D = { admin: '999000999000999000', kpatel: '210000000000000004' } as const;

describe.skipIf(!process.env.TEST_DATABASE_URL)('Discord end to end: late evidence edits the original response of /atmo instance', () => {
  let database: TestDatabase;
  let atmosphere: FakeAtmosphereApi;
  let discord: FakeDiscord;
  let cloud: FakeOpenStack;
  let running: E2eBot;
  let read: ReturnType<typeof createDiscordReader>;
  const send = <T extends object>(interaction: T): T => {
    discord.sendInteraction(interaction);
    return interaction;
  };

  beforeAll(async () => {
    database = await createTestDatabase('postgres', { troposphere: true, demo: true, now: new Date() });
    atmosphere = await startMirroredAtmosphereApi(database.atmosphere.db);
    discord = await startFakeDiscord({ token: TOKEN, applicationId: APPLICATION_ID });
    cloud = await startFakeOpenStack();
    read = createDiscordReader(discord);
    const entry = { auth_url: cloud.authUrl, application_credential_id: cloud.credentialId, application_credential_secret: cloud.credentialSecret };
    running = await startE2eBot(
      productionEnv(database, atmosphere, {
        DISCORD_TOKEN: TOKEN,
        DISCORD_APPLICATION_ID: APPLICATION_ID,
        DISCORD_GUILD_ID: GUILD_ID,
        DISCORD_API_URL: discord.apiUrl,
        BOT_ADMINS: `discord:${D.admin}`,
        OPENSTACK_CLOUDS: JSON.stringify({ 1: entry, 2: entry, 3: entry }),
        EVIDENCE_WAIT_MS: '300',
      }),
    );
    const link = send(chatInput({ path: ['link'], options: { user: `discord:${D.kpatel}`, username: 'kpatel' }, userId: D.admin, username: 'admin' }));
    expect(discordText(await read.commandReply(link))).toMatch(/^Linked/);
  });
  afterAll(async () => {
    await running?.bot.stop();
    await Promise.all([discord?.close(), atmosphere?.close(), cloud?.close()]);
    await database?.drop();
  });

  it('answers without a slow Nova, then PATCHes @original with the whole view: no second message', async () => {
    const [vm] = await findInstances(database.atmosphere.db, 'gpu-test');
    cloud.servers.set(vm!.uuid, { status: 'ERROR', fault: { code: 500, message: 'No valid host was found. There are not enough hosts available.' } });
    cloud.delayNext(`/compute/v2.1/servers/${vm!.uuid}`, 2_000);
    const show = send(chatInput({ path: ['instance'], options: { instance: 'gpu-test' }, userId: D.kpatel }));
    const first = await read.callback(show);
    // Answered within Discord's budget: the view is the interaction's response itself.
    expect(first.type).toBe(CALLBACK.channelMessage);
    expect(discordText(first.data ?? {})).toContain('Still asking Nova: its answer is added when it arrives.');
    const edited = await waitFor('the edit of @original', () => read.edits(show)[0]);
    const text = discordText(edited);
    expect(text).toContain('Fault (Nova): No valid host was found. There are not enough hosts available.');
    expect(text).not.toContain('Still asking');
    expect(text).toContain('with the late evidence');
    expect(read.edits(show)).toHaveLength(1);
    expect(read.followUps(show)).toHaveLength(0);
    expect(errorLines(running.logLines)).toEqual([]);
  });

  it('edits the view a Show click sent as a follow-up by its message id, leaving the clicked message alone', async () => {
    // Another instance than the first test's: Nova's answer for that one is still cached.
    const [vm] = await findInstances(database.atmosphere.db, 'docker-dev');
    cloud.servers.set(vm!.uuid, { status: 'SHUTOFF', vmState: 'stopped', powerState: 4 });
    cloud.delayNext(`/compute/v2.1/servers/${vm!.uuid}`, 2_000);
    const click = send(buttonClick({ customId: `in:show:${vm!.id}`, userId: D.kpatel }));
    const view = await read.followUp(click);
    expect(discordText(view)).toContain('Still asking Nova: its answer is added when it arrives.');
    const webhook = `/webhooks/${APPLICATION_ID}/${click.token}`;
    const posted = discord.requests.find((request) => request.method === 'POST' && request.path === webhook)!;
    const id = (posted.response as { id: string }).id;
    const edit = await waitFor('the edit of the follow-up', () => discord.requests.find((request) => request.method === 'PATCH' && request.path === `${webhook}/messages/${id}`));
    const text = discordText(edit.body as DiscordMessageBody);
    expect(text).toContain('Nova: SHUTOFF (vm stopped, no task, power SHUTDOWN (4))');
    expect(text).not.toContain('Still asking');
    expect(read.followUps(click)).toHaveLength(1);
    expect(read.edits(click)).toHaveLength(0);
  });
});
