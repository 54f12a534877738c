import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ChatEvent } from '../../../src/bot/chat/chat-event.js';
import type { ActionDefinition, CommandDefinition, DispatchOutcome, Dispatcher, EventIO } from '../../../src/bot/chat/command.js';
import type { FormSpec } from '../../../src/bot/chat/reply.js';
import { createReplayGuard } from '../../../src/bot/chat/replay-guard.js';
import { createWorkQueue } from '../../../src/bot/chat/work-queue.js';
import { createDiscordHttpBot } from '../../../src/bot/discord/discord-http-bot.js';
import type { DiscordBot } from '../../../src/bot/discord/discord-bot.js';
import { MAX_INTERACTION_BYTES } from '../../../src/bot/discord/interactions-endpoint.js';
import { createHttpRouter, startHealthServer, type HealthServer } from '../../../src/bot/http-server.js';
import { createMemoryStore } from '../../../src/integrations/kv/memory-store.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { parseDiscordPublicKey } from '../../../src/model/discord-public-key.js';
import { startFakeDiscord, type FakeDiscord, type RecordedRequest } from '../../fakes/discord.js';
import { APPLICATION_ID, buttonClick, chatInput } from '../../support/discord-interactions.js';
import { createInteractionSigner } from '../../support/discord-signer.js';

const TOKEN = 'fake-bot-token';
const commands: CommandDefinition[] = [
  { name: 'requests', summary: 'List pending requests', usage: '/atmo requests', options: [], args: z.object({}), permission: 'staff', run: async () => undefined },
];
const denyForm: FormSpec = { title: 'Deny request 42', submitLabel: 'Deny', fields: [{ name: 'reason', label: 'Reason', kind: 'multiline', required: true }] };
const actions: ActionDefinition[] = [
  { name: 'rr:approve', value: z.string(), permission: 'staff', run: async () => undefined },
  { name: 'rr:deny', value: z.string(), permission: 'staff', form: denyForm, formValues: z.object({ reason: z.string() }), run: async () => undefined },
];

type Behaviour = (event: ChatEvent, io: EventIO) => Promise<DispatchOutcome>;
const done: DispatchOutcome = { kind: 'done' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitUntil(predicate: () => boolean): Promise<void> {
  for (let tries = 0; tries < 200 && !predicate(); tries += 1) await sleep(10);
}

describe('Discord HTTP interactions endpoint (signed requests over real HTTP, fake Discord REST)', () => {
  const signer = createInteractionSigner();
  const memory = createMemoryLogger('warn');
  const events: ChatEvent[] = [];
  let behaviour: Behaviour = async () => done;
  const dispatcher: Dispatcher = {
    commands,
    actions,
    checkForm: async () => null,
    handle: (event, io) => {
      events.push(event);
      return behaviour(event, io);
    },
  };
  let fake: FakeDiscord;
  let server: HealthServer;
  let bot: DiscordBot;
  let url: string;
  const post = (payload: object | string, overrides?: Parameters<typeof signer.post>[2]) => signer.post(url, payload, overrides);
  const webhookCalls = (token: string) => fake.requests.filter((request) => request.path.startsWith(`/webhooks/${APPLICATION_ID}/${token}`));
  const isCall = (method: string, path: string) => (request: RecordedRequest) => request.method === method && request.path === path;

  beforeAll(async () => {
    fake = await startFakeDiscord({ token: TOKEN, applicationId: APPLICATION_ID });
    const router = createHttpRouter({ log: memory.log });
    bot = createDiscordHttpBot({
      token: TOKEN,
      applicationId: APPLICATION_ID,
      apiUrl: fake.apiUrl,
      publicKey: parseDiscordPublicKey(signer.publicKeyHex),
      router,
      dispatcher,
      log: memory.log,
      workQueue: createWorkQueue(4),
      restOptions: { retries: 0, timeout: 5_000 },
      replayGuard: createReplayGuard({ kv: createMemoryStore(), log: memory.log }),
      commandReplyBudgetMs: 150,
      formPrecheckBudgetMs: 150,
    });
    server = await startHealthServer({ port: 0, host: '127.0.0.1', router, log: memory.log });
    url = `http://127.0.0.1:${server.port}/discord/interactions`;
    await bot.start();
  });

  afterAll(async () => {
    await bot?.stop();
    await server?.close();
    await fake?.close();
  });

  afterEach(() => {
    behaviour = async () => done;
    expect(memory.lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
  });

  it('answers a PING with PONG as JSON, as the developer portal checks before saving the URL', async () => {
    const response = await post({ type: 1, id: '1', application_id: APPLICATION_ID, token: 'ping', version: 1 });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ type: 1 });
    expect(bot.connection()).toEqual({ state: 'up', detail: 'interactions endpoint' });
  });

  it('refuses with 401, and runs nothing, when the signature is missing, forged, from another key, or the timestamp is stale', async () => {
    const command = chatInput({ path: ['requests'] });
    const body = JSON.stringify(command);
    const now = String(Math.floor(Date.now() / 1000));
    const other = createInteractionSigner();
    const tenMinutesAgo = String(Math.floor(Date.now() / 1000) - 600);
    const refused = [
      await post(body, { signature: null }),
      // Signed, then one byte of the body changed on the way.
      await post(body.replace('"requests"', '"Requests"'), { signature: signer.sign(now, body), timestamp: now }),
      await post(body, { signature: other.sign(now, body), timestamp: now }),
      await post(body, { signature: 'zz'.repeat(64), timestamp: now }),
      await post(body, { timestamp: tenMinutesAgo }),
      await post(body, { timestamp: String(Math.floor(Date.now() / 1000) + 600) }),
      await post({ type: 1 }, { timestamp: tenMinutesAgo }),
    ];
    expect(refused.map((response) => response.status)).toEqual([401, 401, 401, 401, 401, 401, 401]);
    expect(events).toEqual([]);
    expect(fake.requests.filter((request) => request.path.includes(command.token))).toEqual([]);
  });

  it('answers a signed body that is not an interaction with 400, and an oversized one with 413', async () => {
    expect((await post('{"type": 2, "id": ')).status).toBe(400);
    expect((await post('[1, 2]')).status).toBe(400);
    const { member: _member, ...noUser } = chatInput({ path: ['requests'] });
    expect((await post(noUser)).status).toBe(400);
    const tooBig = await post({ type: 1, padding: 'x'.repeat(MAX_INTERACTION_BYTES) });
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers.get('connection')).toBe('close');
    expect(events).toEqual([]);
  });

  it('answers a quick command in the HTTP response itself, privately, with no REST call', async () => {
    behaviour = async (_event, io) => {
      await io.respond({ text: '2 pending requests' });
      return done;
    };
    const command = chatInput({ path: ['requests'], options: {} });
    const response = await post(command);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ type: 4, data: { content: '2 pending requests', embeds: [], components: [], flags: 64, allowed_mentions: { parse: [] } } });
    expect(events.at(-1)).toMatchObject({ id: command.id, kind: 'command', text: 'requests', platform: 'discord' });
    await sleep(50);
    expect(fake.requests.filter((request) => request.path.includes(command.token))).toEqual([]);
  });

  it('defers a slow command in the HTTP response, then edits @original and follows up over the webhook, without the bot token', async () => {
    behaviour = async (_event, io) => {
      await sleep(400);
      await io.respond({ text: 'Here is the slow answer' });
      await io.respond({ text: 'And one more thing' });
      return done;
    };
    const command = chatInput({ path: ['requests'] });
    const response = await post(command);
    expect(await response.json()).toEqual({ type: 5, data: { flags: 64 } });
    const edit = await fake.waitForRequest(isCall('PATCH', `/webhooks/${APPLICATION_ID}/${command.token}/messages/@original`));
    expect(edit.body).toMatchObject({ content: 'Here is the slow answer' });
    const followUp = await fake.waitForRequest(isCall('POST', `/webhooks/${APPLICATION_ID}/${command.token}`));
    expect(followUp.body).toMatchObject({ content: 'And one more thing', flags: 64 });
    expect(followUp.query.get('wait')).toBe('true');
    expect(webhookCalls(command.token).map((call) => call.authorization)).toEqual([undefined, undefined]);
  });

  it("edits a click's follow-up by the id Discord gave it, and a quick command's response through @original, when a late answer completes them", async () => {
    behaviour = async (_event, io) => {
      await io.respond({ text: 'Still asking Nova' });
      await sleep(50);
      expect(await io.editAnswer?.({ text: 'The whole view' })).toBe(true);
      return done;
    };
    const click = buttonClick({ customId: 'rr:approve:42' });
    await post(click);
    const followUp = await fake.waitForRequest(isCall('POST', `/webhooks/${APPLICATION_ID}/${click.token}`));
    const id = (followUp.response as { id: string }).id;
    const edit = await fake.waitForRequest(isCall('PATCH', `/webhooks/${APPLICATION_ID}/${click.token}/messages/${id}`));
    expect(edit.body).toMatchObject({ content: 'The whole view' });
    expect(edit.authorization).toBeUndefined();

    const command = chatInput({ path: ['requests'] });
    const response = await post(command);
    expect(await response.json()).toMatchObject({ type: 4, data: { content: 'Still asking Nova', flags: 64 } });
    const original = await fake.waitForRequest(isCall('PATCH', `/webhooks/${APPLICATION_ID}/${command.token}/messages/@original`));
    expect(original.body).toMatchObject({ content: 'The whole view' });
  });

  it('redraws the clicked message as the response (UPDATE_MESSAGE), and opens a form as the response (MODAL)', async () => {
    behaviour = async (event, io) => {
      if (event.kind === 'action' && event.action === 'rr:deny') return { kind: 'form', form: denyForm, action: 'rr:deny', value: '42' };
      await io.updateSource?.({ text: 'Request 42 approved by alice' });
      return done;
    };
    const approve = await post(buttonClick({ customId: 'rr:approve:42' }));
    expect(await approve.json()).toMatchObject({ type: 7, data: { content: 'Request 42 approved by alice', components: [] } });
    const deny = await post(buttonClick({ customId: 'rr:deny:42' }));
    expect(await deny.json()).toMatchObject({ type: 9, data: { custom_id: 'rr:deny:42', title: 'Deny request 42' } });
  });

  it('turns away a signed request sent again (409) without running it twice', async () => {
    behaviour = async (_event, io) => {
      await io.respond({ text: 'ran' });
      return done;
    };
    const command = chatInput({ path: ['requests'] });
    const body = JSON.stringify(command);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = signer.sign(timestamp, body);
    const first = await post(body, { timestamp, signature });
    const again = await post(body, { timestamp, signature });
    expect([first.status, again.status]).toEqual([200, 409]);
    expect(events.filter((event) => event.id === command.id)).toHaveLength(1);
  });

  it('fails the answer, instead of waiting for ever, when Discord hangs up before the bot has answered', async () => {
    let outcome: Promise<unknown> = Promise.resolve();
    behaviour = async (_event, io) => {
      await sleep(300);
      outcome = io.respond({ text: 'too late' }).then(
        () => 'sent',
        (error: unknown) => (error as Error).message,
      );
      await outcome;
      return done;
    };
    const command = chatInput({ path: ['requests'] });
    const body = JSON.stringify(command);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const abort = new AbortController();
    const request = fetch(url, {
      method: 'POST',
      body,
      signal: abort.signal,
      headers: { 'content-type': 'application/json', 'x-signature-timestamp': timestamp, 'x-signature-ed25519': signer.sign(timestamp, body) },
    }).catch((error: unknown) => error);
    await sleep(60);
    abort.abort();
    await request;
    await waitUntil(() => events.some((event) => event.id === command.id));
    await sleep(400);
    // The deferral found the request gone and was logged; the reply after it could not be the response.
    expect(await outcome).not.toBe('sent');
    expect(memory.lines.some((line) => line.msg === 'discord deferral failed')).toBe(true);
    memory.lines.length = 0;
  });

  it('answers 400 to an interaction kind the bot does not handle (autocomplete)', async () => {
    const autocomplete = { ...chatInput({ path: ['requests'] }), type: 4 };
    expect((await post(autocomplete)).status).toBe(400);
  });

  it('sends a first response with a file to the callback route as multipart, and answers Discord 202 with no body', async () => {
    behaviour = async (_event, io) => {
      await io.respond({ text: 'The report', files: [{ name: 'report.txt', mimeType: 'text/plain', data: new TextEncoder().encode('all fine') }] });
      return done;
    };
    const command = chatInput({ path: ['requests'] });
    const response = await post(command);
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
    const callback = await fake.waitForRequest(isCall('POST', `/interactions/${command.id}/${command.token}/callback`));
    expect(callback.body).toMatchObject({ type: 4, data: { content: 'The report', flags: 64, attachments: [{ id: 0, filename: 'report.txt' }] } });
    expect(callback.files.map((file) => [file.key, file.bytes.toString('utf8')])).toEqual([['files[0]', 'all fine']]);
  });
});
