import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { environmentWithEnvFile, loadConfig, ConfigError, type Config } from './config.js';
import { configSecrets } from './config/secrets.js';
import { createLogger, type Logger } from './logger.js';
import { createRedactor } from './model/redactor.js';
import { startBot } from './start-bot.js';
import { createConsoleAdapter } from './bot/console/console-adapter.js';
import { findFirstStaffUser } from './db/queries/users.js';
import { consoleUsersOf } from './console-users.js';

function useConsole(config: Config): boolean {
  if (config.CONSOLE === 'on') return true;
  if (config.CONSOLE === 'off') return false;
  return !config.SLACK_BOT_TOKEN && !config.DISCORD_TOKEN;
}

/**
 * In the embedded demo the console is the only place to post, so alert threads and announcements
 * appear there unless channels are configured.
 */
function withConsoleChannels(config: Config): Config {
  return Object.freeze({
    ...config,
    alertChannel: config.alertChannel ?? { platform: 'console' as const, channel: 'alerts' },
    announceChannel: config.announceChannel ?? { platform: 'console' as const, channel: 'announce' },
  });
}

/** While the console owns the terminal, logs go to a file beside the embedded data. */
function buildLogger(config: Config, consoleMode: boolean): { log: Logger; logFile: string | null } {
  const secrets = configSecrets(config);
  if (!consoleMode) return { log: createLogger(config.LOG_LEVEL, undefined, config.LOG_FORMAT, secrets), logFile: null };
  mkdirSync(config.DATA_DIR, { recursive: true });
  const logFile = join(config.DATA_DIR, 'atmo-bot.log');
  const log = createLogger(config.LOG_LEVEL, pino.destination({ dest: logFile, sync: true }), config.LOG_FORMAT, secrets);
  return { log, logFile };
}

/** How long a process with an uncaught exception may take to stop before it is ended anyway. */
const UNCAUGHT_EXIT_MS = 30_000;

/** The process entry point: configuration errors, signals and the terminal; the rest is startBot. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(environmentWithEnvFile());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const consoleMode = useConsole(config);
  if (consoleMode && config.embedded) config = withConsoleChannels(config);
  const { log, logFile } = buildLogger(config, consoleMode);
  let bot: Awaited<ReturnType<typeof startBot>> | undefined;
  let stopping: Promise<void> | null = null;
  const shutdown = (reason: string) => {
    stopping ??= (async () => {
      log.info({ reason, graceMs: config.SHUTDOWN_GRACE_MS }, 'shutting down');
      // The last resort: whatever still hangs, the process ends within the grace period.
      setTimeout(() => {
        log.error({ graceMs: config.SHUTDOWN_GRACE_MS }, 'shutdown did not finish within the grace period; exiting now');
        log.flush?.();
        process.exit(1);
      }, config.SHUTDOWN_GRACE_MS).unref();
      await bot?.stop();
      log.flush?.();
    })();
    return stopping;
  };
  // Node ends the process on either by default, mid-way through whatever else was in flight. A
  // rejection nobody awaited is a bug in one event, not in the others: log it and keep serving. An
  // uncaught exception leaves the process in an unknown state: log it, stop the way SIGTERM does
  // (in-flight work finishes, nothing new is taken), then exit with a failure for the supervisor.
  // Either way the line names the events in flight at that moment, to find the one it came from; a
  // decision none of them could finish is completed by the reconciler from its journal claim.
  const inFlight = () => bot?.pendingWork() ?? [];
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason, origin: 'unhandledRejection', inFlight: inFlight() }, 'a promise failed with nobody handling it; the bot keeps running');
  });
  process.on('uncaughtException', (error, origin) => {
    log.fatal({ err: error, origin, inFlight: inFlight() }, 'uncaught exception; stopping after in-flight work');
    void shutdown('uncaught exception').finally(() => process.exit(1));
    // A shutdown that itself hangs must not keep a broken process alive.
    setTimeout(() => process.exit(1), UNCAUGHT_EXIT_MS).unref();
  });
  bot = await startBot(config, log);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // A second signal means "now": the operator does not want to wait for the grace period.
      if (stopping) {
        log.warn({ signal }, 'second signal during shutdown; exiting now');
        log.flush?.();
        process.exit(1);
      }
      void shutdown(signal).then(() => process.exit(0));
    });
  }

  if (!consoleMode) bot.startJobs();
  if (consoleMode) {
    const staff = await findFirstStaffUser(bot.deps.db, bot.deps.now());
    const adapter = createConsoleAdapter({
      dispatcher: bot.dispatcher,
      input: process.stdin,
      output: process.stdout,
      log: log.child({ platform: 'console' }),
      actingAs: staff?.username ?? null,
      operator: 'operator',
      filesDir: join(config.DATA_DIR, 'files'),
      users: consoleUsersOf(bot.deps.db, () => bot.deps.now()),
    });
    bot.registerConsole(adapter.chatPort);
    bot.startJobs();
    // The log is in a file here, so a setting that does nothing is said where the operator looks.
    for (const warning of bot.warnings) process.stdout.write(`Warning: ${warning}\n`);
    if (logFile) process.stdout.write(`Logs go to ${logFile}. Health check on port ${bot.port}.\n`);
    await adapter.run();
    // With no other adapter, leaving the console ends the bot.
    if (!config.SLACK_BOT_TOKEN && !config.DISCORD_TOKEN) {
      await shutdown('console closed');
      process.exit(0);
    }
  }
}

main().catch((error: unknown) => {
  // The configuration may not have loaded, so only URL credentials can be stripped here.
  const message = createRedactor([])(error instanceof Error ? error.message : String(error));
  process.stderr.write(`atmo-bot failed to start: ${message}\n`);
  process.exit(1);
});
