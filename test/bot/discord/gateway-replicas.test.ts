import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../../src/bot/chat/chat-event.js';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { createReplayGuard } from '../../../src/bot/chat/replay-guard.js';
import { createDiscordBot, type DiscordBot } from '../../../src/bot/discord/discord-bot.js';
import type { KeyValueStore } from '../../../src/integrations/kv/key-value-store.js';
import { createMemoryStore } from '../../../src/integrations/kv/memory-store.js';
import { createRedisStore } from '../../../src/integrations/kv/redis-store.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { startFakeDiscord, type FakeDiscord, type RecordedRequest } from '../../fakes/discord.js';
import { APPLICATION_ID, buttonClick, chatInput } from '../../support/discord-interactions.js';

const TOKEN = 'fake-bot-token';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A replica's dispatcher: records what it handled and answers at once. */
function recordingDispatcher(name: string) {
  const handled: ChatEvent[] = [];
  const dispatcher: Dispatcher = {
    commands: [],
    actions: [],
    checkForm: async () => null,
    async handle(event, io) {
      handled.push(event);
      if (event.kind === 'action') await io.updateSource?.({ text: `clicked on ${name}` });
      else await io.respond({ text: `answered by ${name}` });
      return { kind: 'done' };
    },
  };
  return { dispatcher, handled };
}

/**
 * Two gateway replicas connected at once: the fake Discord, like Discord, delivers each interaction
 * to both sessions. With the claim in a shared store exactly one answers; without it both try, and
 * the second is refused "already acknowledged" (the fake enforces one response per interaction).
 */
describe('Discord gateway mode with two replicas connected', () => {
  let fake: FakeDiscord;
  let store: KeyValueStore;
  const bots: DiscordBot[] = [];
  const memory = createMemoryLogger('warn');
  const callbacksOf = (interaction: { id: string; token: string }) => (request: RecordedRequest) =>
    request.method === 'POST' && request.path === `/interactions/${interaction.id}/${interaction.token}/callback`;

  async function startReplica(name: string, claim: boolean) {
    const recorder = recordingDispatcher(name);
    const log = memory.log.child({ replica: name });
    const bot = createDiscordBot({
      token: TOKEN,
      applicationId: APPLICATION_ID,
      apiUrl: fake.apiUrl,
      dispatcher: recorder.dispatcher,
      log,
      restOptions: { retries: 0, timeout: 5_000 },
      // Each replica has its own guard, as each process does; only the store is shared.
      ...(claim ? { replayGuard: createReplayGuard({ kv: store, log }) } : {}),
    });
    await bot.start();
    bots.push(bot);
    return recorder;
  }

  beforeAll(async () => {
    fake = await startFakeDiscord({ token: TOKEN, applicationId: APPLICATION_ID });
    // Redis when the suite has one (what production shares), else one in-process store for both.
    store = process.env.REDIS_URL
      ? await createRedisStore(process.env.REDIS_URL, { log: memory.log, keyPrefix: `test-gateway-replicas-${randomUUID()}:`, maxReconnectDelayMs: 100 })
      : createMemoryStore();
  });

  afterAll(async () => {
    for (const bot of bots) await bot.stop();
    await store?.close();
    await fake?.close();
  });

  it('answers each command and click once, from one replica, when both claim interactions in the shared store', async () => {
    const a = await startReplica('a', true);
    const b = await startReplica('b', true);
    expect(fake.stats.identifies).toBe(2);
    const interactions = [chatInput({ path: ['requests'] }), buttonClick({ customId: 'rr:approve:42' }), chatInput({ path: ['requests'] }), chatInput({ path: ['requests'] })];
    for (const interaction of interactions) fake.sendInteraction(interaction);
    for (const interaction of interactions) await fake.waitForRequest(callbacksOf(interaction));
    // Give the replica that lost each claim time to (wrongly) answer as well.
    await sleep(300);
    for (const interaction of interactions) expect(fake.requests.filter(callbacksOf(interaction))).toHaveLength(1);
    const handledIds = [...a.handled, ...b.handled].map((event) => event.id).sort();
    expect(handledIds).toEqual(interactions.map((interaction) => interaction.id).sort());
    expect(memory.lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
    for (const bot of bots.splice(0)) await bot.stop();
  });

  it('without the claim, both replicas answer and the second is refused "already acknowledged" (what the claim prevents)', async () => {
    const a = await startReplica('c', false);
    const b = await startReplica('d', false);
    const command = chatInput({ path: ['requests'] });
    fake.sendInteraction(command);
    await fake.waitForRequest(callbacksOf(command));
    await sleep(300);
    expect(fake.requests.filter(callbacksOf(command))).toHaveLength(2);
    expect(a.handled.length + b.handled.length).toBe(2);
    expect(memory.lines.some((line) => Number(line.level) >= 50 && /already been acknowledged/.test(JSON.stringify(line)))).toBe(true);
  });
});
