import { loadConfig } from '../../src/config.js';
import { createMemoryLogger } from '../../src/logger.js';
import { migrateBotSchema } from '../../src/db/migrate.js';
import { startBot, type RunningBot } from '../../src/start-bot.js';
import type { FakeAtmosphereApi } from '../fakes/atmosphere-api.js';
import { startMirroredAtmosphereApi } from '../e2e/mirrored-atmosphere-api.js';
import { createTestDatabase, TEST_NOW, type TestDatabase } from './databases.js';
import { createRecordingChat } from './test-deps.js';
import { createRuntimeRole, type RuntimeRole } from './runtime-role.js';

export interface RuntimeRoleBot {
  /** The test databases; their handles connect as the owner, for setting up and reading back. */
  database: TestDatabase;
  role: RuntimeRole;
  bot: RunningBot;
  atmosphere: FakeAtmosphereApi;
  chat: ReturnType<typeof createRecordingChat>;
  logLines: Record<string, unknown>[];
  setNow(at: Date): void;
  stop(): Promise<void>;
}

/**
 * The real bot (startBot, production mode) connected to both databases as a role holding exactly
 * the statements `npm run db:grants` prints, after the owner migrated the bot's schema as `npm run
 * db:migrate` does. Atmosphere's API is the fake, writing accepted changes back with the owner role,
 * as the real API writes with Django's.
 */
export async function startRuntimeRoleBot(env: Record<string, string> = {}): Promise<RuntimeRoleBot> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };
  try {
    const database = await createTestDatabase('postgres', { troposphere: true, demo: true, now: TEST_NOW });
    cleanups.push(() => database.drop());
    await migrateBotSchema(database.atmosphere);
    const role = await createRuntimeRole(database);
    // The role goes after the databases holding its grants (cleanups run in reverse).
    cleanups.unshift(() => role.drop());
    const atmosphere = await startMirroredAtmosphereApi(database.atmosphere.db);
    cleanups.push(() => atmosphere.close());
    let now = TEST_NOW;
    const { log, lines } = createMemoryLogger('debug');
    const config = loadConfig({
      DATABASE_URL: role.atmosphereUrl,
      TROPOSPHERE_DATABASE_URL: role.troposphereUrl!,
      ATMOSPHERE_API_URL: atmosphere.url,
      ATMOSPHERE_API_TOKEN: atmosphere.token,
      PORT: '0',
      HOST: '127.0.0.1',
      CONSOLE: 'off',
      JOBS: 'false',
      LOG_LEVEL: 'debug',
      ALERT_CHANNEL: 'console:alerts',
      ANNOUNCE_CHANNEL: 'console:announce',
      BOT_ADMINS: 'discord:999000999000',
      ...env,
    });
    const bot = await startBot(config, log, { now: () => now });
    cleanups.push(() => bot.stop());
    const chat = createRecordingChat();
    bot.registerConsole(chat.port);
    return { database, role, bot, atmosphere, chat, logLines: lines, setNow: (at) => (now = at), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
