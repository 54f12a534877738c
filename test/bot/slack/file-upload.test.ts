import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../../src/bot/chat/chat-event.js';
import type { Dispatcher, DispatchOutcome, EventIO } from '../../../src/bot/chat/command.js';
import { replyAsText } from '../../../src/bot/chat/deliver-reply.js';
import type { Reply } from '../../../src/bot/chat/reply.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { createSlackApp, type SlackApp } from '../../../src/bot/slack/slack-app.js';
import { memoryFormStates } from '../../support/form-states.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../fakes/slack-api.js';
import { blockAction, signedPost, slashCommand } from '../../support/slack-requests.js';
import { readPngHeader } from '../../support/png-header.js';
import { renderChartPng } from '../../../src/handlers/stats/render-chart.js';
import { imagingChart, resourceRequestChart } from '../../../src/handlers/stats/stats-charts.js';
import { FIXED_IMAGING, FIXED_REQUESTS } from '../../handlers/stats/fixed-figures.js';

const SECRET = 'test-signing-secret';
const TRACEBACK = `Traceback (most recent call last):\n${'  File "/opt/atmosphere/service/imaging.py", line 118, in create_image\n    snapshot = driver.create_snapshot(instance)\n'.repeat(110)}IOError: [Errno 28] No space left on device`;
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 255, 0, 128]);

const longReply = (visibility: Reply['visibility']): Reply => ({
  title: 'Imaging request #12',
  text: 'Imaging failed: out of disk space.',
  fields: [{ label: 'Status message', value: TRACEBACK }],
  visibility,
});

describe('Slack: files with replies (external upload flow against the fake Web API)', () => {
  let fake: FakeSlackApi;
  let slack: SlackApp;
  let appUrl: string;
  let answer: (io: EventIO) => Promise<void> = async () => {};
  const { log } = createMemoryLogger('error');
  const dispatcher: Dispatcher = {
    checkForm: async () => null,
    commands: [],
    actions: [],
    async handle(_event: ChatEvent, io: EventIO): Promise<DispatchOutcome> {
      await answer(io);
      return { kind: 'done' };
    },
  };

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    slack = createSlackApp({
      botToken: 'xoxb-test-token',
      formStates: memoryFormStates(),
      signingSecret: SECRET,
      apiUrl: fake.url,
      port: 0,
      host: '127.0.0.1',
      dispatcher,
      log,
      clientOptions: { retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
      botId: 'B1',
      botUserId: 'UB1',
    });
    const started = await slack.start();
    appUrl = `http://127.0.0.1:${started?.port}`;
  });

  afterAll(async () => {
    await slack.stop();
    await fake.close();
  });

  afterEach(() => {
    fake.calls.length = 0;
    fake.responses.length = 0;
    fake.files.length = 0;
  });

  async function command(id: string, reply: Reply) {
    answer = (io) => io.respond(reply);
    await signedPost(appUrl, slashCommand({ text: 'imaging show 12', userId: 'U5', channelId: 'C9', responseUrl: fake.responseUrl(id) }), SECRET);
    return fake.waitFor(() => fake.responses.find((r) => r.id === id));
  }

  it('sends the full text of a cut private reply as a file in the asker\'s direct messages, and the marker names it', async () => {
    const response = await command('long-private', longReply('ephemeral'));
    const blocks = JSON.stringify(response.body['blocks']);
    expect(blocks).toContain('(cut; the full text is in the file imaging-request-12.txt, sent to your direct messages with the bot)');
    expect(fake.files).toHaveLength(1);
    const [file] = fake.files;
    expect(file).toMatchObject({ filename: 'imaging-request-12.txt', title: 'Imaging request #12', channel: 'DU5', threadTs: undefined });
    expect(file!.contentType).toBe('text/plain; charset=utf-8');
    expect(file!.bytes.toString('utf8')).toBe(replyAsText(longReply('ephemeral')));
    expect(file!.bytes.toString('utf8')).toContain(TRACEBACK);
    // The three steps, in order, and the file is shared before the message that names it.
    const methods = fake.calls.map((call) => call.method);
    expect(methods).toEqual(['conversations.open', 'files.getUploadURLExternal', 'files.completeUploadExternal']);
    expect(fake.calls[1]!.args).toMatchObject({ filename: 'imaging-request-12.txt', length: String(file!.bytes.length) });
    expect(fake.calls[2]!.args['files']).toEqual([{ id: file!.id, title: 'Imaging request #12' }]);
  });

  it('shares a channel reply\'s own files in that channel, byte for byte', async () => {
    const response = await command('chart', { text: 'Weekly report', visibility: 'channel', files: [{ name: 'waits.png', data: PNG, mimeType: 'image/png', title: 'Waits per week', altText: 'Median wait per week, falling from 30 h to 6 h' }] });
    expect(response.body['response_type']).toBe('in_channel');
    expect(fake.files).toHaveLength(1);
    expect(fake.files[0]).toMatchObject({ filename: 'waits.png', title: 'Waits per week', channel: 'C9', contentType: 'image/png', altText: 'Median wait per week, falling from 30 h to 6 h' });
    expect(new Uint8Array(fake.files[0]!.bytes)).toEqual(PNG);
    expect(fake.calls.some((call) => call.method === 'conversations.open')).toBe(false);
  });

  it('uploads each chart of the service report in both steps, the bytes a PNG of the size it was drawn at', async () => {
    const charts = [await renderChartPng(resourceRequestChart(FIXED_REQUESTS)), await renderChartPng(imagingChart(FIXED_IMAGING))];
    const files = charts.map((chart, i) => ({ name: `stats-${i}.png`, data: chart.png, mimeType: 'image/png', title: `Chart ${i}`, altText: `Chart ${i} of the report` }));
    await command('stats', { title: 'Service report', text: 'Service report', visibility: 'channel', files });
    const methods = fake.calls.map((call) => call.method);
    expect(methods).toEqual(['files.getUploadURLExternal', 'files.getUploadURLExternal', 'files.completeUploadExternal']);
    expect(fake.calls[0]!.args).toMatchObject({ filename: 'stats-0.png', length: String(charts[0]!.png.length), alt_text: 'Chart 0 of the report' });
    expect(fake.files).toHaveLength(2);
    const byName = (i: number) => fake.files.find((file) => file.filename === `stats-${i}.png`)!;
    // One completion shares both, in the reply's order.
    expect(fake.calls[2]!.args['files']).toEqual([0, 1].map((i) => ({ id: byName(i).id, title: `Chart ${i}` })));
    for (const i of [0, 1]) {
      const file = byName(i);
      expect(file).toMatchObject({ contentType: 'image/png', channel: 'C9' });
      expect(new Uint8Array(file.bytes)).toEqual(new Uint8Array(charts[i]!.png));
      expect(readPngHeader(new Uint8Array(file.bytes))).toMatchObject({ width: charts[i]!.width, height: charts[i]!.height });
    }
  });

  it('sends no file when nothing was cut', async () => {
    const response = await command('short', { title: 'Imaging request #3', text: 'Completed.' });
    expect(response.body['text']).toBe('Completed.');
    expect(fake.files).toEqual([]);
    expect(fake.calls).toEqual([]);
  });

  it('still answers when Slack refuses to share the file, and says the file could not be attached', async () => {
    fake.failNext('files.completeUploadExternal', 'not_in_channel');
    const response = await command('refused', longReply('channel'));
    const blocks = JSON.stringify(response.body['blocks']);
    expect(blocks).toContain('The file imaging-request-12.txt could not be attached: Slack refused files.completeUploadExternal: not_in_channel.');
    expect(blocks).toContain("the file with the full text could not be attached");
    expect(blocks).not.toContain('is in the attached file');
    expect(fake.files).toEqual([]);
  });

  it('still answers when the upload URL refuses the bytes', async () => {
    fake.failNextUpload(500);
    const response = await command('upload-500', longReply('ephemeral'));
    expect(JSON.stringify(response.body['blocks'])).toContain("could not be attached: Slack's upload URL refused the bytes of imaging-request-12.txt (HTTP 500).");
    expect(fake.calls.map((call) => call.method)).not.toContain('files.completeUploadExternal');
    expect(fake.files).toEqual([]);
  });

  it('redraws a clicked channel message with chat.update and shares the full text in that message\'s thread', async () => {
    answer = (io) => io.updateSource!(longReply('channel'));
    await signedPost(
      appUrl,
      blockAction({ actionId: 'mr:resubmit', value: '12', userId: 'U5', channelId: 'C3', messageTs: '1700000000.000077', responseUrl: fake.responseUrl('click') }),
      SECRET,
    );
    const update = await fake.waitFor(() => fake.calls.find((call) => call.method === 'chat.update'));
    expect(JSON.stringify(update.args['blocks'])).toContain('the attached file imaging-request-12.txt');
    expect(fake.files).toHaveLength(1);
    expect(fake.files[0]).toMatchObject({ channel: 'C3', threadTs: '1700000000.000077' });
    expect(fake.files[0]!.bytes.toString('utf8')).toContain(TRACEBACK);
  });

  it('puts a posted message\'s files in its thread, and an edited one\'s in the edited message\'s thread', async () => {
    const posted = await slack.chatPort.post({ platform: 'slack', channel: 'C7' }, longReply('channel'), {
      thread: { platform: 'slack', channel: 'C7', id: '1700000000.000001' },
    });
    expect(posted.threadId).toBe('1700000000.000001');
    expect(fake.files[0]).toMatchObject({ channel: 'C7', threadTs: '1700000000.000001', filename: 'imaging-request-12.txt' });
    expect(fake.files[0]!.bytes.toString('utf8')).toContain(TRACEBACK);
    const post = fake.calls.find((call) => call.method === 'chat.postMessage');
    expect(JSON.stringify(post?.args['blocks'])).toContain('the attached file imaging-request-12.txt');

    await slack.chatPort.update({ platform: 'slack', channel: 'C7', id: '1700000000.000042' }, longReply('channel'));
    expect(fake.files[1]).toMatchObject({ channel: 'C7', threadTs: '1700000000.000042' });
    expect(fake.files[1]!.bytes.toString('utf8')).toContain(TRACEBACK);
  });

  it('sends a direct message to a user through the conversation conversations.open gives', async () => {
    const before = fake.calls.length;
    const posted = await slack.chatPort.post({ platform: 'slack', channel: 'UMARIA', direct: true }, { text: 'Your runbook steps are due.', visibility: 'channel' });
    const calls = fake.calls.slice(before);
    expect(calls.map((call) => call.method)).toEqual(['conversations.open', 'chat.postMessage']);
    expect(calls[0]!.args['users']).toBe('UMARIA');
    expect(calls[1]!.args['channel']).toBe('DUMARIA');
    expect(posted).toMatchObject({ platform: 'slack', channel: 'DUMARIA' });
  });
});

