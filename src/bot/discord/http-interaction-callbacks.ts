import {
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  Routes,
  type APIInteraction,
  type APIInteractionResponse,
  type APIModalInteractionResponseCallbackData,
  type REST,
} from 'discord.js';
import type { ReplyFile } from '../chat/reply.js';
import { restFiles } from './discord-files.js';
import type { InteractionCallbacks } from './interaction-callbacks.js';
import { restBody } from './message-options.js';
import type { DiscordMessage } from './render-reply.js';

/** What the endpoint writes back to Discord's request: the response itself, or 202 when it went by REST. */
export type HttpAnswer = { status: 200; body: APIInteractionResponse } | { status: 202 };

export interface HttpInteractionCallbacks extends InteractionCallbacks {
  /** Resolves with the interaction's response as soon as the handler chose it. */
  readonly answer: Promise<HttpAnswer>;
  /** The endpoint wrote the answer: the call that chose it returns, and follow-ups may go. */
  sent(): void;
  /** Discord's request was gone before the answer was written (it waited past its 3 s). */
  lost(error: Error): void;
}

/** A message body for the callback or a webhook, with its files described when it has any. */
function messageBody(message: DiscordMessage, files: readonly ReplyFile[], ephemeral: boolean) {
  const body = { ...restBody(message), ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}) };
  if (files.length === 0) return { body };
  const parts = restFiles(files);
  return { body: { ...body, attachments: parts.attachments }, files: parts.files };
}

/**
 * Answers an interaction that came over HTTP. Its response is the body of Discord's request, so the
 * first of reply, deferReply, update, deferUpdate and showModal resolves `answer` and returns once
 * the endpoint has written it (https://discord.com/developers/docs/interactions/receiving-and-responding,
 * "Inline HTTP Response Behavior"). A response with files cannot be one JSON body: it is sent to the
 * callback route as multipart, and Discord's request is then answered 202 with no body, as the same
 * page asks. Follow-ups and edits go to the interaction's webhook with `rest`, as discord.js sends
 * them over the gateway: they carry the interaction token in the path, not the bot token.
 */
export function createHttpInteractionCallbacks(raw: APIInteraction, rest: REST): HttpInteractionCallbacks {
  let resolveAnswer!: (answer: HttpAnswer) => void;
  const answer = new Promise<HttpAnswer>((resolve) => (resolveAnswer = resolve));
  let settle!: { sent(): void; lost(error: Error): void };
  const written = new Promise<void>((resolve, reject) => (settle = { sent: resolve, lost: reject }));
  // Nothing awaits `written` when the answer was 202; its rejection must not go unhandled.
  written.catch(() => undefined);
  let responded = false;

  async function respond(response: APIInteractionResponse, files: readonly ReplyFile[] = []): Promise<void> {
    // Mirrors discord.js's InteractionAlreadyReplied: Discord takes one response per interaction.
    if (responded) throw new Error('the interaction has already been answered');
    responded = true;
    if (files.length === 0) {
      resolveAnswer({ status: 200, body: response });
      await written;
      return;
    }
    const data = 'data' in response ? response.data : undefined;
    const parts = restFiles(files);
    try {
      await rest.post(Routes.interactionCallback(raw.id, raw.token), {
        body: { type: response.type, data: { ...data, attachments: parts.attachments } },
        files: parts.files,
        auth: false,
      });
    } catch (error) {
      // Not answered yet: the reply may still go without its files (deliverReply tries that next).
      responded = false;
      throw error;
    }
    resolveAnswer({ status: 202 });
  }

  const webhook = Routes.webhook(raw.application_id, raw.token);
  const original = Routes.webhookMessage(raw.application_id, raw.token, '@original');
  return {
    answer,
    sent: () => settle.sent(),
    lost: (error) => settle.lost(error),
    reply: (message, files, ephemeral) =>
      respond({ type: InteractionResponseType.ChannelMessageWithSource, data: messageBody(message, [], ephemeral).body }, files),
    deferReply: (ephemeral) =>
      respond({ type: InteractionResponseType.DeferredChannelMessageWithSource, ...(ephemeral ? { data: { flags: MessageFlags.Ephemeral } } : {}) }),
    update: (message, files) => respond({ type: InteractionResponseType.UpdateMessage, data: restBody(message) }, files),
    deferUpdate: () => respond({ type: InteractionResponseType.DeferredMessageUpdate }),
    // A modal cannot answer a modal's submission (Discord refuses MODAL for MODAL_SUBMIT).
    ...(raw.type === InteractionType.ModalSubmit
      ? {}
      : { showModal: (modal: APIModalInteractionResponseCallbackData) => respond({ type: InteractionResponseType.Modal, data: modal }) }),
    followUp: async (message, files, ephemeral) => {
      const sent = await rest.post(webhook, { ...messageBody(message, files, ephemeral), auth: false, query: new URLSearchParams({ wait: 'true' }) });
      // With wait=true Discord answers with the message object (Execute Webhook).
      const id = sent && typeof sent === 'object' && 'id' in sent ? sent.id : null;
      return typeof id === 'string' ? id : null;
    },
    editFollowUp: async (id, message, files) => {
      await rest.patch(Routes.webhookMessage(raw.application_id, raw.token, id), { ...messageBody(message, files, false), auth: false });
    },
    editOriginal: async (message, files) => {
      await rest.patch(original, { ...messageBody(message, files, false), auth: false });
    },
    deleteOriginal: async () => {
      await rest.delete(original, { auth: false });
    },
  };
}
