import { MessageFlags, type APIModalInteractionResponseCallbackData, type Interaction } from 'discord.js';
import type { ReplyFile } from '../chat/reply.js';
import { clientFiles } from './discord-files.js';
import { messageOptions } from './message-options.js';
import type { DiscordMessage } from './render-reply.js';

/**
 * The calls that answer one interaction, whichever way it arrived. The first four are the
 * interaction's one response (a callback type:
 * https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-interaction-callback-type);
 * the last three use the interaction's webhook, valid for 15 minutes after it. Over the gateway each
 * is a REST call through discord.js; over HTTP the response is the body of Discord's request
 * (http-interaction-callbacks.ts). interaction-io.ts decides which to call when, for both.
 */
export interface InteractionCallbacks {
  /** CHANNEL_MESSAGE_WITH_SOURCE (4). */
  reply(message: DiscordMessage, files: readonly ReplyFile[], ephemeral: boolean): Promise<void>;
  /** DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE (5): "thinking…", edited later. */
  deferReply(ephemeral: boolean): Promise<void>;
  /** UPDATE_MESSAGE (7): redraws the message the button sat on. Components and modals from a message only. */
  update(message: DiscordMessage, files: readonly ReplyFile[]): Promise<void>;
  /** DEFERRED_UPDATE_MESSAGE (6). Components and modals from a message only. */
  deferUpdate(): Promise<void>;
  /** MODAL (9); absent where Discord allows none (a modal's own submission). */
  showModal?(modal: APIModalInteractionResponseCallbackData): Promise<void>;
  /** `POST /webhooks/{app}/{token}?wait=true`: a new message; its id, which `editFollowUp` takes. */
  followUp(message: DiscordMessage, files: readonly ReplyFile[], ephemeral: boolean): Promise<string | null>;
  /** `PATCH /webhooks/{app}/{token}/messages/{id}`: edits a follow-up sent for this interaction. */
  editFollowUp(id: string, message: DiscordMessage, files: readonly ReplyFile[]): Promise<void>;
  /** `PATCH /webhooks/{app}/{token}/messages/@original`. */
  editOriginal(message: DiscordMessage, files: readonly ReplyFile[]): Promise<void>;
  /** `DELETE /webhooks/{app}/{token}/messages/@original`. */
  deleteOriginal(): Promise<void>;
}

/**
 * The message options with the files, when there are any. An edit without files leaves the message's
 * attachments as they are (an empty list would delete them).
 */
function withFiles(message: DiscordMessage, files: readonly ReplyFile[]) {
  return { ...messageOptions(message), ...(files.length > 0 ? { files: clientFiles(files) } : {}) };
}

const ephemeralFlag = (ephemeral: boolean) => (ephemeral ? { flags: MessageFlags.Ephemeral as const } : {});

/** The gateway's way: discord.js's interaction methods, which call the callback and webhook routes. */
export function gatewayCallbacks(interaction: Interaction): InteractionCallbacks {
  if (!interaction.isRepliable()) throw new Error(`a ${interaction.type} interaction cannot be answered`);
  const updatable = () => {
    if (interaction.isMessageComponent() || (interaction.isModalSubmit() && interaction.isFromMessage())) return interaction;
    throw new Error('only a component, or a form submitted from a message, can update its message');
  };
  return {
    reply: async (message, files, ephemeral) => {
      await interaction.reply({ ...withFiles(message, files), ...ephemeralFlag(ephemeral) });
    },
    deferReply: async (ephemeral) => {
      await interaction.deferReply(ephemeralFlag(ephemeral));
    },
    update: async (message, files) => {
      await updatable().update(withFiles(message, files));
    },
    deferUpdate: async () => {
      await updatable().deferUpdate();
    },
    ...('showModal' in interaction
      ? {
          showModal: async (modal: APIModalInteractionResponseCallbackData) => {
            await interaction.showModal(modal);
          },
        }
      : {}),
    followUp: async (message, files, ephemeral) => {
      const sent = await interaction.followUp({ ...withFiles(message, files), ...ephemeralFlag(ephemeral) });
      return sent.id;
    },
    editFollowUp: async (id, message, files) => {
      await interaction.editReply({ ...withFiles(message, files), message: id });
    },
    editOriginal: async (message, files) => {
      await interaction.editReply(withFiles(message, files));
    },
    deleteOriginal: async () => {
      await interaction.deleteReply();
    },
  };
}
