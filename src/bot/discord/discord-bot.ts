import { once } from 'node:events';
import { Client, Events, GatewayDispatchEvents, GatewayIntentBits, type APIInteraction, type RESTOptions } from 'discord.js';
import type { Logger } from '../../logger.js';
import type { ChatPort } from '../chat/chat-port.js';
import type { Dispatcher } from '../chat/command.js';
import type { FormStateStore } from '../chat/form-state-store.js';
import type { ComponentState } from '../chat/health-check.js';
import type { BotMetrics } from '../chat/metrics.js';
import type { ReplayGuard } from '../chat/replay-guard.js';
import { createWorkQueue, type WorkQueue } from '../chat/work-queue.js';
import { DEFAULT_WORK_CONCURRENCY } from '../chat/work-limits.js';
import { createDiscordChatPort } from './discord-chat-port.js';
import { gatewayCallbacks } from './interaction-callbacks.js';
import { createInteractionHandler } from './interaction-handler.js';
import { registerGuildCommands } from './register-commands.js';

export interface DiscordBotOptions {
  token: string;
  applicationId: string;
  /** When set, `/atmo` is (re)registered in this guild on start-up. */
  guildId?: string;
  /** REST base such as `http://127.0.0.1:P/api`; the gateway URL is whatever `GET /gateway/bot` there announces. */
  apiUrl?: string;
  dispatcher: Dispatcher;
  log: Logger;
  /** Passed to discord.js's REST client; tests set `retries: 0` and a short `timeout`. */
  restOptions?: Partial<RESTOptions>;
  /** How long an action's precheck may run before the click is deferred; FORM_PRECHECK_BUDGET_MS by default. */
  formPrecheckBudgetMs?: number;
  /** How long a command, or a click without a form, may run before it is deferred; COMMAND_REPLY_BUDGET_MS by default. */
  commandReplyBudgetMs?: number;
  /** Where the work after each first response runs; the composition root shares one between adapters. */
  workQueue?: WorkQueue;
  /** Hears how long each interaction waited for its first response. */
  metrics?: BotMetrics;
  /** Keeps what was typed in a form while a wrong field is corrected; without it, the user clicks again. */
  formStates?: FormStateStore;
  /**
   * Claims each interaction by id before answering it. Every gateway session of the application
   * receives every interaction, so with several replicas connected only the one whose claim lands
   * answers; the others would get "already acknowledged". Without it, every interaction is answered.
   */
  replayGuard?: ReplayGuard;
}

/** A Discord adapter, gateway (here) or HTTP (discord-http-bot.ts): what the composition root drives. */
export interface DiscordBot {
  /** Registers the guild commands (when `guildId` is set); over the gateway, logs in and waits for READY. */
  start(): Promise<void>;
  /** No new interactions arrive (the gateway closes), while replies to accepted ones still go out over REST. */
  stopReceiving(): Promise<void>;
  stop(): Promise<void>;
  /** For /readyz: whether interactions can arrive now (over the gateway, its session is ready; discord.js resumes it by itself). */
  connection(): ComponentState;
  readonly chatPort: ChatPort;
}

// Payloads discord.js never turns into an interaction (types it skips) must not pile up.
const MAX_PENDING_PAYLOADS = 500;

/** The gateway adapter: one discord.js client, whose interactions go to the shared handler. */
export function createDiscordBot(options: DiscordBotOptions): DiscordBot {
  const { token, dispatcher } = options;
  const log = options.log.child({ platform: 'discord' });
  const rest = { ...options.restOptions, ...(options.apiUrl ? { api: options.apiUrl } : {}) };
  // INTERACTION_CREATE needs no intent; Guilds keeps discord.js's channel cache working for threads.
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest });
  client.rest.setToken(token);
  const handle = createInteractionHandler({
    dispatcher,
    log,
    workQueue: options.workQueue ?? createWorkQueue(DEFAULT_WORK_CONCURRENCY),
    ...(options.formPrecheckBudgetMs !== undefined ? { formPrecheckBudgetMs: options.formPrecheckBudgetMs } : {}),
    ...(options.commandReplyBudgetMs !== undefined ? { commandReplyBudgetMs: options.commandReplyBudgetMs } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.formStates ? { formStates: options.formStates } : {}),
  });

  // discord.js's interaction classes do not keep the payload; the pure translator works on the raw
  // one, which the gateway manager emits just before discord.js builds its interaction object.
  const rawInteractions = new Map<string, { data: APIInteraction; arrived: number }>();
  client.ws.on(GatewayDispatchEvents.InteractionCreate, (data: APIInteraction) => {
    rawInteractions.set(data.id, { data, arrived: performance.now() });
    if (rawInteractions.size > MAX_PENDING_PAYLOADS) rawInteractions.delete(rawInteractions.keys().next().value!);
  });
  client.on(Events.InteractionCreate, (interaction) => {
    const raw = rawInteractions.get(interaction.id);
    rawInteractions.delete(interaction.id);
    if (!raw) {
      log.warn({ eventId: interaction.id }, 'discord interaction without its gateway payload; ignored');
      return;
    }
    claim(raw.data.id)
      .then((mine) => (mine && interaction.isRepliable() ? handle(raw.data, gatewayCallbacks(interaction), raw.arrived) : false))
      .catch((error: unknown) => log.error({ err: error, eventId: interaction.id }, 'discord interaction failed'));
  });
  client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));
  client.on(Events.ShardError, (error) => log.warn({ err: error }, 'discord gateway connection error'));
  client.on(Events.ShardReconnecting, () => log.info('discord gateway reconnecting'));

  async function claim(id: string): Promise<boolean> {
    if (!options.replayGuard) return true;
    if (await options.replayGuard.firstTime('discord-interaction', id)) return true;
    log.debug({ eventId: id }, 'discord interaction answered by another replica (or already, before a resume)');
    return false;
  }

  return {
    chatPort: createDiscordChatPort(client.rest, log),
    async start() {
      if (options.guildId) {
        const count = await registerGuildCommands({
          token,
          applicationId: options.applicationId,
          guildId: options.guildId,
          ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}),
          commands: dispatcher.commands,
          ...(options.restOptions ? { rest: options.restOptions } : {}),
        });
        log.info({ guildId: options.guildId, subcommands: count }, 'registered /atmo in the guild');
      }
      // login resolves once the gateway session exists; READY handling finishes on the next event.
      await Promise.all([once(client, Events.ClientReady), client.login(token)]);
      log.info({ user: client.user?.tag }, 'discord gateway ready');
    },
    async stopReceiving() {
      // Only the gateway: client.destroy() would also clear the REST token the pending replies need.
      // discord.js types WebSocketManager.destroy as private, but it is the call Client.destroy makes
      // (src/client/Client.js) and it is safe to repeat (it returns once destroyed).
      await (client.ws as unknown as { destroy(): Promise<void> }).destroy();
    },
    async stop() {
      await client.destroy();
    },
    connection: () => (client.isReady() ? { state: 'up', detail: 'gateway' } : { state: 'down', detail: 'gateway not ready' }),
  };
}
