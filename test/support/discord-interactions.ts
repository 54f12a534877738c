import { randomInt } from 'node:crypto';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ButtonStyle,
  ChannelType,
  ComponentType,
  InteractionType,
  type APIApplicationCommandInteractionDataOption,
  type APIChatInputApplicationCommandGuildInteraction,
  type APIMessageComponentButtonInteraction,
  type APIModalSubmitInteraction,
} from 'discord.js';

/**
 * Interaction payloads as Discord delivers them in INTERACTION_CREATE (guild context), trimmed to
 * the fields that are always present. Each call gets a fresh id and token.
 */

export const APPLICATION_ID = '111111111111111111';
export const GUILD_ID = '444444444444444444';
export const CHANNEL_ID = '333333333333333333';
export const USER_ID = '222222222222222222';

// Ids differ between test runs too: a shared Redis remembers each interaction id claimed (for 16
// minutes), so a second run reusing the first run's ids would find them all taken.
const firstId = 700_000_000_000_000_000n + BigInt(Date.now()) * 1_000_000n + BigInt(randomInt(1000)) * 1000n;
let counter = 0;
function nextId(): string {
  counter += 1;
  return String(firstId + BigInt(counter));
}

interface Who {
  userId?: string;
  username?: string;
  bot?: boolean;
  channelId?: string;
  /** Set when the interaction happens inside a thread of this parent channel. */
  threadParentId?: string;
}

function guildFields(who: Who, id: string) {
  const user = { id: who.userId ?? USER_ID, username: who.username ?? 'alice', discriminator: '0', avatar: null, global_name: null, ...(who.bot ? { bot: true } : {}) };
  const channelId = who.channelId ?? CHANNEL_ID;
  return {
    id,
    application_id: APPLICATION_ID,
    token: `itok-${id}`,
    version: 1 as const,
    guild_id: GUILD_ID,
    channel_id: channelId,
    channel: who.threadParentId
      ? { id: channelId, type: ChannelType.PublicThread as const, parent_id: who.threadParentId }
      : { id: channelId, type: ChannelType.GuildText as const },
    member: { user, roles: [], permissions: '8', joined_at: '2024-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0, nick: null },
    app_permissions: '8',
    locale: 'en-US' as const,
    guild_locale: 'en-US' as const,
    entitlements: [],
    authorizing_integration_owners: { '0': GUILD_ID },
    context: 0 as const,
    attachment_size_limit: 10_485_760,
  };
}

/** `/atmo <path...>` with named option values, nested as Discord nests subcommands and groups. */
export function chatInput(input: { path: string[]; options?: Record<string, string | number | boolean> } & Who): APIChatInputApplicationCommandGuildInteraction {
  const id = nextId();
  const values: APIApplicationCommandInteractionDataOption[] = Object.entries(input.options ?? {}).map(([name, value]) =>
    typeof value === 'string'
      ? { name, type: ApplicationCommandOptionType.String, value }
      : typeof value === 'number'
        ? { name, type: ApplicationCommandOptionType.Integer, value }
        : { name, type: ApplicationCommandOptionType.Boolean, value },
  );
  const [first, second] = input.path;
  if (!first) throw new Error('path needs at least one word');
  const subcommand = (name: string) => ({ name, type: ApplicationCommandOptionType.Subcommand as const, options: values as never[] });
  const options: APIApplicationCommandInteractionDataOption[] = second
    ? [{ name: first, type: ApplicationCommandOptionType.SubcommandGroup, options: [subcommand(second)] }]
    : [subcommand(first)];
  return {
    ...guildFields(input, id),
    type: InteractionType.ApplicationCommand,
    data: { id: '900000000000000001', name: 'atmo', type: ApplicationCommandType.ChatInput, guild_id: GUILD_ID, options },
  } as APIChatInputApplicationCommandGuildInteraction;
}

function sourceMessage(messageId: string, channelId: string, customId: string) {
  return {
    id: messageId,
    type: 0,
    channel_id: channelId,
    author: { id: APPLICATION_ID, username: 'atmo-bot', discriminator: '0', avatar: null, global_name: null, bot: true },
    content: 'Resource request 42 from bob',
    embeds: [],
    components: [
      {
        type: ComponentType.ActionRow,
        components: [{ type: ComponentType.Button, custom_id: customId, label: 'Approve', style: ButtonStyle.Primary }],
      },
    ],
    attachments: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    timestamp: '2024-01-01T00:00:00.000Z',
    edited_timestamp: null,
    flags: 0,
  };
}

/** A click on a button whose custom_id is `customId`, on message `messageId`. */
export function buttonClick(input: { customId: string; messageId?: string } & Who): APIMessageComponentButtonInteraction {
  const id = nextId();
  const fields = guildFields(input, id);
  return {
    ...fields,
    type: InteractionType.MessageComponent,
    data: { custom_id: input.customId, component_type: ComponentType.Button },
    message: sourceMessage(input.messageId ?? '555555555555555555', fields.channel_id, input.customId),
  } as APIMessageComponentButtonInteraction;
}

/** The submission of a modal opened from a button on `messageId` (or from a command when it is absent). */
export function modalSubmit(input: { customId: string; values: Record<string, string>; messageId?: string; legacyRows?: boolean } & Who): APIModalSubmitInteraction {
  const id = nextId();
  const fields = guildFields(input, id);
  const components = Object.entries(input.values).map(([customId, value], index) =>
    input.legacyRows
      ? { type: ComponentType.ActionRow as const, id: index * 2 + 1, components: [{ type: ComponentType.TextInput as const, id: index * 2 + 2, custom_id: customId, value }] }
      : { type: ComponentType.Label as const, id: index * 2 + 1, component: { type: ComponentType.TextInput as const, id: index * 2 + 2, custom_id: customId, value } },
  );
  return {
    ...fields,
    type: InteractionType.ModalSubmit,
    data: { custom_id: input.customId, components },
    ...(input.messageId ? { message: sourceMessage(input.messageId, fields.channel_id, input.customId) } : {}),
  } as APIModalSubmitInteraction;
}
