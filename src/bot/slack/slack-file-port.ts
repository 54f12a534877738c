import type { types, webApi } from '@slack/bolt';
import type { FileUploadPort } from '../chat/deliver-reply.js';
import type { WorkQueue } from '../chat/work-queue.js';
import { renderReplyBlocksWithCuts } from './render-reply.js';
import { directMessageChannel, uploadSlackFiles, type SlackFileDestination } from './upload-files.js';

type WebClient = webApi.WebClient;

export interface SlackMessage {
  text: string;
  blocks: types.KnownBlock[];
}

/**
 * Where a reply's files are shared. A file cannot be ephemeral in Slack: shared in the channel, every
 * member would see what only the asker was meant to, so a private reply's files go to the asker's
 * direct-message channel with the bot instead.
 */
export type SlackFileTarget = { kind: 'channel'; channel: string; threadTs?: string } | { kind: 'direct'; user: string };

const DIRECT_MESSAGES = 'sent to your direct messages with the bot';

/** Only network calls leave the event's work slot; with no queue (outbound posts) they run inline. */
type Outside = Pick<WorkQueue, 'outside'> | undefined;

function outside<T>(queue: Outside, call: () => Promise<T>): Promise<T> {
  return queue ? queue.outside(call, 'slack') : call();
}

async function destinationOf(client: WebClient, target: SlackFileTarget, queue: Outside): Promise<SlackFileDestination> {
  if (target.kind === 'channel') return { channel: target.channel, ...(target.threadTs ? { threadTs: target.threadTs } : {}) };
  return { channel: await outside(queue, () => directMessageChannel(client, target.user)) };
}

/** A reply's way out on Slack: Block Kit for the message, the external upload flow for its files. */
export function slackFilePort<T>(
  client: WebClient,
  target: SlackFileTarget,
  send: (message: SlackMessage) => Promise<T>,
  queue?: Pick<WorkQueue, 'outside'>,
): FileUploadPort<SlackMessage, T> {
  return {
    render(reply, file) {
      const placed = target.kind === 'direct' ? { ...file, where: DIRECT_MESSAGES } : file;
      const { text, blocks, cut } = renderReplyBlocksWithCuts(reply, placed);
      return { message: { text, blocks }, cut };
    },
    async upload(files) {
      const destination = await destinationOf(client, target, queue);
      await outside(queue, () => uploadSlackFiles(client, files, destination));
    },
    send: (message) => send(message),
  };
}
