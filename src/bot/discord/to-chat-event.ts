import {
  ApplicationCommandType,
  ChannelType,
  ComponentType,
  InteractionType,
  type APIChatInputApplicationCommandInteraction,
  type APIInteraction,
  type APIMessage,
  type APIMessageComponentInteraction,
  type APIModalSubmitInteraction,
  type APIUser,
} from 'discord.js';
import { decodeActionId } from '../chat/action-id.js';
import type { ActionEvent, ChatEvent, ChatUser, CommandEvent, MessageRef } from '../chat/chat-event.js';
import { interactionToOptions } from './command-manifest.js';

/** Action name for a button id that is not ours; the dispatcher knows no such action, refuses and audits it. */
export const UNKNOWN_BUTTON_ACTION = 'unknown:button';

const THREAD_TYPES: readonly number[] = [ChannelType.PublicThread, ChannelType.PrivateThread, ChannelType.AnnouncementThread];

type AnyInteraction = APIChatInputApplicationCommandInteraction | APIMessageComponentInteraction | APIModalSubmitInteraction;

/**
 * Turns a raw gateway interaction into a ChatEvent. Returns null for what the bot does not handle:
 * other bots, autocomplete, context menus, select menus.
 */
export function toChatEvent(interaction: APIInteraction, receivedAt: Date): ChatEvent | null {
  const user = userOf(interaction);
  if (!user || user.bot) return null;
  switch (interaction.type) {
    case InteractionType.ApplicationCommand:
      // TypeScript does not narrow the interaction on its nested `data.type`, hence the cast.
      return interaction.data.type === ApplicationCommandType.ChatInput
        ? toCommandEvent(interaction as APIChatInputApplicationCommandInteraction, receivedAt)
        : null;
    case InteractionType.MessageComponent:
      return interaction.data.component_type === ComponentType.Button ? toButtonEvent(interaction, receivedAt) : null;
    case InteractionType.ModalSubmit:
      return toModalEvent(interaction, receivedAt);
    default:
      return null;
  }
}

/** `/atmo imaging triage hours:24` → text `imaging triage --hours 24` plus the typed options. */
export function toCommandEvent(interaction: APIChatInputApplicationCommandInteraction, receivedAt: Date): CommandEvent {
  const options = interactionToOptions(interaction.data);
  const words = [...options.path];
  for (const [name, value] of Object.entries(options.values)) words.push(`--${name}`, quote(String(value)));
  return { ...base(interaction, receivedAt), kind: 'command', text: words.join(' '), options };
}

export function toButtonEvent(interaction: APIMessageComponentInteraction, receivedAt: Date): ActionEvent {
  const decoded = decodeActionId(interaction.data.custom_id);
  return {
    ...base(interaction, receivedAt),
    kind: 'action',
    action: decoded?.action ?? UNKNOWN_BUTTON_ACTION,
    value: decoded?.value ?? interaction.data.custom_id,
    message: messageRef(interaction, interaction.message),
  };
}

/** A modal's custom id is the id of the button that opened it; its text inputs become `form`. */
export function toModalEvent(interaction: APIModalSubmitInteraction, receivedAt: Date): ActionEvent {
  const decoded = decodeActionId(interaction.data.custom_id);
  const form: Record<string, string> = {};
  for (const component of interaction.data.components) {
    // Discord's current modals wrap each input in a Label; older ones use action rows.
    const inputs =
      component.type === ComponentType.Label ? [component.component] : component.type === ComponentType.ActionRow ? component.components : [];
    for (const input of inputs) {
      if (input.type === ComponentType.TextInput) form[input.custom_id] = input.value;
    }
  }
  return {
    ...base(interaction, receivedAt),
    kind: 'action',
    action: decoded?.action ?? UNKNOWN_BUTTON_ACTION,
    value: decoded?.value ?? interaction.data.custom_id,
    ...(interaction.message ? { message: messageRef(interaction, interaction.message) } : {}),
    form,
  };
}

function base(interaction: AnyInteraction, receivedAt: Date): Omit<CommandEvent, 'kind' | 'text'> {
  const user = userOf(interaction)!;
  const chatUser: ChatUser = { platform: 'discord', id: user.id };
  const displayName = interaction.member?.nick ?? user.global_name ?? user.username;
  if (displayName) chatUser.displayName = displayName;
  return { id: interaction.id, platform: 'discord', user: chatUser, channel: interaction.channel_id ?? interaction.channel?.id ?? '', receivedAt };
}

function userOf(interaction: APIInteraction): APIUser | undefined {
  return interaction.member?.user ?? interaction.user;
}

/** A message in a thread lives in the thread channel; the ref keeps the parent as `channel`. */
function messageRef(interaction: AnyInteraction, message: Pick<APIMessage, 'id' | 'channel_id'>): MessageRef {
  const channelId = message.channel_id || interaction.channel_id || '';
  const channel = interaction.channel;
  if (channel && channel.id === channelId && THREAD_TYPES.includes(channel.type) && 'parent_id' in channel && channel.parent_id) {
    return { platform: 'discord', channel: channel.parent_id, id: message.id, threadId: channelId };
  }
  return { platform: 'discord', channel: channelId, id: message.id };
}

/** Quotes a value with spaces or quotes so the audit text reads back as the same words. */
function quote(value: string): string {
  return /[\s"\\]/.test(value) || value === '' ? `"${value.replace(/["\\]/g, (match) => `\\${match}`)}"` : value;
}
