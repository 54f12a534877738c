import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ChatEvent } from '../../../src/bot/chat/chat-event.js';
import type { ActionDefinition, CommandDefinition, DispatchOutcome, Dispatcher, EventIO } from '../../../src/bot/chat/command.js';
import { replyAsText } from '../../../src/bot/chat/deliver-reply.js';
import type { Reply } from '../../../src/bot/chat/reply.js';
import { createDiscordBot, type DiscordBot } from '../../../src/bot/discord/discord-bot.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { startFakeDiscord, UPLOAD_LIMIT_BYTES, type FakeDiscord, type RecordedRequest } from '../../fakes/discord.js';
import { APPLICATION_ID, buttonClick, CHANNEL_ID, chatInput, GUILD_ID } from '../../support/discord-interactions.js';
import { readPngHeader } from '../../support/png-header.js';
import { renderChartPng } from '../../../src/handlers/stats/render-chart.js';
import { instanceChart, maintenanceChart } from '../../../src/handlers/stats/stats-charts.js';
import { FIXED_INSTANCES, FIXED_MAINTENANCE } from '../../handlers/stats/fixed-figures.js';

const TOKEN = 'fake-bot-token';
const TRACEBACK = `Traceback (most recent call last):\n${'  File "/opt/atmosphere/service/imaging.py", line 118, in create_image\n    snapshot = driver.create_snapshot(instance)\n'.repeat(110)}IOError: [Errno 28] No space left on device`;
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 255, 0, 128]);

const commands: CommandDefinition[] = [
  { name: 'imaging show', summary: 'Show one imaging request', usage: '/atmo imaging show <id>', options: [{ name: 'id', description: 'Id', type: 'integer', required: true }], args: z.object({}), permission: 'staff', run: async () => undefined },
];
const actions: ActionDefinition[] = [{ name: 'mr:show', value: z.string(), permission: 'staff', run: async () => undefined }];

const longReply: Reply = {
  title: 'Imaging request #12',
  text: 'Imaging failed: out of disk space.',
  fields: [{ label: 'Status message', value: TRACEBACK }],
  visibility: 'ephemeral',
};

describe('Discord: files with replies (multipart attachments against the fake Discord)', () => {
  let fake: FakeDiscord;
  let bot: DiscordBot;
  let answer: (io: EventIO) => Promise<void> = async () => {};
  const memory = createMemoryLogger('warn');
  const dispatcher: Dispatcher = {
    checkForm: async () => null,
    commands,
    actions,
    async handle(_event: ChatEvent, io: EventIO): Promise<DispatchOutcome> {
      await answer(io);
      return { kind: 'done' };
    },
  };
  const callbackOf = (interaction: { id: string; token: string }) => (request: RecordedRequest) =>
    request.method === 'POST' && request.path === `/interactions/${interaction.id}/${interaction.token}/callback`;

  beforeAll(async () => {
    fake = await startFakeDiscord({ token: TOKEN, applicationId: APPLICATION_ID });
    bot = createDiscordBot({ token: TOKEN, applicationId: APPLICATION_ID, guildId: GUILD_ID, apiUrl: fake.apiUrl, dispatcher, log: memory.log, restOptions: { retries: 0, timeout: 5_000 } });
    await bot.start();
  });

  afterAll(async () => {
    await bot?.stop();
    await fake?.close();
  });

  it('attaches the full text of a cut command reply to the reply itself, and the marker names the file', async () => {
    answer = (io) => io.respond(longReply);
    const interaction = chatInput({ path: ['imaging', 'show'], options: { id: 12 } });
    fake.sendInteraction(interaction);
    const callback = await fake.waitForRequest(callbackOf(interaction));
    expect(callback.files).toHaveLength(1);
    const [file] = callback.files;
    expect(file).toMatchObject({ key: 'files[0]', filename: 'imaging-request-12.txt' });
    expect(file!.bytes.toString('utf8')).toBe(replyAsText(longReply));
    expect(file!.bytes.toString('utf8')).toContain(TRACEBACK);
    const body = callback.body as { type: number; data: { flags: number; attachments: unknown[]; embeds: { fields: { value: string }[] }[] } };
    expect(body.type).toBe(4);
    expect(body.data.flags).toBe(64);
    // discord.js describes each part by its index; the file name travels in the part itself.
    expect(body.data.attachments).toEqual([{ id: '0', description: 'Imaging request #12' }]);
    expect(body.data.embeds[0]!.fields[0]!.value).toMatch(/… \(cut; the full text is in the attached file imaging-request-12\.txt\)$/);
  });

  it('attaches a handler\'s own file to the redrawn message of a click, byte for byte', async () => {
    answer = (io) => io.updateSource!({ title: 'Weekly report', text: 'Waits per week', files: [{ name: 'waits.png', data: PNG, mimeType: 'image/png', title: 'Waits', altText: 'Median wait per week' }] });
    const click = buttonClick({ customId: 'mr:show:12', messageId: '555000000000000009' });
    fake.sendInteraction(click);
    const callback = await fake.waitForRequest(callbackOf(click));
    expect((callback.body as { type: number }).type).toBe(7);
    expect(callback.files).toHaveLength(1);
    expect(callback.files[0]).toMatchObject({ filename: 'waits.png', contentType: 'image/png' });
    expect(new Uint8Array(callback.files[0]!.bytes)).toEqual(PNG);
    expect((callback.body as { data: { attachments: unknown[] } }).data.attachments).toEqual([{ id: '0', description: 'Median wait per week' }]);
  });

  it('attaches each chart of the service report to the command reply as a multipart part, a PNG of the size it was drawn at', async () => {
    const charts = [await renderChartPng(instanceChart(FIXED_INSTANCES)), await renderChartPng(maintenanceChart(FIXED_MAINTENANCE))];
    const files = charts.map((chart, i) => ({ name: `stats-${i}.png`, data: chart.png, mimeType: 'image/png', title: `Chart ${i}`, altText: `Chart ${i} of the report` }));
    answer = (io) => io.respond({ title: 'Service report', text: 'Service report', files });
    const interaction = chatInput({ path: ['imaging', 'show'], options: { id: 14 } });
    fake.sendInteraction(interaction);
    const callback = await fake.waitForRequest(callbackOf(interaction));
    expect(callback.files.map((file) => [file.key, file.filename, file.contentType])).toEqual([
      ['files[0]', 'stats-0.png', 'image/png'],
      ['files[1]', 'stats-1.png', 'image/png'],
    ]);
    for (const [i, file] of callback.files.entries()) {
      expect(new Uint8Array(file.bytes)).toEqual(new Uint8Array(charts[i]!.png));
      expect(readPngHeader(new Uint8Array(file.bytes))).toMatchObject({ width: charts[i]!.width, height: charts[i]!.height });
    }
    expect((callback.body as { data: { attachments: unknown[] } }).data.attachments).toEqual([
      { id: '0', description: 'Chart 0 of the report' },
      { id: '1', description: 'Chart 1 of the report' },
    ]);
  });

  it('posts a cut alert with its full text attached, through the REST API', async () => {
    const posted = await bot.chatPort.post({ platform: 'discord', channel: CHANNEL_ID }, { ...longReply, visibility: 'channel' });
    const post = await fake.waitForRequest((request) => request.method === 'POST' && request.path === `/channels/${CHANNEL_ID}/messages` && request.files.length > 0);
    expect(post.authorization).toBe(`Bot ${TOKEN}`);
    expect(post.files[0]!.bytes.toString('utf8')).toBe(replyAsText(longReply));
    expect((post.body as { attachments: unknown[] }).attachments).toEqual([{ id: 0, filename: 'imaging-request-12.txt', description: 'Imaging request #12' }]);
    expect(posted.id).toMatch(/^\d+$/);
  });

  it('sends a direct message through the DM channel "Create DM" gives', async () => {
    const posted = await bot.chatPort.post({ platform: 'discord', channel: '445566778899001122', direct: true }, { text: 'Your runbook steps are due.', visibility: 'channel' });
    const opened = await fake.waitForRequest((request) => request.method === 'POST' && request.path === '/users/@me/channels');
    expect(opened.body).toEqual({ recipient_id: '445566778899001122' });
    expect(opened.authorization).toBe(`Bot ${TOKEN}`);
    const message = await fake.waitForRequest((request) => request.method === 'POST' && request.path === `/channels/${posted.channel}/messages`);
    expect((message.body as { content: string }).content).toContain('Your runbook steps are due.');
    expect(posted.channel).not.toBe('445566778899001122');
  });

  it('sends the reply without its file when Discord refuses the file, and says so', async () => {
    const huge = new Uint8Array(UPLOAD_LIMIT_BYTES + 1);
    answer = (io) => io.respond({ text: 'The report', files: [{ name: 'huge.bin', data: huge, mimeType: 'application/octet-stream' }] });
    const interaction = chatInput({ path: ['imaging', 'show'], options: { id: 13 } });
    fake.sendInteraction(interaction);
    const attempts = async () => {
      await fake.waitForRequest((request) => callbackOf(interaction)(request) && request.files.length === 0);
      return fake.requests.filter(callbackOf(interaction));
    };
    const [refused, sent] = await attempts();
    expect(refused!.files).toHaveLength(1);
    expect(sent!.files).toEqual([]);
    const data = (sent!.body as { data: { embeds: { description: string; footer: { text: string } }[] } }).data;
    expect(data.embeds[0]!.description).toBe('The report');
    expect(data.embeds[0]!.footer.text).toMatch(/^The file huge\.bin could not be attached: /);
    expect(memory.lines.some((line) => line.msg === 'could not attach the files of a reply; sending it without them')).toBe(true);
  });
});
