import { once } from 'node:events';
import {
  Client,
  DiscordAPIError,
  Events,
  GatewayDispatchEvents,
  GatewayIntentBits,
  MessageFlags,
  Routes,
  type APIInteraction,
  type APIModalInteractionResponseCallbackData,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type ModalMessageModalSubmitInteraction,
  type ModalSubmitInteraction,
  type RESTOptions,
} from 'discord.js';
import { IntegrationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { encodeActionId } from '../action-id.js';
import type { ActionEvent, ChannelRef, ChatEvent, MessageRef } from '../chat-event.js';
import type { ChatPort } from '../chat-port.js';
import type { Dispatcher, EventIO } from '../command.js';
import type { Reply } from '../reply.js';
import { discordError, registerGuildCommands } from './register-commands.js';
import { renderModal, renderReplyMessage, type DiscordMessage } from './render-reply.js';
import { toChatEvent } from './to-chat-event.js';

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
}

export interface DiscordBot {
  /** Registers the guild commands (when `guildId` is set), logs in and waits for the gateway's READY. */
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly chatPort: ChatPort;
}

/**
 * Discord gives 3 s for the first response, and a modal must BE the first response. An action with a
 * form is therefore dispatched before anything is sent, so a refusal from its precheck can come first.
 * Prechecks are meant to be fast; if one is not done by this budget we defer (the click is saved) and,
 * should it then ask for the form, tell the user to click again: a modal can no longer be shown.
 */
export const FORM_PRECHECK_BUDGET_MS = 2200;
const CLICK_AGAIN = 'Checking this took longer than Discord waits for a form to open. Click the button again.';
const POSTED_IN_CHANNEL = 'Posted in the channel.';
// Replies quote user input (reasons, titles); never let that ping @everyone or roles.
const NO_MENTIONS = { parse: [] };
const THREAD_NAME_LENGTH = 100;
// Payloads discord.js never turns into an interaction (types it skips) must not pile up.
const MAX_PENDING_PAYLOADS = 500;

export function createDiscordBot(options: DiscordBotOptions): DiscordBot {
  const { token, dispatcher } = options;
  const log = options.log.child({ platform: 'discord' });
  const rest = { ...options.restOptions, ...(options.apiUrl ? { api: options.apiUrl } : {}) };
  // INTERACTION_CREATE needs no intent; Guilds keeps discord.js's channel cache working for threads.
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest });
  client.rest.setToken(token);

  // discord.js's interaction classes do not keep the payload; the pure translator works on the raw
  // one, which the gateway manager emits just before discord.js builds its interaction object.
  const rawInteractions = new Map<string, APIInteraction>();
  client.ws.on(GatewayDispatchEvents.InteractionCreate, (data: APIInteraction) => {
    rawInteractions.set(data.id, data);
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

  async function handleInteraction(interaction: Interaction, raw: APIInteraction | undefined): Promise<void> {
    if (!raw) {
      log.warn({ eventId: interaction.id }, 'discord interaction without its gateway payload; ignored');
      return;
    }
    const event = toChatEvent(raw, new Date());
    if (!event) return;
    if (interaction.isChatInputCommand()) await onCommand(interaction, event);
    else if (interaction.isButton() && event.kind === 'action') await onButton(interaction, event);
    else if (interaction.isModalSubmit()) await onModalSubmit(interaction, event);
  }

  async function onCommand(interaction: ChatInputCommandInteraction | ModalSubmitInteraction, event: ChatEvent): Promise<void> {
    // Whether the handler answers privately or to the channel is only known after it ran, so the
    // ack is private; a channel reply becomes a public follow-up (see createDeferredReplyIO).
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const io = createDeferredReplyIO(interaction);
    const outcome = await dispatcher.handle(event, io);
    if (outcome.kind === 'form') log.warn({ eventId: event.id, action: outcome.action }, 'a form was asked for where none can be shown');
    await io.finish();
  }

  async function onButton(interaction: ButtonInteraction, event: ActionEvent): Promise<void> {
    const responder = new ComponentResponder(interaction);
    const mayAskForm = dispatcher.actions.find((action) => action.name === event.action)?.form !== undefined;
    let timer: NodeJS.Timeout | undefined;
    if (mayAskForm) {
      timer = setTimeout(() => {
        responder.ack().catch((error: unknown) => log.error({ err: error, eventId: event.id }, 'discord deferral failed'));
      }, options.formPrecheckBudgetMs ?? FORM_PRECHECK_BUDGET_MS);
    } else {
      await responder.ack();
    }
    let outcome;
    try {
      outcome = await dispatcher.handle(event, responder.io);
    } finally {
      clearTimeout(timer);
    }
    if (outcome.kind === 'form') {
      const shown = await responder.showModal(renderModal(outcome.form, encodeActionId(outcome.action, outcome.value)));
      if (!shown) await responder.io.respond({ text: CLICK_AGAIN, visibility: 'ephemeral' });
      return;
    }
    await responder.ack();
  }

  async function onModalSubmit(interaction: ModalSubmitInteraction, event: ChatEvent): Promise<void> {
    if (!interaction.isFromMessage()) return onCommand(interaction, event);
    const responder = new ComponentResponder(interaction);
    await responder.ack();
    const outcome = await dispatcher.handle(event, responder.io);
    if (outcome.kind === 'form') log.warn({ eventId: event.id, action: outcome.action }, 'a submitted form asked for a form again');
  }

  const threads = new Map<string, string>();

  const chatPort: ChatPort = {
    async post(channel: ChannelRef, reply: Reply, postOptions?: { thread?: MessageRef }): Promise<MessageRef> {
      assertDiscord(channel.platform);
      const threadId = postOptions?.thread ? await threadFor(postOptions.thread, reply) : undefined;
      const target = threadId ?? channel.channel;
      const created = await call(`posting to Discord channel ${target}`, () =>
        client.rest.post(Routes.channelMessages(target), { body: restBody(renderReplyMessage(reply)) }),
      );
      return { platform: 'discord', channel: channel.channel, id: idOf(created), ...(threadId ? { threadId } : {}) };
    },
    async update(message: MessageRef, reply: Reply): Promise<void> {
      assertDiscord(message.platform);
      const channelId = message.threadId ?? message.channel;
      await call(`editing Discord message ${message.id}`, () =>
        client.rest.patch(Routes.channelMessage(channelId, message.id), { body: restBody(renderReplyMessage(reply)) }),
      );
    },
  };

  /** The thread started from `parent`, created the first time it is needed. */
  async function threadFor(parent: MessageRef, reply: Reply): Promise<string> {
    if (parent.threadId) return parent.threadId;
    const known = threads.get(parent.id);
    if (known) return known;
    const name = cutName(reply.title ?? reply.text.split('\n')[0] ?? 'alert');
    let threadId: string;
    try {
      threadId = idOf(await client.rest.post(Routes.threads(parent.channel, parent.id), { body: { name } }));
    } catch (error) {
      // Another replica (or a restart) already started it; a thread started from a message shares its id.
      if (!(error instanceof DiscordAPIError && error.code === 160004)) throw discordError(`starting a thread on message ${parent.id}`, error);
      threadId = parent.id;
    }
    threads.set(parent.id, threadId);
    return threadId;
  }

  return {
    chatPort,
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
    async stop() {
      await client.destroy();
    },
  };
}

type UpdatableInteraction = ButtonInteraction | ModalMessageModalSubmitInteraction;

/**
 * Answers a click (or a form submitted from a message). Steps run one at a time because the 2.2 s
 * deferral may fire while the handler is replying. `@original` of a component interaction is the
 * message the button sat on, so `editReply` edits it; other replies are follow-ups, private unless
 * the reply is for the channel.
 */
class ComponentResponder {
  private acked = false;
  private chain: Promise<unknown> = Promise.resolve();
  readonly io: EventIO;

  constructor(private readonly interaction: UpdatableInteraction) {
    this.io = {
      respond: (reply) =>
        this.queue(async () => {
          await this.ackNow();
          const message = renderReplyMessage(reply);
          await this.interaction.followUp({ ...messageOptions(message), ...(reply.visibility === 'channel' ? {} : { flags: MessageFlags.Ephemeral }) });
        }),
      updateSource: (reply) =>
        this.queue(async () => {
          const message = messageOptions(renderReplyMessage(reply));
          if (this.acked) {
            await this.interaction.editReply(message);
          } else {
            await this.interaction.update(message);
            this.acked = true;
          }
        }),
    };
  }

  /** Acknowledges without changing the message (DEFERRED_UPDATE_MESSAGE), unless already done. */
  ack(): Promise<void> {
    return this.queue(() => this.ackNow());
  }

  /** Shows the modal when nothing has been sent yet; false when it is too late for one. */
  showModal(modal: APIModalInteractionResponseCallbackData): Promise<boolean> {
    return this.queue(async () => {
      if (this.acked || !('showModal' in this.interaction)) return false;
      await this.interaction.showModal(modal);
      this.acked = true;
      return true;
    });
  }

  private async ackNow(): Promise<void> {
    if (this.acked) return;
    await this.interaction.deferUpdate();
    this.acked = true;
  }

  private queue<T>(step: () => Promise<T>): Promise<T> {
    const next = this.chain.then(step);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/**
 * Replies to a deferred (private) command. The first private reply replaces the "thinking…" message.
 * Discord cannot turn an ephemeral reply public, and a first follow-up would take over the deferred
 * (private) message, so a channel reply first settles the private one with a short note and then
 * posts publicly. A command that said nothing has its "thinking…" message deleted.
 */
function createDeferredReplyIO(interaction: ChatInputCommandInteraction | ModalSubmitInteraction): EventIO & { finish(): Promise<void> } {
  let originalUsed = false;
  let chain: Promise<unknown> = Promise.resolve();
  const queue = (step: () => Promise<void>): Promise<void> => {
    const next = chain.then(step);
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    respond: (reply) =>
      queue(async () => {
        const message = messageOptions(renderReplyMessage(reply));
        if (reply.visibility === 'channel') {
          if (!originalUsed) await interaction.editReply({ content: POSTED_IN_CHANNEL, embeds: [], components: [] });
          originalUsed = true;
          await interaction.followUp(message);
        } else if (!originalUsed) {
          await interaction.editReply(message);
          originalUsed = true;
        } else {
          await interaction.followUp({ ...message, flags: MessageFlags.Ephemeral });
        }
      }),
    finish: () =>
      queue(async () => {
        if (!originalUsed) await interaction.deleteReply();
      }),
  };
}

/** discord.js message options; the ephemeral flag is added per call because edits must not carry it. */
function messageOptions(message: DiscordMessage) {
  return { content: message.content, embeds: message.embeds, components: message.components, allowedMentions: NO_MENTIONS };
}

function restBody(message: DiscordMessage) {
  return { content: message.content, embeds: message.embeds, components: message.components, allowed_mentions: NO_MENTIONS };
}

async function call<T>(what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw discordError(what, error);
  }
}

function idOf(response: unknown): string {
  if (typeof response === 'object' && response !== null && 'id' in response && typeof response.id === 'string') return response.id;
  throw new IntegrationError('discord', 'Discord answered without an id');
}

function assertDiscord(platform: string): void {
  if (platform !== 'discord') throw new Error(`the Discord adapter was asked to post to a ${platform} channel`);
}

function cutName(text: string): string {
  const trimmed = text.trim() || 'alert';
  return trimmed.length <= THREAD_NAME_LENGTH ? trimmed : `${trimmed.slice(0, THREAD_NAME_LENGTH - 1)}…`;
}
