/**
 * Where things live in chat, as plain data: the platforms, a posted message, a channel. A leaf that
 * configuration, the database mapping and the chat core all read, so none of them imports another for it.
 */

export const PLATFORMS = ['slack', 'discord', 'console'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** A message the bot posted or a button sat on. `id` is the Slack `ts` or the Discord message id. */
export interface MessageRef {
  platform: Platform;
  channel: string;
  id: string;
  /** Set when the message lives inside a thread: the thread's parent (Slack) or the thread channel (Discord). */
  threadId?: string;
}

/** Where to post: `slack:C123`, `discord:456`, `console:main`. */
export interface ChannelRef {
  platform: Platform;
  channel: string;
  /**
   * `channel` is a user id, and the message goes to the bot's direct messages with that user (Slack
   * `conversations.open`, Discord "Create DM"), as reminders to the owner of a runbook step do.
   */
  direct?: boolean;
}

/** Parses `slack:C123` style channel references used in configuration. */
export function parseChannelRef(text: string): ChannelRef | null {
  const match = /^(slack|discord|console):(.+)$/.exec(text.trim());
  if (!match) return null;
  return { platform: match[1] as Platform, channel: match[2]! };
}

export function formatChannelRef(ref: ChannelRef): string {
  return `${ref.platform}:${ref.channel}`;
}
