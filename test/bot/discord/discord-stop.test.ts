import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../../src/bot/chat/chat-event.js';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { createWorkQueue } from '../../../src/bot/chat/work-queue.js';
import { createDiscordBot, type DiscordBot } from '../../../src/bot/discord/discord-bot.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord.js';
import { APPLICATION_ID, chatInput } from '../../support/discord-interactions.js';

const TOKEN = 'fake-bot-token';

describe('Discord bot: stopping for a shutdown', () => {
  let fake: FakeDiscord;
  let bot: DiscordBot;
  const queue = createWorkQueue(2);
  const seen: ChatEvent[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const dispatcher: Dispatcher = {
    commands: [],
    actions: [],
    checkForm: async () => null,
    async handle(event, io) {
      seen.push(event);
      await gate;
      await io.respond({ text: 'finished after the gateway closed' });
      return { kind: 'done' };
    },
  };

  beforeAll(async () => {
    fake = await startFakeDiscord({ token: TOKEN, applicationId: APPLICATION_ID });
    bot = createDiscordBot({ token: TOKEN, applicationId: APPLICATION_ID, apiUrl: fake.apiUrl, dispatcher, log: createMemoryLogger('warn').log, restOptions: { retries: 0, timeout: 5_000 }, workQueue: queue });
    await bot.start();
  });

  afterAll(async () => {
    await bot?.stop();
    await fake?.close();
  });

  it('closes the gateway so nothing new arrives, and still answers the interaction it had accepted', async () => {
    const accepted = chatInput({ path: ['requests'] });
    fake.sendInteraction(accepted);
    await fake.waitForRequest((request) => request.path === `/interactions/${accepted.id}/${accepted.token}/callback`);
    for (let tries = 0; seen.length === 0 && tries < 200; tries += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(queue.pending().map((work) => work.item.eventId)).toEqual([accepted.id]);

    await bot.stopReceiving();
    const late = chatInput({ path: ['requests'] });
    fake.sendInteraction(late);
    release();
    const edit = await fake.waitForRequest((request) => request.method === 'PATCH' && request.path === `/webhooks/${APPLICATION_ID}/${accepted.token}/messages/@original`);
    expect(edit.body).toMatchObject({ content: 'finished after the gateway closed' });
    await queue.idle();
    // The interaction sent after the gateway closed never reached the bot (no resume, no new session).
    expect(seen.map((event) => event.id)).toEqual([accepted.id]);
    expect(fake.requests.some((request) => request.path.includes(late.token))).toBe(false);
    expect(fake.stats.connections).toBe(1);
  });
});
