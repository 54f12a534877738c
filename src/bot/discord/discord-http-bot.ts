import type { KeyObject } from 'node:crypto';
import { REST, type RESTOptions } from 'discord.js';
import type { Logger } from '../../logger.js';
import type { Dispatcher } from '../chat/command.js';
import type { FormStateStore } from '../chat/form-state-store.js';
import type { BotMetrics } from '../chat/metrics.js';
import type { ReplayGuard } from '../chat/replay-guard.js';
import type { WorkQueue } from '../chat/work-queue.js';
import type { HttpRouter } from '../http-server.js';
import type { DiscordBot } from './discord-bot.js';
import { createDiscordChatPort } from './discord-chat-port.js';
import { createInteractionHandler } from './interaction-handler.js';
import { INTERACTIONS_PATH, interactionsRoute } from './interactions-endpoint.js';
import { registerGuildCommands } from './register-commands.js';

export interface DiscordHttpBotOptions {
  token: string;
  applicationId: string;
  /** When set, `/atmo` is (re)registered in this guild on start-up. */
  guildId?: string;
  /** REST base such as `http://127.0.0.1:P/api`. */
  apiUrl?: string;
  /** The application's public key (DISCORD_PUBLIC_KEY), which signs every interaction. */
  publicKey: KeyObject;
  /** The bot's HTTP listener on PORT; `POST /discord/interactions` is added to it. */
  router: HttpRouter;
  dispatcher: Dispatcher;
  log: Logger;
  workQueue: WorkQueue;
  /** Passed to discord.js's REST client; tests set `retries: 0` and a short `timeout`. */
  restOptions?: Partial<RESTOptions>;
  metrics?: BotMetrics;
  formStates?: FormStateStore;
  replayGuard?: ReplayGuard;
  /** As for the gateway adapter (interaction-handler.ts); tests shorten them. */
  formPrecheckBudgetMs?: number;
  commandReplyBudgetMs?: number;
  now?: () => number;
}

/**
 * Discord over its HTTP interactions endpoint (DISCORD_MODE=http): no gateway session, so any number
 * of replicas can sit behind a load balancer, each answering the interactions it is given. Discord
 * sends interactions one way or the other, never both: setting the Interactions Endpoint URL in the
 * developer portal stops them on the gateway
 * (https://discord.com/developers/docs/interactions/receiving-and-responding#receiving-an-interaction).
 * Replies outside an interaction (alerts, reports) use the REST API with the bot token, as in
 * gateway mode.
 */
export function createDiscordHttpBot(options: DiscordHttpBotOptions): DiscordBot {
  const { dispatcher } = options;
  const log = options.log.child({ platform: 'discord' });
  const rest = new REST({ ...options.restOptions, ...(options.apiUrl ? { api: options.apiUrl } : {}) }).setToken(options.token);
  const handle = createInteractionHandler({
    dispatcher,
    log,
    workQueue: options.workQueue,
    ...(options.formPrecheckBudgetMs !== undefined ? { formPrecheckBudgetMs: options.formPrecheckBudgetMs } : {}),
    ...(options.commandReplyBudgetMs !== undefined ? { commandReplyBudgetMs: options.commandReplyBudgetMs } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.formStates ? { formStates: options.formStates } : {}),
  });
  options.router.add(
    interactionsRoute({
      publicKey: options.publicKey,
      rest,
      handle,
      log,
      ...(options.replayGuard ? { replayGuard: options.replayGuard } : {}),
      ...(options.now ? { now: options.now } : {}),
    }),
  );
  return {
    chatPort: createDiscordChatPort(rest, log),
    async start() {
      if (options.guildId) {
        const count = await registerGuildCommands({
          token: options.token,
          applicationId: options.applicationId,
          guildId: options.guildId,
          ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}),
          commands: dispatcher.commands,
          ...(options.restOptions ? { rest: options.restOptions } : {}),
        });
        log.info({ guildId: options.guildId, subcommands: count }, 'registered /atmo in the guild');
      }
      log.info({ path: INTERACTIONS_PATH }, 'discord interactions endpoint ready');
    },
    // The shared listener answers 503 to new interactions once draining; replies to accepted ones
    // go out over REST meanwhile.
    async stopReceiving() {},
    async stop() {
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
    },
    // Nothing to connect: the endpoint is up while the listener is, and the key was checked at start-up.
    connection: () => ({ state: 'up', detail: 'interactions endpoint' }),
  };
}
