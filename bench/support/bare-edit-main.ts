import { App, LogLevel } from '@slack/bolt';
import { serveParent } from './serve-parent.js';

/**
 * The anchor for the submit benchmark, in a process of its own: a Bolt app that makes the same Slack
 * calls as an approval and nothing else. A click opens a one-field modal (views.open) whose
 * private_metadata names the message; its submission edits that message (chat.update) with the
 * blocks the parent gave it (the bot's own redrawn list, so both send the same bytes).
 * `bare-edit-main.ts <slackApiUrl> <signingSecret>`; reports `{ url }`; answers `{ op: 'setBlocks', blocks, text }`.
 */

export interface BareEditReady {
  url: string;
}

export interface BareEditCall {
  op: 'setBlocks';
  blocks: unknown[];
  text: string;
}

const [slackApiUrl, signingSecret] = process.argv.slice(2);

await serveParent(async () => {
  if (!slackApiUrl || !signingSecret) throw new Error('usage: bare-edit-main.ts <slackApiUrl> <signingSecret>');
  let edit: { blocks: unknown[]; text: string } = { blocks: [], text: 'Pending resource requests' };
  const app = new App({ token: 'xoxb-bench-token', signingSecret, botId: 'B1', botUserId: 'UB1', logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl } });
  app.action(/.*/, async ({ ack, body, client }) => {
    await ack();
    if (body.type !== 'block_actions' || !body.channel || !body.container) return;
    await client.views.open({
      trigger_id: body.trigger_id,
      view: {
        type: 'modal',
        callback_id: 'atmo-form',
        title: { type: 'plain_text', text: 'Approve request' },
        submit: { type: 'plain_text', text: 'Approve' },
        private_metadata: JSON.stringify({ channel: body.channel.id, ts: String(body.container['message_ts']) }),
        blocks: [{ type: 'input', block_id: 'message', optional: true, label: { type: 'plain_text', text: 'Message' }, element: { type: 'plain_text_input', action_id: 'message' } }],
      },
    });
  });
  app.view('atmo-form', async ({ ack, view, client }) => {
    await ack();
    // The metadata is the JSON this app wrote into the modal above.
    const { channel, ts } = JSON.parse(view.private_metadata) as { channel: string; ts: string };
    await client.chat.update({ channel, ts, text: edit.text, blocks: edit.blocks as never[] });
  });
  const server = await app.start({ port: 0, host: '127.0.0.1' });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('the bare app reported no port');
  return {
    value: { url: `http://127.0.0.1:${address.port}` } satisfies BareEditReady,
    handle(request) {
      // Only the benchmark's parent calls, always with a BareEditCall.
      const call = request as BareEditCall;
      edit = { blocks: call.blocks, text: call.text };
      return true;
    },
    stop: () => app.stop().then(() => undefined),
  };
});
