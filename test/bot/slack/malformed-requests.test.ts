import { memoryFormStates } from '../../support/form-states.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../../src/bot/chat/chat-event.js';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { reply } from '../../../src/bot/chat/reply.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { createSlackApp, type SlackApp } from '../../../src/bot/slack/slack-app.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../fakes/slack-api.js';
import { blockAction, signedPost, slashCommand } from '../../support/slack-requests.js';

const SECRET = 'malformed-signing-secret';
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const payload = (json: string) => form({ payload: json });

/**
 * Validly signed bodies that no real Slack request has: before the screen, `null` ended the process
 * (an unhandled TypeError reading `ssl_check` inside Bolt's HTTP receiver) and the others reached
 * Bolt's middleware or our listeners half-formed. Each must be a 400, and the bot must keep serving.
 */
const MALFORMED: { name: string; body: string; contentType: string }[] = [
  { name: 'payload null', body: payload('null'), contentType: FORM },
  { name: 'JSON body null', body: 'null', contentType: JSON_TYPE },
  { name: 'payload a number', body: payload('42'), contentType: FORM },
  { name: 'payload a string', body: payload('"block_actions"'), contentType: FORM },
  { name: 'payload true', body: payload('true'), contentType: FORM },
  { name: 'payload an array', body: payload('[{"type":"block_actions"}]'), contentType: FORM },
  { name: 'JSON body an array', body: '[]', contentType: JSON_TYPE },
  { name: 'JSON body a string', body: '"hello"', contentType: JSON_TYPE },
  { name: 'payload not JSON', body: payload('{"type": block_actions'), contentType: FORM },
  { name: 'JSON body not JSON', body: '{not json', contentType: JSON_TYPE },
  { name: 'payload an empty object', body: payload('{}'), contentType: FORM },
  { name: 'payload given twice', body: 'payload=%7B%7D&payload=%7B%7D', contentType: FORM },
  { name: 'a form with neither command nor payload', body: form({ foo: 'bar' }), contentType: FORM },
  { name: 'block_actions without user', body: payload('{"type":"block_actions","container":{},"actions":[{"action_id":"rr:approve"}]}'), contentType: FORM },
  { name: 'block_actions with user null', body: payload('{"type":"block_actions","user":null,"container":{},"actions":[{"action_id":"a"}]}'), contentType: FORM },
  { name: 'block_actions without actions', body: payload('{"type":"block_actions","user":{"id":"U1"},"container":{}}'), contentType: FORM },
  { name: 'block_actions with empty actions', body: payload('{"type":"block_actions","user":{"id":"U1"},"container":{},"actions":[]}'), contentType: FORM },
  { name: 'block_actions with a null action', body: payload('{"type":"block_actions","user":{"id":"U1"},"container":{},"actions":[null]}'), contentType: FORM },
  { name: 'block_actions without container', body: payload('{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"a"}]}'), contentType: FORM },
  { name: 'view_submission without view', body: payload('{"type":"view_submission","user":{"id":"U1"}}'), contentType: FORM },
  { name: 'view_submission without state', body: payload('{"type":"view_submission","user":{"id":"U1"},"view":{"callback_id":"atmo-form","private_metadata":"{}"}}'), contentType: FORM },
  { name: 'a slash command without user_id and response_url', body: form({ command: '/atmo', text: 'help', channel_id: 'C1' }), contentType: FORM },
  { name: 'event_callback without event', body: '{"type":"event_callback","event_id":"Ev1"}', contentType: JSON_TYPE },
  { name: 'url_verification without challenge', body: '{"type":"url_verification"}', contentType: JSON_TYPE },
];

describe('signed but malformed Slack requests (real Bolt over HTTP)', () => {
  let fake: FakeSlackApi;
  let slack: SlackApp;
  let appUrl: string;
  const received: ChatEvent[] = [];
  const { log, lines } = createMemoryLogger('warn');

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    const dispatcher: Dispatcher = {
      commands: [],
      actions: [],
      checkForm: async () => null,
      async handle(event, io) {
        received.push(event);
        await io.respond(reply('still here'));
        return { kind: 'done' };
      },
    };
    slack = createSlackApp({
      botToken: 'xoxb-malformed-token',
      signingSecret: SECRET,
      apiUrl: fake.url,
      port: 0,
      host: '127.0.0.1',
      dispatcher,
      log,
      formStates: memoryFormStates(),
      clientOptions: { retryConfig: { retries: 0 } },
      botId: 'B1',
      botUserId: 'UB1',
    });
    appUrl = `http://127.0.0.1:${(await slack.start())?.port}`;
  });

  afterAll(async () => {
    await slack.stop();
    await fake.close();
  });

  it.each(MALFORMED)('answers 400 to $name and runs nothing', async ({ body, contentType }) => {
    const response = await signedPost(appUrl, body, SECRET, { contentType });
    expect(response.status).toBe(400);
    expect(received).toEqual([]);
  });

  it("answers 413 to a signed body over Bolt's 4 MB limit", async () => {
    const response = await signedPost(appUrl, payload(`{"type":"block_actions","padding":"${'x'.repeat(4_300_000)}"}`), SECRET);
    expect(response.status).toBe(413);
    expect(received).toEqual([]);
  });

  it('still refuses an unsigned malformed body as unverified (401), not as malformed', async () => {
    const response = await signedPost(appUrl, payload('null'), SECRET, { signature: 'v0=0000' });
    expect(response.status).toBe(401);
  });

  it('keeps serving after all of them: a real command and a real click still run', async () => {
    for (const { body, contentType } of MALFORMED) await signedPost(appUrl, body, SECRET, { contentType });
    const command = await signedPost(appUrl, slashCommand({ text: 'whoami', responseUrl: fake.responseUrl('after-junk') }), SECRET);
    expect(command.status).toBe(200);
    const click = await signedPost(appUrl, blockAction({ actionId: 'rr:approve', value: '42', messageTs: '1.2', responseUrl: fake.responseUrl('click') }), SECRET);
    expect(click.status).toBe(200);
    await fake.waitFor(() => fake.responses.find((r) => r.id === 'after-junk'));
    await fake.waitFor(() => fake.responses.find((r) => r.id === 'click'));
    expect(received.map((event) => event.kind)).toEqual(['command', 'action']);
  });

  it('logs what was wrong without the body, its token or the signing secret', () => {
    const refusals = lines.filter((line) => line['msg'] === 'refused a signed Slack request with an unusable body');
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals[0]?.['problem']).toBe('the body is null, not an object');
    const text = JSON.stringify(lines);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('xoxb-malformed-token');
    expect(text).not.toContain('legacy-verification-token');
  });
});
