import type { webApi } from '@slack/bolt';
import type { ChatDirectory, ChatPort } from '../chat/chat-port.js';
import { IntegrationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { deliverReply } from '../chat/deliver-reply.js';
import { slackFilePort } from './slack-file-port.js';
import { directMessageChannel } from './upload-files.js';
import { callSlack, slackError, slackErrorCode } from './slack-error.js';
import { asFormJson } from './form-json.js';

type WebClient = webApi.WebClient;

/**
 * Posts and edits messages outside of any event (announcements, alert threads) with the bot token. A
 * reply's files are shared in the same channel or thread; on an edit, in the edited message's thread.
 */
export function createSlackChatPort(client: WebClient, log: Logger): ChatPort {
  return {
    async post(channel, reply, options) {
      if (channel.platform !== 'slack') throw new Error(`the Slack adapter cannot post to ${channel.platform}:${channel.channel}`);
      // A direct message goes to the bot's conversation with that user (scope im:write).
      const channelId = channel.direct ? await directMessageChannel(client, channel.channel) : channel.channel;
      // A reply inside a thread names the thread's parent, whichever message of the thread we were given.
      const threadTs = options?.thread ? (options.thread.threadId ?? options.thread.id) : undefined;
      const target = { kind: 'channel' as const, channel: channelId, ...(threadTs ? { threadTs } : {}) };
      const port = slackFilePort(client, target, ({ text, blocks }) =>
        callSlack('chat.postMessage', () => client.chat.postMessage({ channel: channelId, text, blocks: asFormJson(blocks), ...(threadTs ? { thread_ts: threadTs } : {}) })),
      );
      const result = await deliverReply(reply, port, log);
      if (!result.ts) throw new IntegrationError('slack', 'Slack accepted chat.postMessage but returned no message ts');
      return {
        platform: 'slack',
        channel: result.channel ?? channelId,
        id: result.ts,
        ...(threadTs ? { threadId: threadTs } : {}),
      };
    },
    async update(message, reply) {
      if (message.platform !== 'slack') throw new Error(`the Slack adapter cannot edit a ${message.platform} message`);
      const target = { kind: 'channel' as const, channel: message.channel, threadTs: message.threadId ?? message.id };
      const port = slackFilePort(client, target, async ({ text, blocks }) => {
        await callSlack('chat.update', () => client.chat.update({ channel: message.channel, ts: message.id, text, blocks: asFormJson(blocks) }));
      });
      await deliverReply(reply, port, log);
    },
  };
}

/**
 * Reads a user's e-mail with `users.info` (needs the `users:read.email` scope). Deleted users, bots and
 * profiles without an e-mail give null: none of them may act as an Atmosphere account.
 */
export function createSlackDirectory(client: WebClient): ChatDirectory {
  return {
    async emailOf(userId) {
      let result: webApi.UsersInfoResponse;
      try {
        result = await client.users.info({ user: userId });
      } catch (error) {
        if (slackErrorCode(error) === 'user_not_found') return null;
        throw slackError('users.info', error);
      }
      const user = result.user;
      if (!user || user.deleted || user.is_bot) return null;
      const email = user.profile?.email?.trim();
      return email ? email : null;
    },
  };
}
