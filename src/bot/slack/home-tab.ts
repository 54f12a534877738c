import type { App, webApi } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { Dispatcher, EventIO } from '../chat/command.js';
import type { Reply } from '../chat/reply.js';
import type { CommandEvent } from '../chat/chat-event.js';
import { deliverReply } from '../chat/deliver-reply.js';
import type { WorkQueue } from '../chat/work-queue.js';
import { renderReplyBlocks } from './render-reply.js';
import { directMessageChannel } from './upload-files.js';
import { slackFilePort } from './slack-file-port.js';
import { callSlack } from './slack-error.js';
import { guardListener } from './guard-listener.js';
import { asFormJson } from './form-json.js';

type WebClient = webApi.WebClient;

/** What the Home tab needs from the listeners' dependencies. */
export interface HomeDeps {
  dispatcher: Dispatcher;
  queue: WorkQueue;
  log: Logger;
  now(): Date;
  newId(): string;
}

/** Slack's limit on the blocks of a Home tab view. */
const HOME_VIEW_BLOCKS = 100;

/** Publishes `answer` as the user's Home tab (`views.publish`). */
async function publishHome(client: WebClient, userId: string, answer: Reply, queue: WorkQueue): Promise<void> {
  const { blocks } = renderReplyBlocks(answer);
  await queue.outside(() => callSlack('views.publish', () => client.views.publish({ user_id: userId, view: asFormJson({ type: 'home' as const, blocks: blocks.slice(0, HOME_VIEW_BLOCKS) }) })), 'slack');
}

/** A `/atmo home` of `userId`, as the Home tab opening or a redraw runs it. */
function homeCommandEvent(userId: string, channel: string, deps: Pick<HomeDeps, 'now' | 'newId'>): CommandEvent {
  return { kind: 'command', id: deps.newId(), platform: 'slack', user: { platform: 'slack', id: userId }, channel, receivedAt: deps.now(), text: 'home' };
}

/**
 * How a click on the Home tab (or the form it opened) answers: there is no message to reply under
 * and no response_url, so a reply goes to the user's direct messages with the bot, and a redraw of
 * the clicked message publishes the Home tab again, as it is now.
 */
export function homeIO(client: WebClient, userId: string, deps: HomeDeps, log: Logger): EventIO {
  const { queue } = deps;
  return {
    async respond(answer) {
      const port = slackFilePort(client, { kind: 'direct', user: userId }, async ({ text, blocks }) => {
        const channel = await queue.outside(() => directMessageChannel(client, userId), 'slack');
        await queue.outside(() => callSlack('chat.postMessage', () => client.chat.postMessage({ channel, text, blocks: asFormJson(blocks) })), 'slack');
      }, queue);
      await deliverReply(answer, port, log);
    },
    async updateSource() {
      await deps.dispatcher.handle(homeCommandEvent(userId, userId, deps), { respond: (home) => publishHome(client, userId, home, queue) });
    },
  };
}

/**
 * The Home tab: `app_home_opened` (Events API) publishes the staff dashboard, `/atmo home`, for the
 * user who opened it; a non-staff user gets the sentence saying why there is none.
 */
export function registerHomeTab(app: App, deps: HomeDeps): void {
  const { dispatcher, queue } = deps;
  app.event('app_home_opened', async ({ event, client }) => {
    await guardListener(deps.log, async () => {
      if (event.tab !== 'home') return;
      const home = homeCommandEvent(event.user, event.channel || event.user, deps);
      const log = deps.log.child({ eventId: home.id, user: event.user, event: 'app_home_opened' });
      await queue.run({
        eventId: home.id,
        run: () =>
          guardListener(log, async () => {
            await dispatcher.handle(home, { respond: (answer) => publishHome(client, event.user, answer, queue) });
          }),
        notify: async () => {},
      });
    });
  });
}
