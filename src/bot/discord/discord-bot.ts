import { once } from 'node:events';
import {
  Client,
  Events,
  GatewayDispatchEvents,
  GatewayIntentBits,
  MessageFlags,
  type APIInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type ModalMessageModalSubmitInteraction,
  type ModalSubmitInteraction,
  type RESTOptions,
} from 'discord.js';
import type { Logger } from '../../logger.js';
import { encodeActionId } from '../chat/action-id.js';
import type { ActionEvent, ChatEvent } from '../chat/chat-event.js';
import type { ChatPort } from '../chat/chat-port.js';
import type { Dispatcher, EventIO } from '../chat/command.js';
import { reply } from '../chat/reply.js';
import { createWorkQueue, DEFAULT_WORK_CONCURRENCY, type WorkItem, type WorkQueue } from '../chat/work-queue.js';
import { createDiscordChatPort } from './discord-chat-port.js';
import { ComponentResponder, createCommandReplyIO } from './interaction-io.js';
import { registerGuildCommands } from './register-commands.js';
import { renderModal } from './render-reply.js';
import { toChatEvent } from './to-chat-event.js';
import type { ComponentState } from '../chat/health-check.js';
import { noMetrics, secondsSince, type BotMetrics } from '../chat/metrics.js';
import type { FormStateStore } from '../chat/form-state-store.js';
import { CORRECT_ACTION, CORRECTION_EXPIRED, createFormCorrections } from './form-corrections.js';

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
}

export interface DiscordBot {
  /** Registers the guild commands (when `guildId` is set), logs in and waits for the gateway's READY. */
  start(): Promise<void>;
  /** Closes the gateway: no new interactions arrive, while replies to accepted ones still go out over REST. */
  stopReceiving(): Promise<void>;
  stop(): Promise<void>;
  /** For /healthz: whether the gateway session is ready now (discord.js resumes it by itself). */
  connection(): ComponentState;
  readonly chatPort: ChatPort;
}

/**
 * Discord gives 3 s for the first response, and a modal must BE the first response. An action with a
 * form is therefore dispatched before anything is sent, so a refusal from its precheck can come first.
 * Prechecks are meant to be fast; if one is not done by this budget we defer (the click is saved) and,
 * should it then ask for the form, tell the user to click again: a modal can no longer be shown.
 */
export const FORM_PRECHECK_BUDGET_MS = 2200;

/**
 * How long a command, a click or a submitted form may take before it is deferred. Answering within it
 * costs one REST call (the response carries the reply, or the redrawn message) instead of a deferral
 * plus an edit, or plus two calls for a channel reply; the rest of Discord's 3 s covers the
 * deferral's own round trip.
 */
export const COMMAND_REPLY_BUDGET_MS = 2200;
const CLICK_AGAIN = 'Checking this took longer than Discord waits for a form to open. Click the button again.';
// Payloads discord.js never turns into an interaction (types it skips) must not pile up.
const MAX_PENDING_PAYLOADS = 500;

export function createDiscordBot(options: DiscordBotOptions): DiscordBot {
  const { token, dispatcher } = options;
  const log = options.log.child({ platform: 'discord' });
  const rest = { ...options.restOptions, ...(options.apiUrl ? { api: options.apiUrl } : {}) };
  // INTERACTION_CREATE needs no intent; Guilds keeps discord.js's channel cache working for threads.
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest });
  client.rest.setToken(token);
  const queue = options.workQueue ?? createWorkQueue(DEFAULT_WORK_CONCURRENCY);
  const replyBudgetMs = options.commandReplyBudgetMs ?? COMMAND_REPLY_BUDGET_MS;
  const work = (event: ChatEvent, io: EventIO, run: () => Promise<void>, priority: WorkItem['priority'] = 'normal') =>
    queue.run({ eventId: event.id, priority, run, notify: (text) => io.respond(reply(text)) });

  // discord.js's interaction classes do not keep the payload; the pure translator works on the raw
  // one, which the gateway manager emits just before discord.js builds its interaction object.
  const metrics = options.metrics ?? noMetrics;
  const corrections = options.formStates ? createFormCorrections(options.formStates) : null;
  const rawInteractions = new Map<string, { data: APIInteraction; arrived: number }>();
  client.ws.on(GatewayDispatchEvents.InteractionCreate, (data: APIInteraction) => {
    rawInteractions.set(data.id, { data, arrived: performance.now() });
    if (rawInteractions.size > MAX_PENDING_PAYLOADS) rawInteractions.delete(rawInteractions.keys().next().value!);
  });
  client.on(Events.InteractionCreate, (interaction) => {
    const raw = rawInteractions.get(interaction.id);
    rawInteractions.delete(interaction.id);
    handleInteraction(interaction, raw).catch((error: unknown) => {
      log.error({ err: error, eventId: interaction.id }, 'discord interaction failed');
    });
  });
  client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));
  client.on(Events.ShardError, (error) => log.warn({ err: error }, 'discord gateway connection error'));
  client.on(Events.ShardReconnecting, () => log.info('discord gateway reconnecting'));

  async function handleInteraction(interaction: Interaction, raw: { data: APIInteraction; arrived: number } | undefined): Promise<void> {
    if (!raw) {
      log.warn({ eventId: interaction.id }, 'discord interaction without its gateway payload; ignored');
      return;
    }
    const event = toChatEvent(raw.data, new Date());
    if (!event) return;
    const acked = () => metrics.acknowledged('discord', event.kind, secondsSince(raw.arrived));
    if (interaction.isChatInputCommand()) await onCommand(interaction, event, acked);
    else if (interaction.isButton() && event.kind === 'action') await onButton(interaction, event, acked);
    else if (interaction.isModalSubmit()) await onModalSubmit(interaction, event, acked);
  }

  async function onCommand(interaction: ChatInputCommandInteraction | ModalSubmitInteraction, event: ChatEvent, acked: () => void): Promise<void> {
    // A quick answer is the interaction's response itself; a slow one is deferred (see createCommandReplyIO).
    // The deferral timer runs from here, so time spent waiting for a work slot counts against it.
    const io = outsideSlots(
      createCommandReplyIO(interaction, {
        deferAfterMs: replyBudgetMs,
        onDeferError: (error) => log.error({ err: error, eventId: event.id }, 'discord deferral failed'),
        onFirstResponse: acked,
        log: log.child({ eventId: event.id }),
      }),
    );
    await work(event, io, async () => {
      let target: ChatEvent | null = event;
      if (event.kind === 'action' && event.action === CORRECT_ACTION) {
        target = corrections ? await corrections.resume(event) : null;
        if (!target) await io.respond({ text: CORRECTION_EXPIRED, visibility: 'ephemeral' });
      }
      const outcome = target ? await dispatcher.handle(target, io) : ({ kind: 'done' } as const);
      if (outcome.kind === 'form' && outcome.keep && corrections) await io.respond(await corrections.offer(outcome));
      else if (outcome.kind === 'form') log.warn({ eventId: event.id, action: outcome.action }, 'a form was asked for where none can be shown');
      await io.finish();
    });
  }

  /** "Correct it" on the reply to a form with a wrong field: the modal of that field only. */
  async function onCorrect(interaction: ButtonInteraction, event: ActionEvent, acked: () => void): Promise<void> {
    const responder = componentResponder(interaction, event, options.formPrecheckBudgetMs ?? FORM_PRECHECK_BUDGET_MS, acked);
    const io = componentIO(responder);
    await work(
      event,
      io,
      async () => {
        const correction = corrections ? await corrections.open(event.value) : null;
        if (!correction) {
          await io.respond({ text: CORRECTION_EXPIRED, visibility: 'ephemeral' });
          return;
        }
        const shown = await queue.outside(() => responder.showModal(renderModal(correction.form, correction.customId)), 'discord');
        if (!shown) await io.respond({ text: CLICK_AGAIN, visibility: 'ephemeral' });
      },
      'deadline',
    );
  }

  /** Discord's REST calls wait on the network: the event gives its work slot up meanwhile. */
  function outsideSlots<T extends EventIO & { finish(): Promise<void> }>(io: T): T {
    return {
      ...io,
      respond: (answer) => queue.outside(() => io.respond(answer), 'discord'),
      finish: () => queue.outside(() => io.finish(), 'discord'),
    };
  }

  async function onButton(interaction: ButtonInteraction, event: ActionEvent, acked: () => void): Promise<void> {
    if (event.action === CORRECT_ACTION) return onCorrect(interaction, event, acked);
    const mayAskForm = dispatcher.actions.find((action) => action.name === event.action)?.form !== undefined;
    // Nothing goes out yet: a quick redraw is the response itself (ComponentResponder), and a form
    // must be the response. The deferral timer runs from here, as for commands.
    const responder = componentResponder(interaction, event, mayAskForm ? (options.formPrecheckBudgetMs ?? FORM_PRECHECK_BUDGET_MS) : replyBudgetMs, acked);
    const io = componentIO(responder);
    // A click that may open a form must answer within Discord's 3 s: it goes ahead of list renders.
    await work(
      event,
      io,
      async () => {
        const outcome = await dispatcher.handle(event, io);
        if (outcome.kind === 'form') {
          const modal = renderModal(outcome.form, encodeActionId(outcome.action, outcome.value));
          const shown = await queue.outside(() => responder.showModal(modal), 'discord');
          if (!shown) await io.respond({ text: CLICK_AGAIN, visibility: 'ephemeral' });
          return;
        }
        // A handler that said nothing still owes the interaction its response.
        await queue.outside(() => responder.ack(), 'discord');
      },
      mayAskForm ? 'deadline' : 'normal',
    );
  }

  function componentResponder(interaction: ButtonInteraction | ModalMessageModalSubmitInteraction, event: ChatEvent, deferAfterMs: number, acked: () => void): ComponentResponder {
    return new ComponentResponder(interaction, {
      deferAfterMs,
      onFirstResponse: acked,
      onDeferError: (error) => log.error({ err: error, eventId: event.id }, 'discord deferral failed'),
      log: log.child({ eventId: event.id }),
    });
  }

  function componentIO(responder: ComponentResponder): EventIO {
    return {
      respond: (answer) => queue.outside(() => responder.io.respond(answer), 'discord'),
      updateSource: (answer) => queue.outside(() => responder.io.updateSource?.(answer) ?? responder.io.respond(answer), 'discord'),
    };
  }

  async function onModalSubmit(interaction: ModalSubmitInteraction, event: ChatEvent, acked: () => void): Promise<void> {
    // A correction's modal sits on the bot's private reply, not on the request's message: it only answers.
    const correction = event.kind === 'action' && event.action === CORRECT_ACTION;
    if (!interaction.isFromMessage() || correction) return onCommand(interaction, event, acked);
    const responder = componentResponder(interaction, event, replyBudgetMs, acked);
    const io = componentIO(responder);
    await work(event, io, async () => {
      const outcome = await dispatcher.handle(event, io);
      if (outcome.kind === 'form' && outcome.keep && corrections) await io.respond(await corrections.offer(outcome));
      else if (outcome.kind === 'form') log.warn({ eventId: event.id, action: outcome.action }, 'a submitted form asked for a form again');
      await queue.outside(() => responder.ack(), 'discord');
    });
  }

  return {
    chatPort: createDiscordChatPort(client, log),
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
