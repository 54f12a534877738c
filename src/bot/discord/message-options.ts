import type { DiscordMessage } from './render-reply.js';

// Replies quote user input (reasons, titles); never let that ping @everyone or roles.
const NO_MENTIONS = { parse: [] };

/** discord.js message options; the ephemeral flag is added per call because edits must not carry it. */
export function messageOptions(message: DiscordMessage) {
  return { content: message.content, embeds: message.embeds, components: message.components, allowedMentions: NO_MENTIONS };
}

/** The same message as a raw REST body, for posts and edits outside an interaction. */
export function restBody(message: DiscordMessage) {
  return { content: message.content, embeds: message.embeds, components: message.components, allowed_mentions: NO_MENTIONS };
}
