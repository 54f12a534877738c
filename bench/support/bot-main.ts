import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startBot } from '../../src/start-bot.js';
import { serveParent } from './serve-parent.js';

/**
 * The real bot (`startBot`) in a process of its own, configured by the variables given as JSON:
 * `bot-main.ts '<env JSON>' [workConcurrency]`. Unlike `subject-main.ts` it uses a database the
 * benchmark prepared. Reports `{ url }` once `/slack/events` listens.
 */

export interface BotReady {
  url: string;
}

const [envJson, concurrency] = process.argv.slice(2);

await serveParent(async () => {
  if (!envJson) throw new Error("usage: bot-main.ts '<env JSON>' [workConcurrency]");
  // The parent serialises a Record<string, string>.
  const env = JSON.parse(envJson) as Record<string, string>;
  const config = loadConfig(env);
  const bot = await startBot(config, createLogger(config.LOG_LEVEL), {
    slackBotIds: { botId: 'B1', botUserId: 'UB1' },
    slackClientOptions: { retryConfig: { retries: 0 } },
    ...(concurrency ? { workConcurrency: Number(concurrency) } : {}),
  });
  if (bot.port === undefined) throw new Error('the bot reported no HTTP port');
  return { value: { url: `http://127.0.0.1:${bot.port}` } satisfies BotReady, stop: () => bot.stop() };
});

/**
 * The environment, as `bot-main.ts` takes it (JSON), of a bot on a prepared database with Slack over
 * HTTP and the Atmosphere API, quiet and without jobs or the console; `extra` adds or overrides.
 */
export function benchBotEnv(
  input: { databaseUrl: string; atmosphere: { url: string; token: string }; slackApiUrl: string; signingSecret: string },
  extra: Record<string, string> = {},
): string {
  return JSON.stringify({
    DATABASE_URL: input.databaseUrl,
    ATMOSPHERE_API_URL: input.atmosphere.url,
    ATMOSPHERE_API_TOKEN: input.atmosphere.token,
    SLACK_BOT_TOKEN: 'xoxb-bench-token',
    SLACK_SIGNING_SECRET: input.signingSecret,
    SLACK_API_URL: input.slackApiUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    CONSOLE: 'off',
    JOBS: 'false',
    ...extra,
  });
}
