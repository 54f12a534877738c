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
import { createWorkQueue } from '../chat/work-queue.js';

/**
 * How many events' follow-up work (dispatch, database, Slack calls) runs at once. Two keep the database
 * busy while answers come back; at 50 requests in flight, 3 or 4 already put the acknowledgement p99 of
 * `/atmo requests` at about twice a bare Bolt app's, 2 keeps it within 1.5x (bench/ack-latency.ts).
 * Total throughput is bound by CPU either way; only the order changes.
 */
const FOLLOW_UP_CONCURRENCY = 2;

type WebClient = webApi.WebClient;

export const SLASH_COMMAND = '/atmo';

export interface ListenerDeps {
  dispatcher: Dispatcher;
  log: Logger;
  now(): Date;
  newId(): string;
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
function sourceIO(client: WebClient, source: SlackSource, userId: string): EventIO {
  const respond = async (answer: Reply): Promise<void> => {
    if (source.responseUrl) {
      await postToResponseUrl(source.responseUrl, responseMessage(answer, { replace_original: false }));
      return;
    }
    const { text, blocks } = renderReplyBlocks(answer);
    await callSlack('chat.postEphemeral', () => client.chat.postEphemeral({ channel: source.channel, user: userId, text, blocks }));
  };
  return {
    respond,
    async updateSource(answer) {
      const ts = source.messageTs;
      if (!ts) return respond(answer);
      if (source.ephemeral && source.responseUrl) {
        await postToResponseUrl(source.responseUrl, { ...renderReplyBlocks(answer), replace_original: true });
        return;
      }
      const { text, blocks } = renderReplyBlocks(answer);
      await callSlack('chat.update', () => client.chat.update({ channel: source.channel, ts, text, blocks }));
    },
  };
}

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
): Promise<void> {
  try {
    const view = renderFormView(outcome.form, encodeFormMetadata({ action: outcome.action, value: outcome.value, ...source }));
    await callSlack('views.open', () => client.views.open({ trigger_id: triggerId, view }));
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
  const { dispatcher } = deps;
  const followUps = createWorkQueue(FOLLOW_UP_CONCURRENCY);
  const arrival = (): Arrival => ({ receivedAt: deps.now(), fallbackId: deps.newId() });

  app.command(SLASH_COMMAND, async ({ command, ack, context }) => {
    await guard(deps.log, async () => {
      await ack();
      if (command.user_id === context.botUserId) return;
      const event = slashCommandToEvent(command, arrival());
      const log = deps.log.child({ eventId: event.id, user: event.user.id });
      await followUps.run(() =>
        guard(log, async () => {
          await dispatcher.handle(event, {
            respond: (answer) => postToResponseUrl(command.response_url, responseMessage(answer)),
          });
        }),
      );
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
      await followUps.run(() =>
        guard(log, async () => {
          const io = sourceIO(client, source, event.user.id);
          const outcome = await dispatcher.handle(event, io);
          if (outcome.kind === 'form') await openForm(client, body.trigger_id, outcome, source, io, log);
        }),
      );
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
      await followUps.run(() =>
        guard(log, async () => {
          const outcome = await dispatcher.handle(event, sourceIO(client, source, event.user.id));
          if (outcome.kind === 'form') log.warn('the dispatcher asked for a form again after a submission');
        }),
      );
    });
  });
}
