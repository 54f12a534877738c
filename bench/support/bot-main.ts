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
