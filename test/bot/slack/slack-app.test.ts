import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatEvent, CommandEvent } from '../../../src/bot/chat/chat-event.js';
import type { Dispatcher, DispatchOutcome, EventIO } from '../../../src/bot/chat/command.js';
import { reply } from '../../../src/bot/chat/reply.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { createSlackApp, type SlackApp } from '../../../src/bot/slack/slack-app.js';
import { createHttpRouter, healthRoutes } from '../../../src/bot/http-server.js';
import { IntegrationError } from '../../../src/errors.js';
import { memoryFormStates } from '../../support/form-states.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../fakes/slack-api.js';
import { blockAction, signedPost, slashCommand, viewSubmission } from '../../support/slack-requests.js';

const SECRET = 'test-signing-secret';

/** A dispatcher that records each event with its io and lets each test decide how to answer. */
function fakeDispatcher() {
  const received: { event: ChatEvent; io: EventIO }[] = [];
  let behaviour: (event: ChatEvent, io: EventIO) => Promise<DispatchOutcome> = async () => ({ kind: 'done' });
  const dispatcher: Dispatcher = {
    commands: [],
    actions: [],
    checkForm: async () => null,
    async handle(event, io) {
      received.push({ event, io });
      return behaviour(event, io);
    },
  };
  return {
    dispatcher,
    received,
    answer(next: typeof behaviour) {
      behaviour = next;
    },
  };
}

describe('Slack app over HTTP (real Bolt, fake Web API)', () => {
  let fake: FakeSlackApi;
  let slack: SlackApp;
  let appUrl: string;
  let healthy = true;
  const dispatch = fakeDispatcher();
  const { log, lines } = createMemoryLogger('warn');
  const router = createHttpRouter({ log });
  for (const route of healthRoutes({ log, healthCheck: async () => ({ ok: healthy, detail: { database: healthy ? 'up' : 'down' } }) })) router.add(route);

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    slack = createSlackApp({
      botToken: 'xoxb-test-token',
      formStates: memoryFormStates(),
      signingSecret: SECRET,
      apiUrl: fake.url,
      port: 0,
      host: '127.0.0.1',
      dispatcher: dispatch.dispatcher,
      log,
      router,
      clientOptions: { retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
      botId: 'B1',
      botUserId: 'UB1',
    });
    const started = await slack.start();
    appUrl = `http://127.0.0.1:${started?.port}`;
  });

  afterAll(async () => {
    await slack.stop();
    await fake.close();
  });

  afterEach(() => {
    dispatch.received.length = 0;
    fake.calls.length = 0;
    fake.responses.length = 0;
    dispatch.answer(async () => ({ kind: 'done' }));
    healthy = true;
  });

  it('does not call auth.test when the bot ids are given', () => {
    expect(fake.calls.filter((call) => call.method === 'auth.test')).toEqual([]);
  });

  it('acks a slash command before the handler finishes, then answers through the response_url', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    dispatch.answer(async (_event, io) => {
      await gate;
      await io.respond(reply('2 requests pending', { title: 'Requests', visibility: 'channel' }));
      return { kind: 'done' };
    });
    const response = await signedPost(
      appUrl,
      slashCommand({ text: 'requests  pending ', userId: 'U5', channelId: 'C9', responseUrl: fake.responseUrl('cmd-1'), triggerId: '5.6.cmd' }),
      SECRET,
    );
    // The HTTP answer came back while the handler was still waiting on the gate.
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    expect(fake.responses).toEqual([]);
    release();

    const answer = await fake.waitFor(() => fake.responses.find((r) => r.id === 'cmd-1'));
    expect(answer.body['response_type']).toBe('in_channel');
    expect(answer.body['text']).toBe('2 requests pending');
    expect(answer.body['blocks']).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'Requests', emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: '2 requests pending' } },
    ]);
    const event = dispatch.received[0]?.event as CommandEvent;
    expect(event).toMatchObject({
      kind: 'command',
      id: '5.6.cmd',
      platform: 'slack',
      text: 'requests  pending',
      channel: 'C9',
      user: { platform: 'slack', id: 'U5' },
    });
    expect(event.receivedAt).toBeInstanceOf(Date);
  });

  it('answers a command ephemerally unless the reply asks for the channel', async () => {
    dispatch.answer(async (_event, io) => {
      await io.respond(reply('only you see this'));
      return { kind: 'done' };
    });
    await signedPost(appUrl, slashCommand({ text: 'whoami', responseUrl: fake.responseUrl('cmd-2') }), SECRET);
    const answer = await fake.waitFor(() => fake.responses.find((r) => r.id === 'cmd-2'));
    expect(answer.body['response_type']).toBe('ephemeral');
  });

  it('dispatches a button click and edits the clicked message with chat.update', async () => {
    dispatch.answer(async (_event, io) => {
      await io.updateSource?.(reply('Approved by alice', { footer: 'decided 10:00' }));
      await io.respond(reply('Done.'));
      return { kind: 'done' };
    });
    const response = await signedPost(
      appUrl,
      blockAction({
        actionId: 'rr:approve',
        value: '42',
        userId: 'U2',
        messageTs: '1700000000.000100',
        channelId: 'C1',
        responseUrl: fake.responseUrl('click-1'),
        triggerId: '7.8.click',
      }),
      SECRET,
    );
    expect(response.status).toBe(200);

    const update = await fake.waitFor(() => fake.calls.find((call) => call.method === 'chat.update'));
    expect(update.token).toBe('xoxb-test-token');
    expect(update.args).toMatchObject({ channel: 'C1', ts: '1700000000.000100', text: 'Approved by alice' });
    expect(update.args['blocks']).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: 'Approved by alice' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'decided 10:00' }] },
    ]);
    const ephemeral = await fake.waitFor(() => fake.responses.find((r) => r.id === 'click-1'));
    expect(ephemeral.body).toMatchObject({ text: 'Done.', response_type: 'ephemeral', replace_original: false });
    expect(dispatch.received[0]?.event).toMatchObject({
      kind: 'action',
      id: '7.8.click',
      action: 'rr:approve',
      value: '42',
      channel: 'C1',
      user: { id: 'U2' },
      message: { platform: 'slack', channel: 'C1', id: '1700000000.000100' },
    });
  });

  it('replaces an ephemeral source through its response_url, since chat.update cannot edit it', async () => {
    dispatch.answer(async (_event, io) => {
      await io.updateSource?.(reply('Approved'));
      return { kind: 'done' };
    });
    await signedPost(
      appUrl,
      blockAction({ actionId: 'rr:approve', value: '42', messageTs: '1700000000.000300', responseUrl: fake.responseUrl('eph-1'), ephemeral: true }),
      SECRET,
    );
    const replaced = await fake.waitFor(() => fake.responses.find((r) => r.id === 'eph-1'));
    expect(replaced.body).toMatchObject({ text: 'Approved', replace_original: true });
    expect(fake.calls.some((call) => call.method === 'chat.update')).toBe(false);
  });

  it('opens the form with the trigger id, then dispatches the submission and edits the original message', async () => {
    dispatch.answer(async (event, io) => {
      if (event.kind === 'action' && !event.form) {
        return {
          kind: 'form',
          action: event.action,
          value: event.value,
          form: { title: 'Deny request', submitLabel: 'Deny', fields: [{ name: 'reason', label: 'Reason', kind: 'multiline', required: true }] },
        };
      }
      if (event.kind === 'action') await io.updateSource?.(reply(`Denied: ${event.form?.['reason']}`));
      return { kind: 'done' };
    });
    await signedPost(
      appUrl,
      blockAction({
        actionId: 'rr:deny',
        value: '42',
        messageTs: '1700000000.000200',
        channelId: 'C1',
        responseUrl: fake.responseUrl('click-2'),
        triggerId: '9.9.deny',
      }),
      SECRET,
    );
    const open = await fake.waitFor(() => fake.calls.find((call) => call.method === 'views.open'));
    expect(open.args['trigger_id']).toBe('9.9.deny');
    const view = open.args['view'] as { callback_id: string; private_metadata: string; blocks: { block_id: string }[] };
    expect(view.callback_id).toBe('atmo-form');
    expect(view.blocks.map((block) => block.block_id)).toEqual(['reason']);
    // The modal carries only a random id; the action, record and answer route stay with the bot.
    expect(view.private_metadata).toMatch(/^[0-9a-f]{32}$/);

    const submitted = await signedPost(
      appUrl,
      viewSubmission({ privateMetadata: view.private_metadata, values: { reason: 'over budget' }, userId: 'U1', triggerId: '10.10.submit' }),
      SECRET,
    );
    // An empty 200 closes the modal.
    expect(submitted.status).toBe(200);
    expect(await submitted.text()).toBe('');
    const update = await fake.waitFor(() => fake.calls.find((call) => call.method === 'chat.update'));
    expect(update.args).toMatchObject({ channel: 'C1', ts: '1700000000.000200', text: 'Denied: over budget' });
    expect(dispatch.received[1]?.event).toMatchObject({
      kind: 'action',
      id: '10.10.submit',
      action: 'rr:deny',
      value: '42',
      form: { reason: 'over budget' },
      message: { channel: 'C1', id: '1700000000.000200' },
    });
  });

  it('tells the user when the form cannot be opened', async () => {
    dispatch.answer(async (event) =>
      event.kind === 'action' && !event.form
        ? { kind: 'form', action: event.action, value: event.value, form: { title: 'Why', submitLabel: 'Go', fields: [] } }
        : { kind: 'done' },
    );
    fake.failNext('views.open', 'expired_trigger_id');
    await signedPost(appUrl, blockAction({ actionId: 'rr:deny', value: '1', messageTs: '1700000000.000400', responseUrl: fake.responseUrl('click-3') }), SECRET);
    const answer = await fake.waitFor(() => fake.responses.find((r) => r.id === 'click-3'));
    expect(answer.body['text']).toMatch(/could not be opened/);
  });

  it('keeps a failing handler from escaping the listener', async () => {
    dispatch.answer(async () => {
      throw new Error('boom');
    });
    const first = await signedPost(appUrl, slashCommand({ text: 'explode' }), SECRET);
    expect(first.status).toBe(200);
    await fake.waitFor(() => lines.find((line) => line['msg'] === 'Slack listener failed'));
    const logged = lines.find((line) => line['msg'] === 'Slack listener failed');
    expect(logged).toMatchObject({ platform: 'slack', err: { message: 'boom' } });
    dispatch.answer(async (_event, io) => {
      await io.respond(reply('still alive'));
      return { kind: 'done' };
    });
    await signedPost(appUrl, slashCommand({ text: 'ping', responseUrl: fake.responseUrl('after') }), SECRET);
    expect((await fake.waitFor(() => fake.responses.find((r) => r.id === 'after'))).body['text']).toBe('still alive');
  });

  it('rejects a forged signature with 401 and dispatches nothing', async () => {
    const response = await signedPost(appUrl, slashCommand({ text: 'requests' }), SECRET, { signature: 'v0=' + '0'.repeat(64) });
    expect(response.status).toBe(401);
    const wrongSecret = await signedPost(appUrl, slashCommand({ text: 'requests' }), 'not-the-secret');
    expect(wrongSecret.status).toBe(401);
    expect(dispatch.received).toEqual([]);
  });

  it('rejects a request signed more than five minutes ago with 401', async () => {
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const response = await signedPost(appUrl, slashCommand({ text: 'requests' }), SECRET, { timestamp: sixMinutesAgo });
    expect(response.status).toBe(401);
    expect(dispatch.received).toEqual([]);
  });

  it('serves the router beside /slack/events: /readyz 200 when ready and 503 when not, /healthz 200 throughout', async () => {
    const up = await fetch(`${appUrl}/readyz`);
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ ok: true, database: 'up' });
    healthy = false;
    const down = await fetch(`${appUrl}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ ok: false, database: 'down' });
    const live = await fetch(`${appUrl}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ ok: true, live: true });
  });

  it('posts into a thread with thread_ts and returns the new message ref', async () => {
    const parent = await slack.chatPort.post({ platform: 'slack', channel: 'C1' }, reply('Request 42 errored'));
    expect(parent).toEqual({ platform: 'slack', channel: 'C1', id: expect.stringMatching(/^\d+\.\d+$/) });
    const child = await slack.chatPort.post({ platform: 'slack', channel: 'C1' }, reply('retried'), { thread: parent });
    expect(child.threadId).toBe(parent.id);
    expect(child.id).not.toBe(parent.id);
    const posts = fake.calls.filter((call) => call.method === 'chat.postMessage');
    expect(posts[0]?.args['thread_ts']).toBeUndefined();
    expect(posts[1]?.args).toMatchObject({ channel: 'C1', thread_ts: parent.id, text: 'retried' });

    // A reply to a message that is itself in the thread still goes to the thread's parent.
    await slack.chatPort.post({ platform: 'slack', channel: 'C1' }, reply('again'), { thread: child });
    expect(fake.calls.at(-1)?.args['thread_ts']).toBe(parent.id);

    await slack.chatPort.update(parent, reply('Request 42 resolved'));
    expect(fake.calls.at(-1)).toMatchObject({ method: 'chat.update', args: { channel: 'C1', ts: parent.id, text: 'Request 42 resolved' } });
  });

  it('turns a Slack refusal into an IntegrationError naming the method and code', async () => {
    fake.failNext('chat.postMessage', 'channel_not_found');
    const failure = slack.chatPort.post({ platform: 'slack', channel: 'C404' }, reply('hello'));
    await expect(failure).rejects.toBeInstanceOf(IntegrationError);
    fake.failNext('chat.postMessage', 'channel_not_found');
    await expect(slack.chatPort.post({ platform: 'slack', channel: 'C404' }, reply('hello'))).rejects.toThrow(
      'Slack refused chat.postMessage: channel_not_found',
    );
  });

  it('reads e-mails with users.info, and none for deleted users, bots or strangers', async () => {
    fake.setUser('U10', { email: 'Alice@Example.org' });
    fake.setUser('U11', { email: 'gone@example.org', deleted: true });
    fake.setUser('U12', { email: 'bot@example.org', is_bot: true });
    fake.setUser('U13', {});
    expect(await slack.directory.emailOf('U10')).toBe('Alice@Example.org');
    expect(await slack.directory.emailOf('U11')).toBeNull();
    expect(await slack.directory.emailOf('U12')).toBeNull();
    expect(await slack.directory.emailOf('U13')).toBeNull();
    expect(await slack.directory.emailOf('U99')).toBeNull();
    expect(fake.calls.filter((call) => call.method === 'users.info').map((call) => call.args['user'])).toEqual([
      'U10',
      'U11',
      'U12',
      'U13',
      'U99',
    ]);
  });
});

describe('Slack app start-up', () => {
  it('checks the token with auth.test when the bot ids are not given, and fails clearly on a bad one', async () => {
    const fake = await startFakeSlackApi();
    const { log } = createMemoryLogger('warn');
    const options = {
      signingSecret: SECRET,
      apiUrl: fake.url,
      port: 0,
      host: '127.0.0.1',
      dispatcher: fakeDispatcher().dispatcher,
      log,
      clientOptions: { retryConfig: { retries: 0 } },
      formStates: memoryFormStates(),
    };
    try {
      const good = createSlackApp({ ...options, botToken: 'xoxb-good' });
      await good.start();
      expect(fake.calls.filter((call) => call.method === 'auth.test').map((call) => call.token)).toEqual(['xoxb-good']);
      await good.stop();

      const bad = createSlackApp({ ...options, botToken: 'not-a-bot-token' });
      await expect(bad.start()).rejects.toThrow(/auth\.test.*invalid_auth/);
    } finally {
      await fake.close();
    }
  });

  it('refuses HTTP mode without a signing secret', () => {
    const { log } = createMemoryLogger('warn');
    expect(() =>
      createSlackApp({
        botToken: 'xoxb-x',
        formStates: memoryFormStates(),
        port: 0,
        host: '127.0.0.1',
        dispatcher: fakeDispatcher().dispatcher,
        log,
      }),
    ).toThrow(/SLACK_SIGNING_SECRET/);
  });
});
