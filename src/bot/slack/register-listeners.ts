import type { App, webApi } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { Dispatcher, DispatchOutcome, EventIO, FieldErrors } from '../chat/command.js';
import { reply, type Reply } from '../chat/reply.js';
import { FORM_CALLBACK_ID, renderFormView, renderReplyBlocks } from './render-reply.js';
import { directMessageChannel } from './upload-files.js';
import type { CommandEvent } from '../chat/chat-event.js';
import { deliverReply } from '../chat/deliver-reply.js';
import { slackFilePort, type SlackMessage, type SlackFileTarget } from './slack-file-port.js';
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
  /** Hears how long each acknowledgement took. */
  metrics: BotMetrics;
}

/** A response_url message; `visibility: 'channel'` is the only way a reply becomes visible to all. */
function responseMessage(answer: Reply, message: SlackMessage, extra: Record<string, unknown> = {}): Record<string, unknown> {
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
function fileTarget(answer: Reply, channel: string, userId: string, threadTs?: string): SlackFileTarget {
  if (answer.visibility !== 'channel') return { kind: 'direct', user: userId };
  return { kind: 'channel', channel, ...(threadTs ? { threadTs } : {}) };
}

/**
 * How a click (or the form it opened) answers: `respond` through the response_url, `updateSource` by
 * editing the clicked message. Ephemeral messages can only be replaced through their response_url.
 * Every Slack call waits on the network, so it is made outside the event's work slot.
 */
function sourceIO(
  client: WebClient,
  source: SlackSource,
  userId: string,
  deps: Pick<ListenerDeps, 'trustedResponseUrl' | 'queue'>,
  log: Logger,
): EventIO {
  const { queue, trustedResponseUrl } = deps;
  const uploaded = new WeakSet<Reply>();
  const respond = async (answer: Reply): Promise<void> => {
    const url = source.responseUrl;
    const target = fileTarget(answer, source.channel, userId, source.threadTs);
    if (url) {
      const port = slackFilePort(client, target, async (message) => {
        const body = responseMessage(answer, message, { replace_original: false });
        await queue.outside(() => postToResponseUrl(url, body, trustedResponseUrl), 'slack');
      }, queue);
      return deliverReply(answer, port, log, uploaded);
    }
    const port = slackFilePort(client, { kind: 'direct', user: userId }, async ({ text, blocks }) => {
      await queue.outside(() => callSlack('chat.postEphemeral', () => client.chat.postEphemeral({ channel: source.channel, user: userId, text, blocks })), 'slack');
    }, queue);
    return deliverReply(answer, port, log, uploaded);
  };
  return {
    respond,
    async updateSource(answer) {
      const ts = source.messageTs;
      if (!ts) return respond(answer);
      const url = source.responseUrl;
      if (source.ephemeral && url) {
        const port = slackFilePort(client, { kind: 'direct', user: userId }, async (message) => {
          const body = { ...message, replace_original: true };
          await queue.outside(() => postToResponseUrl(url, body, trustedResponseUrl), 'slack');
        }, queue);
        return deliverReply(answer, port, log, uploaded);
      }
      // The edited message is public: its files go into its thread.
      const target: SlackFileTarget = { kind: 'channel', channel: source.channel, threadTs: source.threadTs ?? ts };
      const port = slackFilePort(client, target, async ({ text, blocks }) => {
        await queue.outside(() => callSlack('chat.update', () => client.chat.update({ channel: source.channel, ts, text, blocks })), 'slack');
      }, queue);
      return deliverReply(answer, port, log, uploaded);
    },
  };
}

/** Slack's limit on the blocks of a Home tab view. */
const HOME_VIEW_BLOCKS = 100;

/** Publishes `answer` as the user's Home tab (`views.publish`). */
async function publishHome(client: WebClient, userId: string, answer: Reply, queue: WorkQueue): Promise<void> {
  const { blocks } = renderReplyBlocks(answer);
  await queue.outside(() => callSlack('views.publish', () => client.views.publish({ user_id: userId, view: { type: 'home', blocks: blocks.slice(0, HOME_VIEW_BLOCKS) } })), 'slack');
}

/** A `/atmo home` of `userId`, as the Home tab opening or a redraw runs it. */
function homeCommandEvent(userId: string, channel: string, deps: Pick<ListenerDeps, 'now' | 'newId'>): CommandEvent {
  return { kind: 'command', id: deps.newId(), platform: 'slack', user: { platform: 'slack', id: userId }, channel, receivedAt: deps.now(), text: 'home' };
}

/**
 * How a click on the Home tab (or the form it opened) answers: there is no message to reply under
 * and no response_url, so a reply goes to the user's direct messages with the bot, and a redraw of
 * the clicked message publishes the Home tab again, as it is now.
 */
function homeIO(client: WebClient, userId: string, deps: Pick<ListenerDeps, 'queue' | 'dispatcher' | 'now' | 'newId'>, log: Logger): EventIO {
  const { queue } = deps;
  return {
    async respond(answer) {
      const port = slackFilePort(client, { kind: 'direct', user: userId }, async ({ text, blocks }) => {
        const channel = await queue.outside(() => directMessageChannel(client, userId), 'slack');
        await queue.outside(() => callSlack('chat.postMessage', () => client.chat.postMessage({ channel, text, blocks })), 'slack');
      }, queue);
      await deliverReply(answer, port, log);
    },
    async updateSource() {
      await deps.dispatcher.handle(homeCommandEvent(userId, userId, deps), { respond: (home) => publishHome(client, userId, home, queue) });
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
  opened: { source: SlackSource; user: string; formStates: FormStateStore },
  io: EventIO,
  log: Logger,
  queue: WorkQueue,
): Promise<void> {
  try {
    const state = encodeFormMetadata({ action: outcome.action, value: outcome.value, user: opened.user, ...opened.source });
    const view = renderFormView(outcome.form, await opened.formStates.save(state));
    await queue.outside(() => callSlack('views.open', () => client.views.open({ trigger_id: triggerId, view })), 'slack');
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
    await guard(deps.log, async () => {
      await acked('command', () => ack(), started);
      if (command.user_id === context.botUserId) return;
      const event = slashCommandToEvent(command, arrival());
      const log = deps.log.child({ eventId: event.id, user: event.user.id });
      const uploaded = new WeakSet<Reply>();
      const io: EventIO = {
        respond: deps.trustedResponseUrl(command.response_url)
          ? (answer) => {
              const port = slackFilePort(client, fileTarget(answer, command.channel_id, command.user_id), async (message) => {
                const body = responseMessage(answer, message);
                await queue.outside(() => postToResponseUrl(command.response_url, body, deps.trustedResponseUrl), 'slack');
              }, queue);
              return deliverReply(answer, port, log, uploaded);
            }
          : async (answer) => {
              log.warn('the slash command\'s response_url is not one of Slack\'s hosts; answering with chat.postEphemeral');
              const port = slackFilePort(client, { kind: 'direct', user: command.user_id }, async ({ text, blocks }) => {
                await queue.outside(() =>
                  callSlack('chat.postEphemeral', () => client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, text, blocks })),
                'slack',
                );
              }, queue);
              return deliverReply(answer, port, log, uploaded);
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
    const started = performance.now();
    await guard(deps.log, async () => {
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
          guard(log, async () => {
            const outcome = await dispatcher.handle(event, io);
            if (outcome.kind === 'form') {
              await openForm(client, body.trigger_id, outcome, { source, user: event.user.id, formStates: deps.formStates }, io, log, queue);
            }
          }),
        notify: notice(io),
      });
    });
  });

  // The Home tab: `app_home_opened` (Events API) publishes the staff dashboard, `/atmo home`, for the
  // user who opened it; a non-staff user gets the sentence saying why there is none.
  app.event('app_home_opened', async ({ event, client }) => {
    await guard(deps.log, async () => {
      if (event.tab !== 'home') return;
      const home = homeCommandEvent(event.user, event.channel || event.user, deps);
      const log = deps.log.child({ eventId: home.id, user: event.user, event: 'app_home_opened' });
      await queue.run({
        eventId: home.id,
        run: () =>
          guard(log, async () => {
            await dispatcher.handle(home, { respond: (answer) => publishHome(client, event.user, answer, queue) });
          }),
        notify: async () => {},
      });
    });
  });

  app.view(FORM_CALLBACK_ID, async ({ ack, body, client }) => {
    const started = performance.now();
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
          guard(log, async () => {
            const outcome = await dispatcher.handle(event, io);
            if (outcome.kind === 'form') log.warn('the dispatcher asked for a form again after a submission');
          }),
        notify: notice(io),
      });
    });
  });
}
