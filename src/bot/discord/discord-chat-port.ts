import { DiscordAPIError, Routes, type REST } from 'discord.js';
import { IntegrationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { ChannelRef, MessageRef } from '../chat/chat-event.js';
import type { ChatPort } from '../chat/chat-port.js';
import { deliverReply } from '../chat/deliver-reply.js';
import type { Reply, ReplyFile } from '../chat/reply.js';
import { discordFilePort, restFiles } from './discord-files.js';
import { restBody } from './message-options.js';
import { discordError } from './register-commands.js';
import type { DiscordMessage } from './render-reply.js';

const THREAD_NAME_LENGTH = 100;

/**
 * Posts and edits messages outside any interaction (alerts, job reports) through Discord's REST API
 * with the bot token (`rest`), gateway or not. A post into a thread of a message starts that thread
 * the first time it is needed.
 */
export function createDiscordChatPort(rest: REST, log: Logger): ChatPort {
  const threads = new Map<string, string>();

  /** The thread started from `parent`, created the first time it is needed. */
  async function threadFor(parent: MessageRef, reply: Reply): Promise<string> {
    if (parent.threadId) return parent.threadId;
    const known = threads.get(parent.id);
    if (known) return known;
    const name = cutName(reply.title ?? reply.text.split('\n')[0] ?? 'alert');
    let threadId: string;
    try {
      threadId = idOf(await rest.post(Routes.threads(parent.channel, parent.id), { body: { name } }));
    } catch (error) {
      // Another replica (or a restart) already started it; a thread started from a message shares its id.
      if (!(error instanceof DiscordAPIError && error.code === 160004)) throw discordError(`starting a thread on message ${parent.id}`, error);
      threadId = parent.id;
    }
    threads.set(parent.id, threadId);
    return threadId;
  }

  return {
    async post(channel: ChannelRef, reply: Reply, postOptions?: { thread?: MessageRef }): Promise<MessageRef> {
      assertDiscord(channel.platform);
      const threadId = postOptions?.thread ? await threadFor(postOptions.thread, reply) : undefined;
      // A direct message goes to the DM channel with that user ("Create DM", POST /users/@me/channels).
      const dm = channel.direct
        ? idOf(await call(`opening a direct message with Discord user ${channel.channel}`, () => rest.post(Routes.userChannels(), { body: { recipient_id: channel.channel } })))
        : undefined;
      const target = threadId ?? dm ?? channel.channel;
      const port = discordFilePort((message, files) =>
        call(`posting to Discord channel ${target}`, () => rest.post(Routes.channelMessages(target), withFiles(message, files))),
      );
      const created = await deliverReply(reply, port, log);
      return { platform: 'discord', channel: dm ?? channel.channel, id: idOf(created), ...(threadId ? { threadId } : {}) };
    },
    async update(message: MessageRef, reply: Reply): Promise<void> {
      assertDiscord(message.platform);
      const channelId = message.threadId ?? message.channel;
      const port = discordFilePort((rendered, files) =>
        call(`editing Discord message ${message.id}`, () => rest.patch(Routes.channelMessage(channelId, message.id), withFiles(rendered, files))),
      );
      await deliverReply(reply, port, log);
    },
  };
}

/** The REST request: JSON alone, or multipart with the files when there are any. */
function withFiles(message: DiscordMessage, files: readonly ReplyFile[]) {
  if (files.length === 0) return { body: restBody(message) };
  const parts = restFiles(files);
  return { body: { ...restBody(message), attachments: parts.attachments }, files: parts.files };
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
