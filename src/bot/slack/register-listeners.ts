import type { App, webApi } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { Dispatcher, DispatchOutcome, EventIO } from '../chat/command.js';
import { reply, type Reply } from '../chat/reply.js';
import { FORM_CALLBACK_ID, renderFormView, renderReplyBlocks } from './render-reply.js';
import type { FormStateStore } from '../chat/form-state-store.js';
import {
  blockActionToEvent,
  encodeFormMetadata,
  parseFormMetadata,
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
  /** Keeps each open form's action, record and answer route; the modal carries only the id. */
  formStates: FormStateStore;
  /** Whether a response_url from a payload is one of Slack's own; replies go nowhere else. */
  trustedResponseUrl(url: string): boolean;
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
function sourceIO(client: WebClient, source: SlackSource, userId: string, trusted: ListenerDeps['trustedResponseUrl']): EventIO {
  const respond = async (answer: Reply): Promise<void> => {
    if (source.responseUrl) {
      await postToResponseUrl(source.responseUrl, responseMessage(answer, { replace_original: false }), trusted);
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
        await postToResponseUrl(source.responseUrl, { ...renderReplyBlocks(answer), replace_original: true }, trusted);
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
  opened: { source: SlackSource; user: string; formStates: FormStateStore },
  io: EventIO,
  log: Logger,
): Promise<void> {
  try {
    const state = encodeFormMetadata({ action: outcome.action, value: outcome.value, user: opened.user, ...opened.source });
    const view = renderFormView(outcome.form, await opened.formStates.save(state));
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

  app.command(SLASH_COMMAND, async ({ command, ack, context, client }) => {
    await guard(deps.log, async () => {
      await ack();
      if (command.user_id === context.botUserId) return;
      const event = slashCommandToEvent(command, arrival());
      const log = deps.log.child({ eventId: event.id, user: event.user.id });
      await followUps.run(() =>
        guard(log, async () => {
          const respond = deps.trustedResponseUrl(command.response_url)
            ? (answer: Reply) => postToResponseUrl(command.response_url, responseMessage(answer), deps.trustedResponseUrl)
            : async (answer: Reply) => {
                log.warn('the slash command\'s response_url is not one of Slack\'s hosts; answering with chat.postEphemeral');
                const { text, blocks } = renderReplyBlocks(answer);
                await callSlack('chat.postEphemeral', () => client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, text, blocks }));
              };
          await dispatcher.handle(event, { respond });
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
      const { event } = converted;
      const log = deps.log.child({ eventId: event.id, user: event.user.id, action: event.action });
      const { responseUrl, ...rest } = converted.source;
      if (responseUrl && !deps.trustedResponseUrl(responseUrl)) log.warn('ignoring a response_url that is not one of Slack\'s hosts');
      const source: SlackSource = responseUrl && deps.trustedResponseUrl(responseUrl) ? { ...rest, responseUrl } : rest;
      await followUps.run(() =>
        guard(log, async () => {
          const io = sourceIO(client, source, event.user.id, deps.trustedResponseUrl);
          const outcome = await dispatcher.handle(event, io);
          if (outcome.kind === 'form') {
            await openForm(client, body.trigger_id, outcome, { source, user: event.user.id, formStates: deps.formStates }, io, log);
          }
        }),
      );
    });
  });

  app.view(FORM_CALLBACK_ID, async ({ ack, body, client }) => {
    await guard(deps.log, async () => {
      if (body.type !== 'view_submission') return ack();
      // The state is looked up before the ack (one key-value read), so a stale or forged form can be
      // refused inside the modal itself; an empty ack closes it, and the outcome arrives as an edit
      // or an ephemeral reply.
      const stored = await deps.formStates.take(body.view.private_metadata).catch((error: unknown) => {
        deps.log.error({ err: error }, 'could not read the form state');
        return null;
      });
      const metadata = stored === null ? null : parseFormMetadata(stored);
      const converted = metadata ? viewSubmissionToEvent(body, metadata, arrival()) : null;
      if (!converted) {
        deps.log.warn({ userId: body.user.id }, 'refusing a form submission that is unknown, expired, already used or not the opener\'s');
        const block = Object.keys(body.view.state.values)[0];
        if (!block) return ack();
        return ack({
          response_action: 'errors',
          errors: { [block]: 'This form has expired or was already sent, so nothing was done. Close it and click the button again.' },
        });
      }
      await ack();
      const { event, source } = converted;
      const log = deps.log.child({ eventId: event.id, user: event.user.id, action: event.action });
      await followUps.run(() =>
        guard(log, async () => {
          const outcome = await dispatcher.handle(event, sourceIO(client, source, event.user.id, deps.trustedResponseUrl));
          if (outcome.kind === 'form') log.warn('the dispatcher asked for a form again after a submission');
        }),
      );
    });
  });
}
