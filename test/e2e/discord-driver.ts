import type { FakeDiscord, RecordedRequest } from '../fakes/discord.js';
import { APPLICATION_ID } from '../support/discord-interactions.js';
import { waitFor } from './e2e-support.js';

/**
 * Reads what the bot sent back to the fake Discord for one interaction: its callback (the first
 * response), the edits of `@original`, and its follow-ups.
 */

interface Interaction {
  id: string;
  token: string;
}

export interface DiscordMessageBody {
  content?: string;
  embeds?: { title?: string; description?: string; fields?: { name: string; value: string }[]; footer?: { text: string } }[];
  components?: { type: number; components: { type: number; custom_id?: string; label?: string }[] }[];
  flags?: number;
}

/** Interaction response types (Discord's InteractionResponseType). */
export const CALLBACK = { channelMessage: 4, deferredChannelMessage: 5, deferredUpdateMessage: 6, updateMessage: 7, modal: 9 } as const;
export const EPHEMERAL = 64;

export function createDiscordReader(discord: FakeDiscord) {
  const isCallback = (interaction: Interaction) => (request: RecordedRequest) =>
    request.method === 'POST' && request.path === `/interactions/${interaction.id}/${interaction.token}/callback`;
  const isEdit = (interaction: Interaction) => (request: RecordedRequest) =>
    request.method === 'PATCH' && request.path === `/webhooks/${APPLICATION_ID}/${interaction.token}/messages/@original`;
  const isFollowUp = (interaction: Interaction) => (request: RecordedRequest) =>
    request.method === 'POST' && request.path === `/webhooks/${APPLICATION_ID}/${interaction.token}`;

  return {
    /** The interaction's first response: `{ type, data }`. */
    async callback(interaction: Interaction): Promise<{ type: number; data?: Record<string, unknown> }> {
      const request = await waitFor(`the callback of ${interaction.id}`, () => discord.requests.find(isCallback(interaction)));
      return request.body as { type: number; data?: Record<string, unknown> };
    },
    /** The first edit of `@original` (the deferred reply, or the message a button sat on). */
    async edit(interaction: Interaction): Promise<DiscordMessageBody> {
      const request = await waitFor(`an edit for ${interaction.id}`, () => discord.requests.find(isEdit(interaction)));
      return request.body as DiscordMessageBody;
    },
    edits: (interaction: Interaction) => discord.requests.filter(isEdit(interaction)).map((request) => request.body as DiscordMessageBody),
    /**
     * How a click or a form submitted from a message redrew the message it sat on: the first response
     * itself when quick (UPDATE_MESSAGE), else the edit of `@original` after the deferral.
     */
    async redraw(interaction: Interaction): Promise<DiscordMessageBody> {
      const first = await waitFor(`the callback of ${interaction.id}`, () => discord.requests.find(isCallback(interaction)));
      const body = first.body as { type: number; data?: DiscordMessageBody };
      if (body.type === CALLBACK.updateMessage) return body.data ?? {};
      const edit = await waitFor(`an edit for ${interaction.id}`, () => discord.requests.find(isEdit(interaction)));
      return edit.body as DiscordMessageBody;
    },
    async followUp(interaction: Interaction): Promise<DiscordMessageBody> {
      const request = await waitFor(`a follow-up for ${interaction.id}`, () => discord.requests.find(isFollowUp(interaction)));
      return request.body as DiscordMessageBody;
    },
    /**
     * What a command showed its user: the first response itself when the bot answered within its
     * budget (CHANNEL_MESSAGE_WITH_SOURCE), else the edited deferral, or, when that only says the
     * answer went to the channel, the public follow-up. `private` is the ephemeral flag.
     */
    async commandReply(interaction: Interaction): Promise<DiscordMessageBody & { private: boolean }> {
      const first = await waitFor(`the callback of ${interaction.id}`, () => discord.requests.find(isCallback(interaction)));
      const body = first.body as { type: number; data?: DiscordMessageBody };
      if (body.type === CALLBACK.channelMessage) return { ...body.data, private: ((body.data?.flags ?? 0) & EPHEMERAL) !== 0 };
      const edit = await waitFor(`an edit for ${interaction.id}`, () => discord.requests.find(isEdit(interaction)));
      const edited = edit.body as DiscordMessageBody;
      if (edited.content !== 'Posted in the channel.') return { ...edited, private: true };
      const followUp = await waitFor(`a follow-up for ${interaction.id}`, () => discord.requests.find(isFollowUp(interaction)));
      const posted = followUp.body as DiscordMessageBody;
      return { ...posted, private: ((posted.flags ?? 0) & EPHEMERAL) !== 0 };
    },
    followUps: (interaction: Interaction) => discord.requests.filter(isFollowUp(interaction)).map((request) => request.body as DiscordMessageBody),
  };
}

/** Everything a user reads in a message: its content and its embeds' titles, texts, fields and footers. */
export function discordText(message: DiscordMessageBody): string {
  const parts = [message.content ?? ''];
  for (const embed of message.embeds ?? []) {
    parts.push(...[embed.title ?? '', embed.description ?? '', ...(embed.fields ?? []).flatMap((field) => [field.name, field.value])].map(asShown), embed.footer?.text ?? '');
  }
  return [asShown(parts[0]!), ...parts.slice(1)].filter(Boolean).join('\n');
}

/** Markdown text as the Discord client shows it: escapes dropped, `<url>` autolinks as the bare URL. */
function asShown(markdown: string): string {
  return markdown.replace(/<(https?:\/\/[^\s>]+)>/g, '$1').replace(/\\([^\sA-Za-z0-9])/g, '$1');
}

/** The custom ids of every button in a message. */
export function discordButtonIds(message: DiscordMessageBody): string[] {
  return (message.components ?? []).flatMap((row) => row.components.map((component) => component.custom_id ?? ''));
}
