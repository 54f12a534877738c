import type { webApi } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { EventIO } from '../chat/command.js';
import type { Reply } from '../chat/reply.js';
import { deliverReply } from '../chat/deliver-reply.js';
import type { WorkQueue } from '../chat/work-queue.js';
import { slackFilePort, type SlackMessage, type SlackFileTarget } from './slack-file-port.js';
import type { SlackSource } from './to-chat-event.js';
import { postToResponseUrl } from './post-to-response-url.js';
import { callSlack } from './slack-error.js';
import { asFormJson } from './form-json.js';

type WebClient = webApi.WebClient;

/** What the answering side of a listener needs: the response_url check and the work queue. */
export interface AnswerDeps {
  /** Whether a response_url from a payload is one of Slack's own; replies go nowhere else. */
  trustedResponseUrl(url: string): boolean;
  /** Runs the work after each ack; Slack's own API calls are made outside its slots. */
  queue: WorkQueue;
  /** Posts to response_urls; the global fetch when not given. */
  fetch?: typeof fetch;
}

/** A response_url message; `visibility: 'channel'` is the only way a reply becomes visible to all. */
export function responseMessage(answer: Reply, message: SlackMessage, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...message,
    response_type: answer.visibility === 'channel' ? 'in_channel' : 'ephemeral',
    ...extra,
  };
}

/**
 * A reply for everyone in `channel` shares its files there (in the thread of the clicked message, when
 * it sat in one); any other reply's go to the asker's direct messages.
 */
export function fileTarget(answer: Reply, channel: string, userId: string, threadTs?: string): SlackFileTarget {
  if (answer.visibility !== 'channel') return { kind: 'direct', user: userId };
  return { kind: 'channel', channel, ...(threadTs ? { threadTs } : {}) };
}

/**
 * How a click (or the form it opened) answers: `respond` through the response_url, `updateSource` by
 * editing the clicked message. Ephemeral messages can only be replaced through their response_url.
 * Every Slack call waits on the network, so it is made outside the event's work slot.
 *
 * A click's response_url edits only the clicked message (`replace_original`,
 * https://docs.slack.dev/interactivity/handling-user-interaction#message_responses); a new ephemeral
 * answer has no handle at all (`chat.update` refuses ephemeral messages). So a provisional answer
 * (late evidence follows) to a click on the asker's own ephemeral message takes that message's
 * place, and `editAnswer` replaces it again with the whole answer: one message in the end. On a
 * message others see, replacing it would show the answer to all of them: there `editAnswer` says
 * false and the whole answer follows as a new message.
 */
export function sourceIO(
  client: WebClient,
  source: SlackSource,
  userId: string,
  deps: AnswerDeps,
  log: Logger,
): EventIO {
  const { queue, trustedResponseUrl } = deps;
  const uploaded = new WeakSet<Reply>();
  // Whether the answers so far are one provisional answer put in the clicked message's place.
  let inPlace: 'no' | 'one' | 'spoilt' = 'no';
  const replaceable = (answer: Reply) => answer.provisional === true && source.ephemeral && answer.visibility !== 'channel' && inPlace === 'no';
  const respond = async (answer: Reply): Promise<void> => {
    const url = source.responseUrl;
    const target = fileTarget(answer, source.channel, userId, source.threadTs);
    if (url) {
      const replace = replaceable(answer);
      inPlace = replace ? 'one' : inPlace === 'one' ? 'spoilt' : inPlace;
      const port = slackFilePort(client, target, async (message) => {
        const body = responseMessage(answer, message, { replace_original: replace });
        await queue.outside(() => postToResponseUrl(url, body, trustedResponseUrl, deps.fetch), 'slack');
      }, queue);
      return deliverReply(answer, port, log, uploaded);
    }
    const port = slackFilePort(client, { kind: 'direct', user: userId }, async ({ text, blocks }) => {
      await queue.outside(() => callSlack('chat.postEphemeral', () => client.chat.postEphemeral({ channel: source.channel, user: userId, text, blocks: asFormJson(blocks) })), 'slack');
    }, queue);
    return deliverReply(answer, port, log, uploaded);
  };
  return {
    respond,
    async editAnswer(answer) {
      const url = source.responseUrl;
      if (!url || inPlace !== 'one') return false;
      const port = slackFilePort(client, { kind: 'direct', user: userId }, async (message) => {
        const body = responseMessage(answer, message, { replace_original: true });
        await queue.outside(() => postToResponseUrl(url, body, trustedResponseUrl, deps.fetch), 'slack');
      }, queue);
      await deliverReply(answer, port, log, uploaded);
      return true;
    },
    async updateSource(answer) {
      const ts = source.messageTs;
      if (!ts) return respond(answer);
      const url = source.responseUrl;
      if (source.ephemeral && url) {
        // This replaces the clicked message, where a provisional answer may sit: it is no longer there to edit.
        if (inPlace === 'one') inPlace = 'spoilt';
        const port = slackFilePort(client, { kind: 'direct', user: userId }, async (message) => {
          const body = { ...message, replace_original: true };
          await queue.outside(() => postToResponseUrl(url, body, trustedResponseUrl, deps.fetch), 'slack');
        }, queue);
        return deliverReply(answer, port, log, uploaded);
      }
      // The edited message is public: its files go into its thread.
      const target: SlackFileTarget = { kind: 'channel', channel: source.channel, threadTs: source.threadTs ?? ts };
      const port = slackFilePort(client, target, async ({ text, blocks }) => {
        await queue.outside(() => callSlack('chat.update', () => client.chat.update({ channel: source.channel, ts, text, blocks: asFormJson(blocks) })), 'slack');
      }, queue);
      return deliverReply(answer, port, log, uploaded);
    },
  };
}
