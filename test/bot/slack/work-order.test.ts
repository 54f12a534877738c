import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { memoryFormStates } from '../../support/form-states.js';
import type { ActionDefinition, Dispatcher } from '../../../src/bot/chat/command.js';
import { createWorkQueue } from '../../../src/bot/chat/work-queue.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { createSlackApp, type SlackApp } from '../../../src/bot/slack/slack-app.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../fakes/slack-api.js';
import { blockAction, signedPost, slashCommand } from '../../support/slack-requests.js';

const SECRET = 'test-signing-secret';

/** An action that opens a form, as `rr:approve` does; its trigger_id lives 3 s. */
const withForm = {
  name: 'test:approve',
  value: z.string(),
  permission: 'anyone',
  form: { title: 'Approve', submitLabel: 'Approve', fields: [] },
  formValues: z.object({}),
  async run() {},
} satisfies ActionDefinition;
const withoutForm = { name: 'test:refresh', value: z.string(), permission: 'anyone', async run() {} } satisfies ActionDefinition;

describe('Slack adapter: the order of the work after the ack', () => {
  let fake: FakeSlackApi;
  let slack: SlackApp;
  let appUrl: string;
  const queue = createWorkQueue(1);
  const handled: string[] = [];
  const dispatcher: Dispatcher = {
    commands: [],
    actions: [withForm, withoutForm],
    checkForm: async () => null,
    async handle(event) {
      handled.push(event.kind === 'command' ? `command ${event.text}` : `click ${event.action}`);
      return { kind: 'done' };
    },
  };

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    slack = createSlackApp({
      botToken: 'xoxb-test-token',
      signingSecret: SECRET,
      apiUrl: fake.url,
      port: 0,
      host: '127.0.0.1',
      dispatcher,
      log: createMemoryLogger('warn').log,
      formStates: memoryFormStates(),
      clientOptions: { retryConfig: { retries: 0 } },
      botId: 'B1',
      botUserId: 'UB1',
      workQueue: queue,
    });
    appUrl = `http://127.0.0.1:${(await slack.start())?.port}`;
  });

  afterAll(async () => {
    await slack.stop();
    await fake.close();
  });

  it('runs a click that may open a form before a burst of list commands that arrived first', async () => {
    // Something else holds the only slot while the burst arrives.
    let release!: () => void;
    const busy = queue.run({ eventId: 'busy', run: () => new Promise<void>((resolve) => (release = resolve)) });
    for (let i = 0; i < 8; i += 1) {
      const ack = await signedPost(appUrl, slashCommand({ text: `requests ${i}`, responseUrl: fake.responseUrl(`list-${i}`) }), SECRET);
      expect(ack.status).toBe(200);
    }
    const plainClick = await signedPost(appUrl, blockAction({ actionId: 'test:refresh', value: '1', messageTs: '1.1', responseUrl: fake.responseUrl('refresh') }), SECRET);
    const formClick = await signedPost(appUrl, blockAction({ actionId: 'test:approve', value: '1', messageTs: '1.2', responseUrl: fake.responseUrl('form') }), SECRET);
    expect([plainClick.status, formClick.status]).toEqual([200, 200]);
    // Bolt has written each ack; the listener hands the event to the queue just after.
    for (let tries = 0; queue.waiting < 10 && tries < 100; tries += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(queue.waiting).toBe(10);
    expect(handled).toEqual([]);

    release();
    await busy;
    await queue.idle();
    expect(handled).toEqual([
      'click test:approve',
      ...Array.from({ length: 8 }, (_, i) => `command requests ${i}`),
      'click test:refresh',
    ]);
  });
});
