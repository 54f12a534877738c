import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ChatEvent } from '../../../src/bot/chat/chat-event.js';
import type { ActionDefinition, CommandDefinition, DispatchOutcome, Dispatcher, EventIO } from '../../../src/bot/chat/command.js';
import { buildCommandManifest } from '../../../src/bot/discord/command-manifest.js';
import { createDiscordBot, type DiscordBot } from '../../../src/bot/discord/discord-bot.js';
import { renderModal } from '../../../src/bot/discord/render-reply.js';
import type { FormSpec } from '../../../src/bot/chat/reply.js';
import { IntegrationError } from '../../../src/errors.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { startFakeDiscord, type FakeDiscord, type RecordedRequest } from '../../fakes/discord.js';
import { APPLICATION_ID, buttonClick, CHANNEL_ID, chatInput, GUILD_ID, modalSubmit } from '../../support/discord-interactions.js';

const TOKEN = 'fake-bot-token';
const REST_OPTIONS = { retries: 0, timeout: 5_000 };

const commands: CommandDefinition[] = [
  { name: 'requests', summary: 'List pending requests', usage: '/atmo requests', options: [{ name: 'status', description: 'Which', type: 'string' }], args: z.object({}), permission: 'staff', run: async () => undefined },
  { name: 'maintenance start', summary: 'Start maintenance', usage: '/atmo maintenance start <title>', options: [{ name: 'title', description: 'Title', type: 'string', required: true }], args: z.object({}), permission: 'staff', run: async () => undefined },
];
const denyForm: FormSpec = { title: 'Deny request 42', submitLabel: 'Deny', fields: [{ name: 'reason', label: 'Reason', kind: 'multiline', required: true }] };
const actions: ActionDefinition[] = [
  { name: 'rr:approve', value: z.string(), permission: 'staff', run: async () => undefined },
  { name: 'rr:deny', value: z.string(), permission: 'staff', form: denyForm, formValues: z.object({ reason: z.string() }), run: async () => undefined },
];

type Behaviour = (event: ChatEvent, io: EventIO) => Promise<DispatchOutcome>;

/** A dispatcher that records every event and does what the test says. */
function createFakeDispatcher() {
  const events: ChatEvent[] = [];
  const arrivals: ((event: ChatEvent) => void)[] = [];
  let behaviour: Behaviour = async () => ({ kind: 'done' });
  let last: Promise<unknown> = Promise.resolve();
  const dispatcher: Dispatcher = {
    commands,
    actions,
    checkForm: async () => null,
    async handle(event, io) {
      events.push(event);
      for (const arrive of arrivals.splice(0)) arrive(event);
      const outcome = behaviour(event, io);
      last = outcome.catch(() => undefined);
      return outcome;
    },
  };
  return {
    dispatcher,
    events,
    behave(next: Behaviour) {
      behaviour = next;
    },
    nextEvent: () => new Promise<ChatEvent>((resolve) => arrivals.push(resolve)),
    /** Resolves once the latest handled event's behaviour has finished, its REST calls answered. */
    settled: () => last,
  };
}

const done: DispatchOutcome = { kind: 'done' };

describe('Discord bot against a fake Discord', () => {
  let fake: FakeDiscord;
  let bot: DiscordBot;
  const fakeDispatcher = createFakeDispatcher();
  const memory = createMemoryLogger();

  const requestsFor = (token: string) => fake.requests.filter((request) => request.path.includes(`/${token}`));
  const isCall = (method: string, path: string) => (request: RecordedRequest) => request.method === method && request.path === path;

  beforeAll(async () => {
    fake = await startFakeDiscord({ token: TOKEN, applicationId: APPLICATION_ID });
    bot = createDiscordBot({
      token: TOKEN,
      applicationId: APPLICATION_ID,
      guildId: GUILD_ID,
      apiUrl: fake.apiUrl,
      dispatcher: fakeDispatcher.dispatcher,
      log: memory.log,
      restOptions: REST_OPTIONS,
    });
    await bot.start();
  });

  afterAll(async () => {
    await bot?.stop();
    await fake?.close();
  });

  afterEach(() => {
    // A listener that threw, or a REST call the fake refused, shows up here.
    expect(memory.lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
  });

  it('registers the /atmo manifest in the guild on start-up, with the bot token', () => {
    const put = fake.requests.find(isCall('PUT', `/applications/${APPLICATION_ID}/guilds/${GUILD_ID}/commands`));
    expect(put?.authorization).toBe(`Bot ${TOKEN}`);
    expect(put?.body).toEqual(buildCommandManifest(commands));
    expect(fake.stats.identifies).toBe(1);
  });

  it('answers a quick slash command in its first response, privately: one REST call', async () => {
    fakeDispatcher.behave(async (_event, io) => {
      await io.respond({ text: '2 pending requests' });
      return done;
    });
    const interaction = chatInput({ path: ['requests'], options: { status: 'pending' } });
    fake.sendInteraction(interaction);
    const callback = await fake.waitForRequest(isCall('POST', `/interactions/${interaction.id}/${interaction.token}/callback`));

    expect(callback.body).toMatchObject({ type: 4, data: { content: '2 pending requests', embeds: [], components: [], flags: 64 } });
    expect(callback.authorization).toBeUndefined();
    await fakeDispatcher.settled();
    expect(requestsFor(interaction.token)).toHaveLength(1);
    expect(fakeDispatcher.events.at(-1)).toMatchObject({
      id: interaction.id,
      kind: 'command',
      text: 'requests --status pending',
      options: { path: ['requests'], values: { status: 'pending' } },
      user: { platform: 'discord', id: interaction.member.user.id },
      channel: CHANNEL_ID,
    });
  });

  it('posts a quick channel reply publicly as the first response: one REST call', async () => {
    fakeDispatcher.behave(async (_event, io) => {
      await io.respond({ text: 'Maintenance started', title: 'Maintenance', visibility: 'channel' });
      return done;
    });
    const interaction = chatInput({ path: ['maintenance', 'start'], options: { title: 'Upgrade' } });
    fake.sendInteraction(interaction);
    const callback = await fake.waitForRequest(isCall('POST', `/interactions/${interaction.id}/${interaction.token}/callback`));

    expect(callback.body).toMatchObject({ type: 4, data: { content: '', embeds: [{ title: 'Maintenance', description: 'Maintenance started' }] } });
    expect((callback.body as { data: { flags?: number } }).data.flags ?? 0).toBe(0);
    await fakeDispatcher.settled();
    expect(requestsFor(interaction.token)).toHaveLength(1);
  });

  it('removes the "thinking" message of a command that said nothing', async () => {
    fakeDispatcher.behave(async () => done);
    const interaction = chatInput({ path: ['requests'] });
    fake.sendInteraction(interaction);
    await fake.waitForRequest(isCall('DELETE', `/webhooks/${APPLICATION_ID}/${interaction.token}/messages/@original`));
  });

  it('redraws the message of a quick click in the click\u2019s response, removing the buttons: one REST call', async () => {
    fakeDispatcher.behave(async (_event, io) => {
      await io.updateSource?.({ text: 'Request 42 approved', footer: 'by alice', tone: 'success' });
      return done;
    });
    const interaction = buttonClick({ customId: 'rr:approve:42', messageId: '555000000000000001' });
    fake.sendInteraction(interaction);
    const update = await fake.waitForRequest(isCall('POST', `/interactions/${interaction.id}/${interaction.token}/callback`));
    await fakeDispatcher.settled();

    // UPDATE_MESSAGE carries the redrawn message: no deferral, no edit of @original after it.
    expect(update.body).toMatchObject({ type: 7, data: { content: '', embeds: [{ description: 'Request 42 approved', footer: { text: 'by alice' } }], components: [] } });
    expect(requestsFor(interaction.token)).toHaveLength(1);
    expect(fakeDispatcher.events.at(-1)).toMatchObject({
      kind: 'action',
      action: 'rr:approve',
      value: '42',
      message: { platform: 'discord', channel: CHANNEL_ID, id: '555000000000000001' },
    });
  });

  it('shows the form of an action as a modal and dispatches its submission with the values', async () => {
    fakeDispatcher.behave(async (event) => (event.kind === 'action' && !event.form ? { kind: 'form', form: denyForm, action: 'rr:deny', value: '42' } : done));
    const click = buttonClick({ customId: 'rr:deny:42', messageId: '555000000000000002' });
    fake.sendInteraction(click);
    const modal = await fake.waitForRequest(isCall('POST', `/interactions/${click.id}/${click.token}/callback`));
    expect(modal.body).toEqual({ type: 9, data: renderModal(denyForm, 'rr:deny:42') });

    fakeDispatcher.behave(async (_event, io) => {
      await io.updateSource?.({ text: 'Request 42 denied: Too many cores' });
      return done;
    });
    const submit = modalSubmit({ customId: 'rr:deny:42', values: { reason: 'Too many cores' }, messageId: '555000000000000002' });
    fake.sendInteraction(submit);
    const update = await fake.waitForRequest(isCall('POST', `/interactions/${submit.id}/${submit.token}/callback`));
    await fakeDispatcher.settled();
    expect(update.body).toMatchObject({ type: 7, data: { content: 'Request 42 denied: Too many cores', components: [] } });
    expect(requestsFor(submit.token)).toHaveLength(1);
    expect(fakeDispatcher.events.at(-1)).toMatchObject({
      kind: 'action',
      action: 'rr:deny',
      value: '42',
      form: { reason: 'Too many cores' },
      message: { id: '555000000000000002' },
    });
  });

  it('acknowledges a click whose handler said nothing, without changing its message', async () => {
    fakeDispatcher.behave(async () => done);
    const click = buttonClick({ customId: 'rr:approve:42' });
    fake.sendInteraction(click);
    const ack = await fake.waitForRequest(isCall('POST', `/interactions/${click.id}/${click.token}/callback`));
    await fakeDispatcher.settled();
    expect(ack.body).toEqual({ type: 6 });
    expect(requestsFor(click.token)).toHaveLength(1);
  });

  it('sends a precheck refusal privately instead of the form', async () => {
    fakeDispatcher.behave(async (_event, io) => {
      await io.respond({ text: 'Request 42 was already decided.' });
      return done;
    });
    const click = buttonClick({ customId: 'rr:deny:42' });
    fake.sendInteraction(click);
    const followUp = await fake.waitForRequest(isCall('POST', `/webhooks/${APPLICATION_ID}/${click.token}`));
    expect(requestsFor(click.token)[0]!.body).toEqual({ type: 6 });
    expect(followUp.body).toMatchObject({ content: 'Request 42 was already decided.', flags: 64 });
  });

  it('ignores interactions from other bots', async () => {
    fakeDispatcher.behave(async () => done);
    const fromBot = chatInput({ path: ['requests'], bot: true, userId: '999' });
    const fromPerson = chatInput({ path: ['requests'] });
    const arrived = fakeDispatcher.nextEvent();
    fake.sendInteraction(fromBot);
    fake.sendInteraction(fromPerson);
    expect((await arrived).id).toBe(fromPerson.id);
    expect(fakeDispatcher.events.some((event) => event.id === fromBot.id)).toBe(false);
    expect(requestsFor(fromBot.token)).toEqual([]);
  });

  it('still delivers an interaction that arrives after the gateway connection drops', async () => {
    fakeDispatcher.behave(async (_event, io) => {
      await io.respond({ text: 'back' });
      return done;
    });
    const resumesBefore = fake.stats.resumes;
    fake.dropConnection();
    const interaction = chatInput({ path: ['requests'] });
    fake.sendInteraction(interaction);
    const answer = await fake.waitForRequest(isCall('POST', `/interactions/${interaction.id}/${interaction.token}/callback`));
    expect(answer.body).toMatchObject({ type: 4, data: { content: 'back' } });
    expect(fake.stats.resumes).toBe(resumesBefore + 1);
    expect(fake.stats.identifies).toBe(1);
    expect(fakeDispatcher.events.filter((event) => event.id === interaction.id)).toHaveLength(1);

    // And the session keeps working once resumed.
    await fake.waitForLiveSession();
    const after = chatInput({ path: ['requests'] });
    fake.sendInteraction(after);
    await fake.waitForRequest(isCall('POST', `/interactions/${after.id}/${after.token}/callback`));
  });

  it('posts alert threads: the thread is created once, named from the title, and later posts go into it', async () => {
    const channel = { platform: 'discord' as const, channel: '666000000000000001' };
    const parent = await bot.chatPort.post(channel, { text: 'Imaging request 9 errored', buttons: [{ label: 'Retry', action: 'mr:retry', value: '9' }] });
    expect(parent).toMatchObject({ platform: 'discord', channel: channel.channel });
    const parentPost = fake.requests.find(isCall('POST', `/channels/${channel.channel}/messages`));
    expect(parentPost?.authorization).toBe(`Bot ${TOKEN}`);
    expect(parentPost?.body).toMatchObject({ content: 'Imaging request 9 errored', components: [{ type: 1, components: [{ custom_id: 'mr:retry:9' }] }], allowed_mentions: { parse: [] } });

    const first = await bot.chatPort.post(channel, { text: 'Triage: quota exceeded', title: 'Imaging 9: triage' }, { thread: parent });
    const second = await bot.chatPort.post(channel, { text: 'Retried by alice' }, { thread: parent });
    const creations = fake.requests.filter(isCall('POST', `/channels/${channel.channel}/messages/${parent.id}/threads`));
    expect(creations).toHaveLength(1);
    expect(creations[0]!.body).toEqual({ name: 'Imaging 9: triage' });
    expect(first).toMatchObject({ channel: channel.channel, threadId: parent.id });
    expect(second.threadId).toBe(parent.id);
    expect(fake.requests.filter(isCall('POST', `/channels/${parent.id}/messages`))).toHaveLength(2);

    // Another replica that never saw the thread being created still posts into it.
    const replica = createDiscordBot({ token: TOKEN, applicationId: APPLICATION_ID, apiUrl: fake.apiUrl, dispatcher: fakeDispatcher.dispatcher, log: memory.log, restOptions: REST_OPTIONS });
    const third = await replica.chatPort.post(channel, { text: 'Resolved' }, { thread: parent });
    expect(third.threadId).toBe(parent.id);

    await bot.chatPort.update(parent, { text: 'Imaging request 9 retried' });
    const update = await fake.waitForRequest(isCall('PATCH', `/channels/${channel.channel}/messages/${parent.id}`));
    expect(update.body).toMatchObject({ content: 'Imaging request 9 retried', embeds: [], components: [] });

    await bot.chatPort.update(first, { text: 'Triage: done' });
    await fake.waitForRequest(isCall('PATCH', `/channels/${parent.id}/messages/${first.id}`));
  });

  it('turns a refused post into an IntegrationError that does not carry the token', async () => {
    const quiet = createMemoryLogger();
    const wrong = createDiscordBot({ token: 'not-the-token', applicationId: APPLICATION_ID, apiUrl: fake.apiUrl, dispatcher: fakeDispatcher.dispatcher, log: quiet.log, restOptions: REST_OPTIONS });
    const error = await wrong.chatPort.post({ platform: 'discord', channel: '666000000000000002' }, { text: 'hi' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ service: 'discord', status: 401 });
    expect(String((error as Error).message)).not.toContain('not-the-token');
    await expect(wrong.chatPort.post({ platform: 'slack', channel: 'C1' }, { text: 'hi' })).rejects.toThrow(/slack/);
  });
});

describe('Discord bot when an action precheck is slow', () => {
  let fake: FakeDiscord;
  let bot: DiscordBot;
  const fakeDispatcher = createFakeDispatcher();

  beforeAll(async () => {
    fake = await startFakeDiscord({ token: TOKEN, applicationId: APPLICATION_ID });
    bot = createDiscordBot({
      token: TOKEN,
      applicationId: APPLICATION_ID,
      apiUrl: fake.apiUrl,
      dispatcher: fakeDispatcher.dispatcher,
      log: createMemoryLogger().log,
      restOptions: REST_OPTIONS,
      formPrecheckBudgetMs: 20,
      commandReplyBudgetMs: 20,
    });
    await bot.start();
  });

  afterAll(async () => {
    await bot?.stop();
    await fake?.close();
  });

  it('defers the click in time and asks the user to click again instead of a late modal', async () => {
    const click = buttonClick({ customId: 'rr:deny:42' });
    // The precheck finishes only after the adapter has deferred: a modal is no longer possible.
    fakeDispatcher.behave(async () => {
      await fake.waitForRequest((request) => request.path === `/interactions/${click.id}/${click.token}/callback`);
      return { kind: 'form', form: denyForm, action: 'rr:deny', value: '42' };
    });
    fake.sendInteraction(click);
    const followUp = await fake.waitForRequest((request) => request.method === 'POST' && request.path === `/webhooks/${APPLICATION_ID}/${click.token}`);
    const callbacks = fake.requests.filter((request) => request.path.endsWith('/callback') && request.path.includes(click.token));
    expect(callbacks.map((request) => request.body)).toEqual([{ type: 6 }]);
    expect(followUp.body).toMatchObject({ content: expect.stringContaining('Click the button again') as unknown, flags: 64 });
  });

  const isCall = (method: string, path: string) => (request: RecordedRequest) => request.method === method && request.path === path;

  it('defers a slow click when the budget runs out, then edits the message it sat on', async () => {
    const click = buttonClick({ customId: 'rr:approve:42', messageId: '555000000000000009' });
    fakeDispatcher.behave(async (_event, io) => {
      await fake.waitForRequest(isCall('POST', `/interactions/${click.id}/${click.token}/callback`));
      await io.updateSource?.({ text: 'Request 42 approved' });
      return done;
    });
    fake.sendInteraction(click);
    await fake.waitForRequest(isCall('PATCH', `/webhooks/${APPLICATION_ID}/${click.token}/messages/@original`));
    const mine = fake.requests.filter((request) => request.path.includes(`/${click.token}`));
    expect(mine.map((request) => request.method)).toEqual(['POST', 'PATCH']);
    expect(mine[0]!.body).toEqual({ type: 6 });
    expect(mine[1]!.body).toMatchObject({ content: 'Request 42 approved' });
  });

  it('defers a slow command privately, then settles it and posts a channel reply publicly', async () => {
    const interaction = chatInput({ path: ['maintenance', 'start'], options: { title: 'Upgrade' } });
    fakeDispatcher.behave(async (_event, io) => {
      await fake.waitForRequest(isCall('POST', `/interactions/${interaction.id}/${interaction.token}/callback`));
      await io.respond({ text: 'Maintenance started', title: 'Maintenance', visibility: 'channel' });
      return done;
    });
    fake.sendInteraction(interaction);
    const followUp = await fake.waitForRequest(isCall('POST', `/webhooks/${APPLICATION_ID}/${interaction.token}`));
    const mine = fake.requests.filter((request) => request.path.includes(`/${interaction.token}`));
    expect(mine.map((request) => `${request.method} ${request.path.replace(interaction.token, 'T')}`)).toEqual([
      `POST /interactions/${interaction.id}/T/callback`,
      `PATCH /webhooks/${APPLICATION_ID}/T/messages/@original`,
      `POST /webhooks/${APPLICATION_ID}/T`,
    ]);
    expect(mine[0]!.body).toMatchObject({ type: 5, data: { flags: 64 } });
    expect(mine[1]!.body).toMatchObject({ content: 'Posted in the channel.' });
    expect((followUp.body as { flags?: number }).flags ?? 0).toBe(0);
  });

  it('fails to start, naming the token, when Discord refuses it', async () => {
    const refused = createDiscordBot({ token: 'wrong', applicationId: APPLICATION_ID, apiUrl: fake.apiUrl, dispatcher: fakeDispatcher.dispatcher, log: createMemoryLogger().log, restOptions: REST_OPTIONS });
    await expect(refused.start()).rejects.toThrow(/token/i);
    await refused.stop();
  });

  it('does not register commands when no guild is configured', () => {
    expect(fake.requests.some((request) => request.method === 'PUT')).toBe(false);
  });
});
