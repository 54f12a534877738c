import { InteractionType, type APIInteraction } from 'discord.js';
import type { Logger } from '../../logger.js';
import { encodeActionId } from '../chat/action-id.js';
import type { ActionEvent, ChatEvent } from '../chat/chat-event.js';
import type { Dispatcher, EventIO } from '../chat/command.js';
import type { FormStateStore } from '../chat/form-state-store.js';
import { noMetrics, secondsSince, type BotMetrics } from '../chat/metrics.js';
import { reply, type Reply } from '../chat/reply.js';
import type { WorkItem, WorkQueue } from '../chat/work-queue.js';
import { CORRECT_ACTION, CORRECTION_EXPIRED, createFormCorrections } from './form-corrections.js';
import type { InteractionCallbacks } from './interaction-callbacks.js';
import { ComponentResponder, createCommandReplyIO } from './interaction-io.js';
import { renderModal } from './render-reply.js';
import { toChatEvent } from './to-chat-event.js';

/**
 * Discord gives 3 s for the first response, and a modal must BE the first response. An action with a
 * form is therefore dispatched before anything is sent, so a refusal from its precheck can come first.
 * Prechecks are meant to be fast; if one is not done by this budget we defer (the click is saved) and,
 * should it then ask for the form, tell the user to click again: a modal can no longer be shown.
 */
export const FORM_PRECHECK_BUDGET_MS = 2200;

/**
 * How long a command, a click or a submitted form may take before it is deferred. Answering within it
 * costs one REST call (the response carries the reply, or the redrawn message) instead of a deferral
 * plus an edit, or plus two calls for a channel reply; the rest of Discord's 3 s covers the
 * deferral's own round trip.
 */
export const COMMAND_REPLY_BUDGET_MS = 2200;
const CLICK_AGAIN = 'Checking this took longer than Discord waits for a form to open. Click the button again.';

export interface InteractionHandlerOptions {
  dispatcher: Dispatcher;
  log: Logger;
  /** Where the work after each first response runs; the composition root shares one between adapters. */
  workQueue: WorkQueue;
  /** How long an action's precheck may run before the click is deferred; FORM_PRECHECK_BUDGET_MS by default. */
  formPrecheckBudgetMs?: number;
  /** How long a command, or a click without a form, may run before it is deferred; COMMAND_REPLY_BUDGET_MS by default. */
  commandReplyBudgetMs?: number;
  /** Hears how long each interaction waited for its first response. */
  metrics?: BotMetrics;
  /** Keeps what was typed in a form while a wrong field is corrected; without it, the user clicks again. */
  formStates?: FormStateStore;
}

/**
 * Answers one interaction payload through `callbacks`, which the gateway adapter builds from
 * discord.js's interaction and the HTTP endpoint from Discord's request. `arrived` is when it came
 * (`performance.now()`), for the acknowledgement metric. Resolves when its work is done; false when
 * the payload is nothing the bot handles (other bots, autocomplete, select menus, context menus).
 */
export type InteractionHandler = (raw: APIInteraction, callbacks: InteractionCallbacks, arrived: number) => Promise<boolean>;

/** The one path from a Discord interaction to the chat core, shared by the gateway and HTTP adapters. */
export function createInteractionHandler(options: InteractionHandlerOptions): InteractionHandler {
  const { dispatcher, log } = options;
  const queue = options.workQueue;
  const metrics = options.metrics ?? noMetrics;
  const replyBudgetMs = options.commandReplyBudgetMs ?? COMMAND_REPLY_BUDGET_MS;
  const precheckBudgetMs = options.formPrecheckBudgetMs ?? FORM_PRECHECK_BUDGET_MS;
  const corrections = options.formStates ? createFormCorrections(options.formStates) : null;
  const work = (event: ChatEvent, io: EventIO, run: () => Promise<void>, priority: WorkItem['priority'] = 'normal') =>
    queue.run({ eventId: event.id, priority, run, notify: (text) => io.respond(reply(text)) });

  async function onCommand(callbacks: InteractionCallbacks, event: ChatEvent, acked: () => void): Promise<void> {
    // A quick answer is the interaction's response itself; a slow one is deferred (see createCommandReplyIO).
    // The deferral timer runs from here, so time spent waiting for a work slot counts against it.
    const io = outsideSlots(
      createCommandReplyIO(callbacks, {
        deferAfterMs: replyBudgetMs,
        onDeferError: (error) => log.error({ err: error, eventId: event.id }, 'discord deferral failed'),
        onFirstResponse: acked,
        log: log.child({ eventId: event.id }),
      }),
    );
    await work(event, io, async () => {
      let target: ChatEvent | null = event;
      if (event.kind === 'action' && event.action === CORRECT_ACTION) {
        target = corrections ? await corrections.resume(event) : null;
        if (!target) await io.respond({ text: CORRECTION_EXPIRED, visibility: 'ephemeral' });
      }
      const outcome = target ? await dispatcher.handle(target, io) : ({ kind: 'done' } as const);
      if (outcome.kind === 'form' && outcome.keep && corrections) await io.respond(await corrections.offer(outcome));
      else if (outcome.kind === 'form') log.warn({ eventId: event.id, action: outcome.action }, 'a form was asked for where none can be shown');
      await io.finish();
    });
  }

  /** "Correct it" on the reply to a form with a wrong field: the modal of that field only. */
  async function onCorrect(callbacks: InteractionCallbacks, event: ActionEvent, acked: () => void): Promise<void> {
    const responder = componentResponder(callbacks, event, precheckBudgetMs, acked);
    const io = componentIO(responder);
    await work(
      event,
      io,
      async () => {
        const correction = corrections ? await corrections.open(event.value) : null;
        if (!correction) {
          await io.respond({ text: CORRECTION_EXPIRED, visibility: 'ephemeral' });
          return;
        }
        const shown = await queue.outside(() => responder.showModal(renderModal(correction.form, correction.customId)), 'discord');
        if (!shown) await io.respond({ text: CLICK_AGAIN, visibility: 'ephemeral' });
      },
      'deadline',
    );
  }

  /** Discord's REST calls wait on the network: the event gives its work slot up meanwhile. */
  function outsideSlots<T extends EventIO & { finish(): Promise<void>; editAnswer(reply: Reply): Promise<boolean> }>(io: T): T {
    return {
      ...io,
      respond: (answer) => queue.outside(() => io.respond(answer), 'discord'),
      editAnswer: (answer) => queue.outside(() => io.editAnswer(answer), 'discord'),
      finish: () => queue.outside(() => io.finish(), 'discord'),
    };
  }

  async function onButton(callbacks: InteractionCallbacks, event: ActionEvent, acked: () => void): Promise<void> {
    if (event.action === CORRECT_ACTION) return onCorrect(callbacks, event, acked);
    const mayAskForm = dispatcher.actions.find((action) => action.name === event.action)?.form !== undefined;
    // Nothing goes out yet: a quick redraw is the response itself (ComponentResponder), and a form
    // must be the response. The deferral timer runs from here, as for commands.
    const responder = componentResponder(callbacks, event, mayAskForm ? precheckBudgetMs : replyBudgetMs, acked);
    const io = componentIO(responder);
    // A click that may open a form must answer within Discord's 3 s: it goes ahead of list renders.
    await work(
      event,
      io,
      async () => {
        const outcome = await dispatcher.handle(event, io);
        if (outcome.kind === 'form') {
          const modal = renderModal(outcome.form, encodeActionId(outcome.action, outcome.value));
          const shown = await queue.outside(() => responder.showModal(modal), 'discord');
          if (!shown) await io.respond({ text: CLICK_AGAIN, visibility: 'ephemeral' });
          return;
        }
        // A handler that said nothing still owes the interaction its response.
        await queue.outside(() => responder.ack(), 'discord');
      },
      mayAskForm ? 'deadline' : 'normal',
    );
  }

  function componentResponder(callbacks: InteractionCallbacks, event: ChatEvent, deferAfterMs: number, acked: () => void): ComponentResponder {
    return new ComponentResponder(callbacks, {
      deferAfterMs,
      onFirstResponse: acked,
      onDeferError: (error) => log.error({ err: error, eventId: event.id }, 'discord deferral failed'),
      log: log.child({ eventId: event.id }),
    });
  }

  function componentIO(responder: ComponentResponder): EventIO {
    return {
      respond: (answer) => queue.outside(() => responder.io.respond(answer), 'discord'),
      editAnswer: (answer) => queue.outside(() => responder.io.editAnswer?.(answer) ?? Promise.resolve(false), 'discord'),
      updateSource: (answer) => queue.outside(() => responder.io.updateSource?.(answer) ?? responder.io.respond(answer), 'discord'),
    };
  }

  async function onModalSubmit(raw: APIInteraction, callbacks: InteractionCallbacks, event: ChatEvent, acked: () => void): Promise<void> {
    // A correction's modal sits on the bot's private reply, not on the request's message: it only answers.
    const correction = event.kind === 'action' && event.action === CORRECT_ACTION;
    if (!raw.message || correction) return onCommand(callbacks, event, acked);
    const responder = componentResponder(callbacks, event, replyBudgetMs, acked);
    const io = componentIO(responder);
    await work(event, io, async () => {
      const outcome = await dispatcher.handle(event, io);
      if (outcome.kind === 'form' && outcome.keep && corrections) await io.respond(await corrections.offer(outcome));
      else if (outcome.kind === 'form') log.warn({ eventId: event.id, action: outcome.action }, 'a submitted form asked for a form again');
      await queue.outside(() => responder.ack(), 'discord');
    });
  }

  return async (raw, callbacks, arrived) => {
    // toChatEvent keeps chat-input commands, buttons and modal submissions only.
    const event = toChatEvent(raw, new Date());
    if (!event) return false;
    const acked = () => metrics.acknowledged('discord', event.kind, secondsSince(arrived));
    if (raw.type === InteractionType.ApplicationCommand) await onCommand(callbacks, event, acked);
    else if (raw.type === InteractionType.MessageComponent && event.kind === 'action') await onButton(callbacks, event, acked);
    else if (raw.type === InteractionType.ModalSubmit) await onModalSubmit(raw, callbacks, event, acked);
    else return false;
    return true;
  };
}
