import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, LogLevel } from '@slack/bolt';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startBot } from '../../src/start-bot.js';
import { openPostgres } from '../../src/db/client.js';
import { BULK_LOAD_POOL } from './bulk-load-pool.js';
import { loadAtmosphereSchema } from '../../src/db/load-schema.js';
import { seedDemoData } from '../../src/db/demo-data.js';
import { migrateBotSchema } from '../../src/db/migrate.js';
import { listPendingResourceRequests } from '../../src/db/queries/resource-requests.js';
import { createBenchDatabase } from './fresh-database.js';
import { statusType } from '../../src/db/atmosphere-schema.js';
import { startFakeAtmosphereApi } from '../../test/fakes/atmosphere-api.js';

export const BOT_TOKEN = 'xoxb-bench-token';
export const SIGNING_SECRET = 'bench-signing-secret';
const BOT_IDS = { botId: 'B1', botUserId: 'UB1' };

export interface AckSubject {
  /** Base URL; requests go to `<url>/slack/events`. */
  url: string;
  stop(): Promise<void>;
}

export interface BotSubject extends AckSubject {
  /** 'postgres' or 'pglite': where the bot's Atmosphere database lives. */
  database: 'postgres' | 'pglite';
  /** A pending resource request whose Approve button the benchmark clicks. */
  pendingRequestId: number;
}

function urlOf(port: number | undefined): string {
  if (port === undefined) throw new Error('the Slack HTTP endpoint did not report a port');
  return `http://127.0.0.1:${port}`;
}

/**
 * The real bot, composed exactly as `main.ts` composes it: HTTP Slack adapter, dispatcher, handlers,
 * in-process store, and the demo data in a fresh Postgres database (when `databaseUrl` is given) or in
 * embedded PGlite under a temporary directory.
 */
export async function startBotSubject(slackApiUrl: string, databaseUrl: string | undefined): Promise<BotSubject> {
  const cleanups: (() => Promise<void>)[] = [];
  const env: Record<string, string> = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slackApiUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    CONSOLE: 'off',
    JOBS: 'false',
  };
  if (databaseUrl) {
    const fresh = await createBenchDatabase(databaseUrl);
    cleanups.push(() => fresh.drop());
    // The schema and demo data are loaded here, as a real Atmosphere database would already hold them,
    // and the bot's schema migrated, as `npm run db:migrate` does before a release starts.
    const handle = openPostgres(fresh.url, { ...BULK_LOAD_POOL, max: 2 });
    let statusNames: Record<number, string>;
    try {
      await loadAtmosphereSchema(handle);
      await seedDemoData(handle.db, new Date());
      await migrateBotSchema(handle);
      statusNames = Object.fromEntries((await handle.db.select().from(statusType)).map((row) => [row.id, row.name]));
    } finally {
      await handle.close();
    }
    env.DATABASE_URL = fresh.url;
    // A real database needs the Atmosphere API for decisions; without one the bot refuses the Approve
    // click before its form (read-only mode), and the button case would time that refusal instead.
    // Opening the form calls nothing on it, so it may run in this process.
    const atmosphere = await startFakeAtmosphereApi({ statusNames });
    cleanups.push(() => atmosphere.close());
    env.ATMOSPHERE_API_URL = atmosphere.url;
    env.ATMOSPHERE_API_TOKEN = atmosphere.token;
  } else {
    const dataDir = await mkdtemp(join(tmpdir(), 'atmobot-bench-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    env.DATA_DIR = dataDir;
  }
  const config = loadConfig(env);
  const bot = await startBot(config, createLogger(config.LOG_LEVEL), {
    slackBotIds: BOT_IDS,
    slackClientOptions: { retryConfig: { retries: 0 } },
  });
  const { rows } = await listPendingResourceRequests(bot.deps.db, { limit: 1 });
  const pending = rows[0];
  if (!pending) throw new Error('the demo data has no pending resource request to click');
  return {
    url: urlOf(bot.port),
    database: databaseUrl ? 'postgres' : 'pglite',
    pendingRequestId: pending.id,
    async stop() {
      await bot.stop();
      for (const cleanup of cleanups.reverse()) await cleanup();
    },
  };
}

/** A Bolt app that only acknowledges: the floor any Bolt-based bot on this machine can reach. */
export async function startBareSubject(slackApiUrl: string): Promise<AckSubject> {
  const app = new App({
    token: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    ...BOT_IDS,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl },
  });
  app.command('/atmo', async ({ ack }) => {
    await ack();
  });
  app.action(/.*/, async ({ ack }) => {
    await ack();
  });
  const server = await app.start({ port: 0, host: '127.0.0.1' });
  const address = server.address();
  return {
    url: urlOf(address !== null && typeof address === 'object' ? address.port : undefined),
    stop: () => app.stop().then(() => undefined),
  };
}
