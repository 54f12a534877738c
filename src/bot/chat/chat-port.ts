import type { ChannelRef, MessageRef } from './chat-event.js';
import type { Reply } from './reply.js';

/**
 * Outbound messages that are not answers to an event: announcements, alert threads and their updates.
 * Each adapter implements one; `createChatRouter` picks the adapter by the channel's platform.
 */
export interface ChatPort {
  /** Posts a message; with `thread` it is a reply in that message's thread (Discord: a thread on it). */
  post(channel: ChannelRef, reply: Reply, options?: { thread?: MessageRef }): Promise<MessageRef>;
  /** Replaces a message the bot posted earlier. */
  update(message: MessageRef, reply: Reply): Promise<void>;
}

/** Looks up what an adapter knows of a user; Slack gives the verified e-mail, Discord gives none. */
export interface ChatDirectory {
  emailOf(userId: string): Promise<string | null>;
}
