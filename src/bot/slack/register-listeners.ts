import type { App, webApi } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { Dispatcher, DispatchOutcome, EventIO } from '../chat/command.js';
import { reply, type Reply } from '../chat/reply.js';
import { FORM_CALLBACK_ID, renderFormView, renderReplyBlocks } from './render-reply.js';
import {
  blockActionToEvent,
  encodeFormMetadata,
  slashCommandToEvent,
  viewSubmissionToEvent,
  type Arrival,
  type SlackSource,
} from './to-chat-event.js';
import { postToResponseUrl } from './post-to-response-url.js';
import { callSlack } from './slack-error.js';
import type { WorkQueue } from '../chat/work-queue.js';

type WebClient = webApi.WebClient;

export const SLASH_COMMAND = '/atmo';

export interface ListenerDeps {
  dispatcher: Dispatcher;
  log: Logger;
  now(): Date;
  newId(): string;
  /** Runs the work after each ack; Slack's own API calls are made outside its slots. */
  queue: WorkQueue;
}

/** A response_url message; `visibility: 'channel'` is the only way a reply becomes visible to all. */
function responseMessage(answer: Reply, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...renderReplyBlocks(answer),
    response_type: answer.visibility === 'channel' ? 'in_channel' : 'ephemeral',
    ...extra,
  };
}

/**
 * How a click (or the form it opened) answers: `respond` through the response_url, `updateSource` by
 * editing the clicked message. Ephemeral messages can only be replaced through their response_url.
 */
function sourceIO(client: WebClient, source: SlackSource, userId: string, queue: WorkQueue): EventIO {
  const respond = async (answer: Reply): Promise<void> => {
    const url = source.responseUrl;
    if (url) {
      const message = responseMessage(answer, { replace_original: false });
      await queue.outside(() => postToResponseUrl(url, message));
      return;
    }
    const { text, blocks } = renderReplyBlocks(answer);
    await queue.outside(() => callSlack('chat.postEphemeral', () => client.chat.postEphemeral({ channel: source.channel, user: userId, text, blocks })));
  };
  return {
    respond,
    async updateSource(answer) {
      const ts = source.messageTs;
      if (!ts) return respond(answer);
      const url = source.responseUrl;
      if (source.ephemeral && url) {
        const message = { ...renderReplyBlocks(answer), replace_original: true };
        await queue.outside(() => postToResponseUrl(url, message));
        return;
      }
      const { text, blocks } = renderReplyBlocks(answer);
      await queue.outside(() => callSlack('chat.update', () => client.chat.update({ channel: source.channel, ts, text, blocks })));
    },
  };
}

/** Says something to the user of an event outside the dispatcher: a shutdown's notice. */
const notice = (io: EventIO) => (text: string) => io.respond(reply(text));

/** Listeners must never throw: Bolt would log a stack and, over HTTP, the user would see nothing useful. */
async function guard(log: Logger, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    log.error({ err: error }, 'Slack listener failed');
  }
}

async function openForm(
  client: WebClient,
  triggerId: string,
  outcome: Extract<DispatchOutcome, { kind: 'form' }>,
  source: SlackSource,
  io: EventIO,
  log: Logger,
  queue: WorkQueue,
): Promise<void> {
  try {
    const view = renderFormView(outcome.form, encodeFormMetadata({ action: outcome.action, value: outcome.value, ...source }));
    await queue.outside(() => callSlack('views.open', () => client.views.open({ trigger_id: triggerId, view })));
  } catch (error) {
    // A trigger_id lives 3 s (https://docs.slack.dev/interactivity/handling-user-interaction#modal_responses);
    // a slow precheck lets it expire, and clicking again is the cure.
    log.warn({ err: error }, 'could not open the form');
    await io.respond(reply('The form could not be opened. Please click the button again.'));
  }
}

/**
 * The `/atmo` command, our buttons and our form submissions. Each acks first (Slack allows 3 s),
 * translates the payload, and leaves every decision to the dispatcher.
 */
export function registerListeners(app: App, deps: ListenerDeps): void {
  const { dispatcher, queue } = deps;
  // A click that may open a form must do so within its trigger_id's 3 s: it goes ahead of list renders.
  const mayOpenForm = (action: string) => dispatcher.actions.some((definition) => definition.name === action && definition.form !== undefined);
  const arrival = (): Arrival => ({ receivedAt: deps.now(), fallbackId: deps.newId() });

  app.command(SLASH_COMMAND, async ({ command, ack, context }) => {
    await guard(deps.log, async () => {
      await ack();
      if (command.user_id === context.botUserId) return;
      const event = slashCommandToEvent(command, arrival());
      const log = deps.log.child({ eventId: event.id, user: event.user.id });
      const io: EventIO = {
        respond: (answer) => {
          const message = responseMessage(answer);
          return queue.outside(() => postToResponseUrl(command.response_url, message));
        },
      };
      await queue.run({
        eventId: event.id,
        run: () =>
          guard(log, async () => {
            await dispatcher.handle(event, io);
          }),
        notify: notice(io),
      });
    });
  });

  app.action({ type: 'block_actions', action_id: /.+/ }, async ({ ack, body, client, context }) => {
    await guard(deps.log, async () => {
      await ack();
      if (body.user.id === context.botUserId) return;
      const converted = blockActionToEvent(body, arrival());
      if (!converted) {
        deps.log.debug({ actionId: body.actions[0]?.action_id }, 'ignoring a click that is not one of our buttons');
        return;
      }
      const { event, source } = converted;
      const log = deps.log.child({ eventId: event.id, user: event.user.id, action: event.action });
      const io = sourceIO(client, source, event.user.id, queue);
      await queue.run({
        eventId: event.id,
        priority: mayOpenForm(event.action) ? 'deadline' : 'normal',
        run: () =>
          guard(log, async () => {
            const outcome = await dispatcher.handle(event, io);
            if (outcome.kind === 'form') await openForm(client, body.trigger_id, outcome, source, io, log, queue);
          }),
        notify: notice(io),
      });
    });
  });

  app.view(FORM_CALLBACK_ID, async ({ ack, body, client }) => {
    await guard(deps.log, async () => {
      // An empty ack closes the modal; the outcome arrives as an edit or an ephemeral reply.
      await ack();
      if (body.type !== 'view_submission') return;
      const converted = viewSubmissionToEvent(body, arrival());
      if (!converted) {
        deps.log.warn({ userId: body.user.id }, 'ignoring a form submission whose metadata is not ours');
        return;
      }
      const { event, source } = converted;
      const log = deps.log.child({ eventId: event.id, user: event.user.id, action: event.action });
      const io = sourceIO(client, source, event.user.id, queue);
      await queue.run({
        eventId: event.id,
        run: () =>
          guard(log, async () => {
            const outcome = await dispatcher.handle(event, io);
            if (outcome.kind === 'form') log.warn('the dispatcher asked for a form again after a submission');
          }),
        notify: notice(io),
      });
    });
  });
}
