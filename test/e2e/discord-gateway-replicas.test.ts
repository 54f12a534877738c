import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog } from '../../src/db/bot-schema/audit-log.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { APPLICATION_ID, chatInput, GUILD_ID } from '../support/discord-interactions.js';
import { startFakeDiscord, type FakeDiscord, type RecordedRequest } from '../fakes/discord.js';
import type { FakeAtmosphereApi } from '../fakes/atmosphere-api.js';
import { startMirroredAtmosphereApi } from './mirrored-atmosphere-api.js';
import { discordText, type DiscordMessageBody } from './discord-driver.js';
import { errorLines, productionEnv, startE2eBot, waitFor, type E2eBot } from './e2e-support.js';

const TOKEN = 'e2e-discord-bot-token';
const ADMIN = '999000999000999000';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Gateway mode is meant for one process, but two replicas that both hold a session (a rolling
 * deploy, a second pod) both receive every interaction. Through the real composition root, on one
 * Postgres and Redis, each interaction is still answered once.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL || !process.env.REDIS_URL)('Discord gateway mode: two replicas connected at once', () => {
  let database: TestDatabase;
  let atmosphere: FakeAtmosphereApi;
  let discord: FakeDiscord;
  const replicas: E2eBot[] = [];
  const callbacksOf = (interaction: { id: string; token: string }) => (request: RecordedRequest) =>
    request.method === 'POST' && request.path === `/interactions/${interaction.id}/${interaction.token}/callback`;

  beforeAll(async () => {
    database = await createTestDatabase('postgres', { troposphere: true, demo: true, now: new Date() });
    atmosphere = await startMirroredAtmosphereApi(database.atmosphere.db);
    discord = await startFakeDiscord({ token: TOKEN, applicationId: APPLICATION_ID });
    const env = productionEnv(database, atmosphere, {
      DISCORD_TOKEN: TOKEN,
      DISCORD_APPLICATION_ID: APPLICATION_ID,
      DISCORD_GUILD_ID: GUILD_ID,
      DISCORD_API_URL: discord.apiUrl,
      BOT_ADMINS: `discord:${ADMIN}`,
      REDIS_URL: process.env.REDIS_URL!,
    });
    for (let index = 0; index < 2; index += 1) replicas.push(await startE2eBot(env, { discordRestOptions: { retries: 0, timeout: 5_000 } }));
  });

  afterAll(async () => {
    for (const replica of replicas) await replica.bot.stop();
    await discord?.close();
    await atmosphere?.close();
    await database?.drop();
  });

  it('answers each of five commands once, with one audit row each, and no "already acknowledged" error', async () => {
    expect(discord.stats.identifies).toBe(2);
    const commands = Array.from({ length: 5 }, () => chatInput({ path: ['links'], userId: ADMIN, username: 'admin' }));
    for (const command of commands) discord.sendInteraction(command);
    for (const command of commands) {
      const callback = await discord.waitForRequest(callbacksOf(command));
      const body = callback.body as { type: number; data?: DiscordMessageBody };
      if (body.type === 4) expect(discordText(body.data ?? {})).not.toBe('');
    }
    await sleep(300);
    for (const command of commands) {
      expect(discord.requests.filter(callbacksOf(command))).toHaveLength(1);
      const rows = await waitFor(`the audit row of ${command.id}`, async () => {
        const found = await database.atmosphere.db.select({ id: auditLog.id }).from(auditLog).where(eq(auditLog.eventId, command.id));
        return found.length > 0 ? found : null;
      });
      expect(rows).toHaveLength(1);
    }
    for (const replica of replicas) expect(errorLines(replica.logLines)).toEqual([]);
  });
});
