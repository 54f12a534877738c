import type { Logger } from '../../logger.js';
import type { Reply } from '../../bot/chat/reply.js';
import type { ChatPort } from '../../bot/chat/chat-port.js';
import type { ChannelRef, MessageRef } from '../../bot/chat/chat-event.js';

/** A message edited step by step while a release runs. */
export interface ProgressBoard {
  show(reply: Reply): Promise<void>;
  /** False when the message could not be shown, so the final answer has to carry everything. */
  readonly visible: boolean;
}

/**
 * Posts the progress to the channel the command came from, then edits that message. Progress is a
 * courtesy: a post or edit that fails (the bot is not in the channel) is logged and the release goes
 * on, because stopping halfway would leave the repositories in a worse state than a stale message.
 */
export function createChannelBoard(chat: ChatPort, channel: ChannelRef, log: Logger): ProgressBoard {
  let ref: MessageRef | null = null;
  let failed = false;
  return {
    get visible() {
      return ref !== null;
    },
    async show(reply) {
      if (failed) return;
      try {
        if (ref === null) ref = await chat.post(channel, reply);
        else await chat.update(ref, reply);
      } catch (error) {
        failed = ref === null;
        log.warn({ err: error }, 'could not show release progress in the channel');
      }
    },
  };
}

/** Edits the message whose button was clicked (the confirmation), with the same tolerance. */
export function createSourceBoard(update: (reply: Reply) => Promise<void>, log: Logger): ProgressBoard {
  let ok = true;
  return {
    get visible() {
      return ok;
    },
    async show(reply) {
      try {
        await update(reply);
      } catch (error) {
        ok = false;
        log.warn({ err: error }, 'could not edit the confirmation message');
      }
    },
  };
}
