import type { APIModalInteractionResponseCallbackData } from 'discord.js';
import type { Logger } from '../../logger.js';
import type { EventIO } from '../chat/command.js';
import { deliverReply } from '../chat/deliver-reply.js';
import type { Reply, ReplyFile } from '../chat/reply.js';
import { discordFilePort } from './discord-files.js';
import type { InteractionCallbacks } from './interaction-callbacks.js';
import type { DiscordMessage } from './render-reply.js';

const POSTED_IN_CHANNEL = 'Posted in the channel.';
const NO_FILES: readonly ReplyFile[] = [];

/** Renders `reply` and hands it to `send` with its files, attaching the full text when a limit cut it. */
function deliver(reply: Reply, log: Logger, send: (message: DiscordMessage, files: readonly ReplyFile[]) => Promise<void>): Promise<void> {
  return deliverReply(reply, discordFilePort(send), log);
}

/**
 * Answers a click (or a form submitted from a message). Nothing is sent on arrival: a handler that
 * redraws the message within `deferAfterMs` has the redraw sent as the interaction's response
 * (UPDATE_MESSAGE), one REST call where a deferral and an edit of `@original` take two; only a slower
 * one is deferred (DEFERRED_UPDATE_MESSAGE) when the budget runs out, before Discord's 3 s. A reply
 * that comes first still defers, then follows up: had the reply been the response, `@original` would
 * be that reply and the message the button sat on could no longer be edited. Steps run one at a time
 * because the deferral may fire while the handler is replying; other replies are follow-ups, private
 * unless the reply is for the channel.
 * https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-interaction-callback-type
 */
export class ComponentResponder {
  private acked = false;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  readonly io: EventIO;

  private readonly onFirstResponse: () => void;

  /**
   * `onFirstResponse` hears the moment the interaction got its first response, whichever it was;
   * `log` hears files that could not be attached.
   */
  constructor(
    private readonly interaction: InteractionCallbacks,
    options: { deferAfterMs: number; onDeferError(error: unknown): void; onFirstResponse?(): void; log: Logger },
  ) {
    this.onFirstResponse = options.onFirstResponse ?? (() => {});
    this.timer = setTimeout(() => void this.ack().catch(options.onDeferError), options.deferAfterMs);
    const { log } = options;
    /** The first reply's follow-up, which a late answer edits; undefined until one is sent. */
    let first: string | null | undefined;
    this.io = {
      respond: (reply) =>
        this.queue(async () => {
          await this.ackNow();
          await deliver(reply, log, async (message, files) => {
            const id = await this.interaction.followUp(message, files, reply.visibility !== 'channel');
            if (first === undefined) first = id;
          });
        }),
      editAnswer: async (reply) => {
        let edited = false;
        await this.queue(async () => {
          const id = first;
          if (!id) return;
          await deliver(reply, log, (message, files) => this.interaction.editFollowUp(id, message, files));
          edited = true;
        });
        return edited;
      },
      updateSource: (reply) =>
        this.queue(() =>
          deliver(reply, log, async (message, files) => {
            if (this.acked) {
              await this.interaction.editOriginal(message, files);
            } else {
              clearTimeout(this.timer);
              await this.interaction.update(message, files);
              this.markAcked();
            }
          }),
        ),
    };
  }

  /** Acknowledges without changing the message (DEFERRED_UPDATE_MESSAGE), unless already done. */
  ack(): Promise<void> {
    return this.queue(() => this.ackNow());
  }

  /** Shows the modal when nothing has been sent yet; false when it is too late for one. */
  showModal(modal: APIModalInteractionResponseCallbackData): Promise<boolean> {
    return this.queue(async () => {
      if (this.acked || !this.interaction.showModal) return false;
      clearTimeout(this.timer);
      await this.interaction.showModal(modal);
      this.markAcked();
      return true;
    });
  }

  private markAcked(): void {
    if (!this.acked) this.onFirstResponse();
    this.acked = true;
  }

  private async ackNow(): Promise<void> {
    if (this.acked) return;
    clearTimeout(this.timer);
    await this.interaction.deferUpdate();
    this.markAcked();
  }

  private queue<T>(step: () => Promise<T>): Promise<T> {
    const next = this.chain.then(step);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/**
 * Replies to a command. A handler that answers within `deferAfterMs` gets its first reply sent as the
 * interaction's response (CHANNEL_MESSAGE_WITH_SOURCE, private or public as the reply asks): one REST
 * call. Only a slower handler has the command deferred (privately, since whether it will answer the
 * channel is not known yet), and then Discord cannot turn that ephemeral reply public, while a first
 * follow-up would take over the deferred message: so a channel reply first settles the private one
 * with a short note and then posts publicly. A command that said nothing has its "thinking…" deleted.
 * https://discord.com/developers/docs/interactions/receiving-and-responding (3 s for the first response)
 */
export function createCommandReplyIO(
  interaction: InteractionCallbacks,
  options: { deferAfterMs: number; onDeferError(error: unknown): void; onFirstResponse?(): void; log: Logger },
): EventIO & { finish(): Promise<void>; editAnswer(reply: Reply): Promise<boolean> } {
  let state: 'fresh' | 'deferred' | 'answered' = 'fresh';
  /** The first answer: the interaction's original response (`@original`), or a follow-up by its id (null: Discord gave none). */
  let first: { original: true } | { followUp: string | null } | null = null;
  const moveTo = (next: 'deferred' | 'answered') => {
    if (state === 'fresh') options.onFirstResponse?.();
    state = next;
  };
  let originalUsed = false;
  let chain: Promise<unknown> = Promise.resolve();
  const queue = (step: () => Promise<void>): Promise<void> => {
    const next = chain.then(step);
    chain = next.catch(() => undefined);
    return next;
  };
  const defer = async () => {
    if (state !== 'fresh') return;
    await interaction.deferReply(true);
    moveTo('deferred');
  };
  const timer = setTimeout(() => void queue(defer).catch(options.onDeferError), options.deferAfterMs);
  return {
    respond: (reply) =>
      queue(() => deliver(reply, options.log, async (message, files) => {
        const ephemeral = reply.visibility !== 'channel';
        if (state === 'fresh') {
          clearTimeout(timer);
          await interaction.reply(message, files, ephemeral);
          moveTo('answered');
          first ??= { original: true };
        } else if (state === 'answered') {
          await interaction.followUp(message, files, ephemeral);
        } else if (reply.visibility === 'channel') {
          if (!originalUsed) await interaction.editOriginal({ content: POSTED_IN_CHANNEL, embeds: [], components: [] }, NO_FILES);
          originalUsed = true;
          const id = await interaction.followUp(message, files, false);
          first ??= { followUp: id };
        } else if (!originalUsed) {
          await interaction.editOriginal(message, files);
          originalUsed = true;
          first ??= { original: true };
        } else {
          await interaction.followUp(message, files, true);
        }
      })),
    // PATCH /webhooks/{app}/{token}/messages/@original (or /{id} for a channel answer after a private
    // deferral, which is a follow-up), within the token's 15 minutes.
    editAnswer: async (reply) => {
      let edited = false;
      await queue(async () => {
        const answer = first;
        if (!answer) return;
        if ('original' in answer) {
          await deliver(reply, options.log, (message, files) => interaction.editOriginal(message, files));
        } else {
          const id = answer.followUp;
          if (!id) return;
          await deliver(reply, options.log, (message, files) => interaction.editFollowUp(id, message, files));
        }
        edited = true;
      });
      return edited;
    },
    finish: () =>
      queue(async () => {
        clearTimeout(timer);
        // Nothing was said: the interaction still needs its response, or Discord reports a failure.
        if (state === 'fresh') await defer();
        if (state === 'deferred' && !originalUsed) await interaction.deleteOriginal();
      }),
  };
}
