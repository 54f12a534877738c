import type { App, webApi } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { Dispatcher, DispatchOutcome, EventIO, FieldErrors } from '../chat/command.js';
import { reply, type Reply } from '../chat/reply.js';
import { FORM_CALLBACK_ID, renderFormView } from './render-reply.js';
import { deliverReply } from '../chat/deliver-reply.js';
import { slackFilePort } from './slack-file-port.js';
import { fileTarget, responseMessage, sourceIO } from './source-io.js';
import { homeIO, registerHomeTab } from './home-tab.js';
import { guardListener } from './guard-listener.js';
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
import type { WorkQueue } from '../chat/work-queue.js';
import { secondsSince, type BotMetrics } from '../chat/metrics.js';
import { asFormJson } from './form-json.js';

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
  /** Runs the work after each ack; Slack's own API calls are made outside its slots. */
  queue: WorkQueue;
  /** Posts to response_urls; the global fetch when not given. */
  fetch?: typeof fetch;
  /** Hears how long each acknowledgement took. */
  metrics: BotMetrics;
}

/** Says something to the user of an event outside the dispatcher: a shutdown's notice. */
const notice = (io: EventIO) => (text: string) => io.respond(reply(text));

async function openForm(
  client: WebClient,
  triggerId: string,
  outcome: Extract<DispatchOutcome, { kind: 'form' }>,
  opened: { source: SlackSource; user: string; formStates: FormStateStore },
  io: EventIO,
  log: Logger,
  queue: WorkQueue,
): Promise<void> {
  try {
    const state = encodeFormMetadata({ action: outcome.action, value: outcome.value, user: opened.user, ...opened.source });
    const view = renderFormView(outcome.form, await opened.formStates.save(state));
    await queue.outside(() => callSlack('views.open', () => client.views.open({ trigger_id: triggerId, view: asFormJson(view) })), 'slack');
  } catch (error) {
    // A trigger_id lives 3 s (https://docs.slack.dev/interactivity/handling-user-interaction#modal_responses);
    // a slow precheck lets it expire, and clicking again is the cure.
    log.warn({ err: error }, 'could not open the form');
    await io.respond(reply('The form could not be opened. Please click the button again.'));
  }
}

/**
 * How long a submitted form may be checked before its ack. Slack waits 3 s for it, and the state
 * lookup and the network come out of the same 3 s.
 */
const FIELD_CHECK_BUDGET_MS = 1_800;
/** Slack shows a field's error under the input; a long one is cut rather than refused. */
const MAX_FIELD_ERROR = 1_500;

async function withinBudget<T>(work: Promise<T | null>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Field errors keyed by block id (a form field's block is named after it). */
function slackFieldErrors(errors: FieldErrors): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([field, text]) => [field, text.length > MAX_FIELD_ERROR ? `${text.slice(0, MAX_FIELD_ERROR - 1)}…` : text]));
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

  const acked = async (kind: 'command' | 'action', ack: () => Promise<void>, started: number) => {
    await ack();
    deps.metrics.acknowledged('slack', kind, secondsSince(started));
  };

  app.command(SLASH_COMMAND, async ({ command, ack, context, client }) => {
    const started = performance.now();
    await guardListener(deps.log, async () => {
      await acked('command', () => ack(), started);
      if (command.user_id === context.botUserId) return;
      const event = slashCommandToEvent(command, arrival());
      const log = deps.log.child({ eventId: event.id, user: event.user.id });
      const uploaded = new WeakSet<Reply>();
      const trusted = deps.trustedResponseUrl(command.response_url);
      let answers = 0;
      const viaResponseUrl = (answer: Reply, extra: Record<string, unknown>) => {
        const port = slackFilePort(client, fileTarget(answer, command.channel_id, command.user_id), async (message) => {
          const body = responseMessage(answer, message, extra);
          await queue.outside(() => postToResponseUrl(command.response_url, body, deps.trustedResponseUrl, deps.fetch), 'slack');
        }, queue);
        return deliverReply(answer, port, log, uploaded);
      };
      const io: EventIO = {
        respond: trusted
          ? async (answer) => {
              await viaResponseUrl(answer, {});
              answers += 1;
            }
          : async (answer) => {
              log.warn('the slash command\'s response_url is not one of Slack\'s hosts; answering with chat.postEphemeral');
              const port = slackFilePort(client, { kind: 'direct', user: command.user_id }, async ({ text, blocks }) => {
                await queue.outside(() =>
                  callSlack('chat.postEphemeral', () => client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, text, blocks: asFormJson(blocks) })),
                'slack',
                );
              }, queue);
              return deliverReply(answer, port, log, uploaded);
            },
        // A message sent through a slash command's response_url is replaced by posting to the same URL
        // with `replace_original` (https://docs.slack.dev/messaging/modifying-messages). After several
        // answers it is not certain which one that replaces, so only a lone answer is edited; a
        // chat.postEphemeral answer has no handle to edit it by.
        ...(trusted
          ? {
              editAnswer: async (answer: Reply) => {
                if (answers !== 1) return false;
                await viaResponseUrl(answer, { replace_original: true });
                return true;
              },
            }
          : {}),
      };
      await queue.run({
        eventId: event.id,
        run: () =>
          guardListener(log, async () => {
            await dispatcher.handle(event, io);
          }),
        notify: notice(io),
      });
    });
  });

  app.action({ type: 'block_actions', action_id: /.+/ }, async ({ ack, body, client, context }) => {
    const started = performance.now();
    await guardListener(deps.log, async () => {
      await acked('action', () => ack(), started);
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
      const io = source.home ? homeIO(client, event.user.id, deps, log) : sourceIO(client, source, event.user.id, deps, log);
      await queue.run({
        eventId: event.id,
        priority: mayOpenForm(event.action) ? 'deadline' : 'normal',
        run: () =>
          guardListener(log, async () => {
            const outcome = await dispatcher.handle(event, io);
            if (outcome.kind === 'form') {
              await openForm(client, body.trigger_id, outcome, { source, user: event.user.id, formStates: deps.formStates }, io, log, queue);
            }
          }),
        notify: notice(io),
      });
    });
  });

  registerHomeTab(app, deps);

  app.view(FORM_CALLBACK_ID, async ({ ack, body, client }) => {
    const started = performance.now();
    await guardListener(deps.log, async () => {
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
      // A wrong field is said in the modal itself, which stays open with what was typed; that answer
      // must be the ack (https://docs.slack.dev/surfaces/modals#displaying_errors), so it is looked for
      // within a budget, and past it the submission goes ahead and reports the problem as a reply.
      const errors = await withinBudget(deps.dispatcher.checkForm(converted.event), FIELD_CHECK_BUDGET_MS);
      if (errors) {
        await deps.formStates.restore(body.view.private_metadata, stored!).catch((error: unknown) => deps.log.error({ err: error }, 'could not keep the form state'));
        await ack({ response_action: 'errors', errors: slackFieldErrors(errors) });
        deps.metrics.acknowledged('slack', 'action', secondsSince(started));
        return;
      }
      await acked('action', () => ack(), started);
      const { event, source } = converted;
      const log = deps.log.child({ eventId: event.id, user: event.user.id, action: event.action });
      const io = source.home ? homeIO(client, event.user.id, deps, log) : sourceIO(client, source, event.user.id, deps, log);
      await queue.run({
        eventId: event.id,
        run: () =>
          guardListener(log, async () => {
            const outcome = await dispatcher.handle(event, io);
            if (outcome.kind === 'form') log.warn('the dispatcher asked for a form again after a submission');
          }),
        notify: notice(io),
      });
    });
  });
}
