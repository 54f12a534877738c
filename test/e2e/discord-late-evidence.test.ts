import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInstances } from '../../src/db/queries/instances.js';
import { APPLICATION_ID, buttonClick, chatInput } from '../support/discord-interactions.js';
import { startFakeOpenStack, type FakeOpenStack } from '../fakes/openstack.js';
import { CALLBACK, discordText, type DiscordMessageBody } from './discord-driver.js';
import { errorLines, waitFor, cloudEnv } from './e2e-support.js';
import { DISCORD_USERS, startDiscordDeployment, type DiscordDeployment } from './discord-deployment.js';

const TOKEN = 'e2e-discord-late-evidence-token';
const D = DISCORD_USERS;

describe.skipIf(!process.env.TEST_DATABASE_URL)('Discord end to end: late evidence edits the original response of /atmo instance', () => {
  let d: DiscordDeployment;
  let cloud: FakeOpenStack;
  const db = () => d.db();
  const send = <T extends object>(interaction: T): T => d.send(interaction);

  beforeAll(async () => {
    cloud = await startFakeOpenStack();
    d = await startDiscordDeployment({ token: TOKEN, env: { ...cloudEnv({ cloud }), EVIDENCE_WAIT_MS: '300' }, links: [[D.kpatel, 'kpatel']] });
  });
  afterAll(async () => {
    await d?.stop();
    await cloud?.close();
  });

  it('answers without a slow Nova, then PATCHes @original with the whole view: no second message', async () => {
    const [vm] = await findInstances(d.database.atmosphere.db, 'gpu-test');
    cloud.servers.set(vm!.uuid, { status: 'ERROR', fault: { code: 500, message: 'No valid host was found. There are not enough hosts available.' } });
    cloud.delayNext(`/compute/v2.1/servers/${vm!.uuid}`, 2_000);
    const show = send(chatInput({ path: ['instance'], options: { instance: 'gpu-test' }, userId: D.kpatel }));
    const first = await d.read.callback(show);
    // Answered within Discord's budget: the view is the interaction's response itself.
    expect(first.type).toBe(CALLBACK.channelMessage);
    expect(discordText(first.data ?? {})).toContain('Still asking Nova: its answer is added when it arrives.');
    const edited = await waitFor('the edit of @original', () => d.read.edits(show)[0]);
    const text = discordText(edited);
    expect(text).toContain('Fault (Nova): No valid host was found. There are not enough hosts available.');
    expect(text).not.toContain('Still asking');
    expect(text).toContain('with the late evidence');
    expect(d.read.edits(show)).toHaveLength(1);
    expect(d.read.followUps(show)).toHaveLength(0);
    expect(errorLines(d.running.logLines)).toEqual([]);
  });

  it('edits the view a Show click sent as a follow-up by its message id, leaving the clicked message alone', async () => {
    // Another instance than the first test's: Nova's answer for that one is still cached.
    const [vm] = await findInstances(d.database.atmosphere.db, 'docker-dev');
    cloud.servers.set(vm!.uuid, { status: 'SHUTOFF', vmState: 'stopped', powerState: 4 });
    cloud.delayNext(`/compute/v2.1/servers/${vm!.uuid}`, 2_000);
    const click = send(buttonClick({ customId: `in:show:${vm!.id}`, userId: D.kpatel }));
    const view = await d.read.followUp(click);
    expect(discordText(view)).toContain('Still asking Nova: its answer is added when it arrives.');
    const webhook = `/webhooks/${APPLICATION_ID}/${click.token}`;
    const posted = d.discord.requests.find((request) => request.method === 'POST' && request.path === webhook)!;
    const id = (posted.response as { id: string }).id;
    const edit = await waitFor('the edit of the follow-up', () => d.discord.requests.find((request) => request.method === 'PATCH' && request.path === `${webhook}/messages/${id}`));
    const text = discordText(edit.body as DiscordMessageBody);
    expect(text).toContain('Nova: SHUTOFF (vm stopped, no task, power SHUTDOWN (4))');
    expect(text).not.toContain('Still asking');
    expect(d.read.followUps(click)).toHaveLength(1);
    expect(d.read.edits(click)).toHaveLength(0);
  });
});
