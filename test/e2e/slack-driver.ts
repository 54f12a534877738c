import type { FakeSlackApi, RecordedResponse } from '../fakes/slack-api.js';
import { blockAction, signedPost, slashCommand, viewSubmission } from '../support/slack-requests.js';
import { waitFor } from './e2e-support.js';

/**
 * Plays a Slack workspace against running bots: signed slash commands, button clicks and modal
 * submissions, each with its own response_url on the fake Slack API so a test can read the answer
 * that belongs to it.
 */

export interface SlackDriver {
  /** `/atmo <text>` from `userId`; answers come back on `replyId`. */
  command(appUrl: string, input: { userId: string; text: string; replyId: string }): Promise<Response>;
  /** A click on a button of message `messageTs` (an ephemeral one when `ephemeral`); resolves with the trigger id it carried. */
  click(appUrl: string, input: { userId: string; action: string; value: string; messageTs: string; replyId: string; ephemeral?: boolean }): Promise<string>;
  /** The modal the bot opened with `triggerId` (views.open): its view and private_metadata. */
  openedView(triggerId: string): Promise<{ view: Record<string, unknown>; metadata: string }>;
  /** Submits a modal the bot opened, with what the user typed (null = left empty). */
  submit(appUrl: string, input: { userId: string; metadata: string; values: Record<string, string | null> }): Promise<Response>;
  /** Click, read the modal the bot opened, submit it with `values`; resolves with the answer. */
  clickAndSubmit(
    appUrl: string,
    input: { userId: string; action: string; value: string; messageTs: string; replyId: string; values: Record<string, string | null> },
  ): Promise<RecordedResponse>;
  /** The first answer posted to `replyId`'s response_url. */
  reply(replyId: string): Promise<RecordedResponse>;
  /** Every answer posted to `replyId` so far. */
  repliesTo(replyId: string): RecordedResponse[];
}

let triggers = 0;

export function createSlackDriver(slack: FakeSlackApi, secret: string): SlackDriver {
  const repliesTo = (replyId: string) => slack.responses.filter((response) => response.id === replyId);
  const driver: SlackDriver = {
    command: (appUrl, input) =>
      signedPost(appUrl, slashCommand({ text: input.text, userId: input.userId, responseUrl: slack.responseUrl(input.replyId) }), secret),
    async click(appUrl, input) {
      triggers += 1;
      const triggerId = `${triggers}.${Date.now()}.e2e-${input.replyId}`;
      const response = await signedPost(
        appUrl,
        blockAction({
          actionId: input.action,
          value: input.value,
          userId: input.userId,
          messageTs: input.messageTs,
          responseUrl: slack.responseUrl(input.replyId),
          triggerId,
          ...(input.ephemeral ? { ephemeral: true } : {}),
        }),
        secret,
      );
      if (response.status !== 200) throw new Error(`the click was answered with HTTP ${response.status}`);
      return triggerId;
    },
    async openedView(triggerId) {
      const call = await waitFor(`views.open for ${triggerId}`, () =>
        slack.calls.find((candidate) => candidate.method === 'views.open' && candidate.args['trigger_id'] === triggerId),
      );
      const view = call.args['view'] as Record<string, unknown>;
      return { view, metadata: String(view['private_metadata']) };
    },
    submit: (appUrl, input) => signedPost(appUrl, viewSubmission({ privateMetadata: input.metadata, values: input.values, userId: input.userId }), secret),
    async clickAndSubmit(appUrl, input) {
      const trigger = await driver.click(appUrl, input);
      const { metadata } = await driver.openedView(trigger);
      const response = await driver.submit(appUrl, { userId: input.userId, metadata, values: input.values });
      if (response.status !== 200) throw new Error(`the submission was answered with HTTP ${response.status}`);
      return driver.reply(input.replyId);
    },
    reply: (replyId) => waitFor(`a reply on ${replyId}`, () => repliesTo(replyId)[0]),
    repliesTo,
  };
  return driver;
}

/** A message's `text` as the user reads it: Slack's three mrkdwn escapes undone. */
export function readableText(body: Record<string, unknown>): string {
  return String(body['text']).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Every button of a Block Kit message, as action name (without the `#n` suffix) and value. */
export function slackButtons(blocks: unknown): { action: string; value: string }[] {
  if (!Array.isArray(blocks)) return [];
  return blocks.flatMap((block: { type?: string; elements?: { type?: string; action_id?: string; value?: string }[] }) =>
    block.type === 'actions'
      ? (block.elements ?? [])
          .filter((element) => element.type === 'button')
          .map((element) => ({ action: String(element.action_id).replace(/#\d+$/, ''), value: String(element.value) }))
      : [],
  );
}
