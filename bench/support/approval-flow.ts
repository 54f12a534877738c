import { blockAction, signedPost, viewSubmission } from '../../test/support/slack-requests.js';
import { APPROVE_ACTION } from '../../src/handlers/resource-requests/render-resource-request.js';
import type { ChildService } from './child-service.js';
import type { FakeSlackQuery, FakeSlackReady } from './fake-slack-main.js';

/**
 * One approval as a staff member makes it in Slack: the Approve click on a list message, the modal the
 * app opens (read from the fake Slack API's views.open, private_metadata included), its submission,
 * and the edit of that list message (chat.update) arriving at the fake Slack API. Each approval uses a
 * message ts and trigger id of its own, so concurrent ones are told apart.
 */

let sequence = 0;
const now = () => performance.timeOrigin + performance.now();

async function post(url: string, body: Parameters<typeof signedPost>[1], secret: string, what: string): Promise<void> {
  const response = await signedPost(url, body, secret);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`the ${what} was answered ${response.status}`);
  // Bolt answers a view_submission with an empty body; anything else is the app refusing the form.
  if (what === 'submission' && text.includes('"errors"')) throw new Error(`the form was refused: ${text.slice(0, 300)}`);
}

/** Clicks Approve on request `requestId` as `userId`, submits the opened form with `message`, and times submit -> edit. */
export async function approveThroughForm(
  appUrl: string,
  slack: ChildService<FakeSlackReady>,
  input: { requestId: number; userId: string; secret: string; message: string },
): Promise<number> {
  sequence += 1;
  const ts = `1710000000.${String(sequence).padStart(6, '0')}`;
  const triggerId = `${sequence}.${Date.now()}.bench`;
  const responseUrl = `${slack.ready.responseUrlPrefix}${encodeURIComponent(`approve-${sequence}`)}`;
  await post(
    appUrl,
    blockAction({ actionId: `${APPROVE_ACTION}#1`, value: `${input.requestId}:list`, userId: input.userId, messageTs: ts, responseUrl, triggerId }),
    input.secret,
    'click',
  );
  const metadata = (await slack.call({ op: 'awaitForm', triggerId } satisfies FakeSlackQuery)) as string;
  const sentAt = now();
  const values = { message: input.message, quota: null, allocation: null, provider: null, confirm: null };
  await post(appUrl, viewSubmission({ privateMetadata: metadata, values, userId: input.userId }), input.secret, 'submission');
  const editedAt = (await slack.call({ op: 'awaitUpdate', ts } satisfies FakeSlackQuery)) as number;
  return editedAt - sentAt;
}
