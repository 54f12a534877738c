import { describe, expect, it } from 'vitest';
import { deliverReply, fullTextFileName, replyAsText, type FileUploadPort } from '../../../src/bot/chat/deliver-reply.js';
import type { CutFile, Reply, ReplyFile } from '../../../src/bot/chat/reply.js';
import { IntegrationError } from '../../../src/errors.js';
import { createMemoryLogger } from '../../../src/logger.js';

interface Sent {
  reply: Reply;
  file: CutFile;
  files: readonly ReplyFile[];
}

/** A platform that cuts any text longer than `limit`, records what it sends, and fails on request. */
function platform(options: { limit?: number; separateUpload: boolean; failUpload?: boolean; failSendWithFiles?: boolean }) {
  const sent: Sent[] = [];
  const uploads: (readonly ReplyFile[])[] = [];
  const port: FileUploadPort<{ reply: Reply; file: CutFile }, string> = {
    render: (reply, file) => ({ message: { reply, file }, cut: replyAsText(reply).length > (options.limit ?? 1000) }),
    async send(message, files) {
      if (files.length > 0 && options.failSendWithFiles) throw new IntegrationError('discord', 'Discord refused the message (HTTP 413)', { status: 413 });
      sent.push({ ...message, files });
      return `sent-${sent.length}`;
    },
    ...(options.separateUpload
      ? {
          async upload(files: readonly ReplyFile[]) {
            if (options.failUpload) throw new IntegrationError('slack', 'Slack refused files.completeUploadExternal: not_in_channel');
            uploads.push(files);
          },
        }
      : {}),
  };
  return { port, sent, uploads };
}

const long: Reply = { title: 'Imaging request #7', text: 'x'.repeat(2000), footer: 'Updated now.' };
const { log } = createMemoryLogger('error');

describe('deliverReply', () => {
  it('sends a reply that fits as it is, with no file', async () => {
    const p = platform({ separateUpload: true });
    expect(await deliverReply({ text: 'short' }, p.port, log)).toBe('sent-1');
    expect(p.uploads).toEqual([]);
    expect(p.sent[0]!.files).toEqual([]);
  });

  it('uploads the full text of a cut reply before the message that names it', async () => {
    const p = platform({ separateUpload: true });
    await deliverReply(long, p.port, log);
    const [files] = p.uploads;
    expect(files!.map((file) => file.name)).toEqual(['imaging-request-7.txt']);
    expect(new TextDecoder().decode(files![0]!.data)).toBe(replyAsText(long));
    expect(p.sent[0]!.file).toEqual({ name: 'imaging-request-7.txt', attached: true });
  });

  it('attaches the files to the message itself where the platform has no separate upload', async () => {
    const chart: ReplyFile = { name: 'chart.png', data: new Uint8Array([1, 2, 3]), mimeType: 'image/png' };
    const p = platform({ separateUpload: false });
    await deliverReply({ ...long, files: [chart] }, p.port, log);
    expect(p.sent[0]!.files.map((file) => file.name)).toEqual(['chart.png', 'imaging-request-7.txt']);
  });

  it('sends the reply without its files when the upload fails, saying which files and why', async () => {
    const p = platform({ separateUpload: true, failUpload: true });
    await deliverReply(long, p.port, log);
    expect(p.sent).toHaveLength(1);
    expect(p.sent[0]!.file).toEqual({ name: 'imaging-request-7.txt', attached: false });
    expect(p.sent[0]!.reply.footer).toBe('The file imaging-request-7.txt could not be attached: Slack refused files.completeUploadExternal: not_in_channel.\nUpdated now.');
    expect(p.sent[0]!.reply.files).toBeUndefined();
  });

  it('sends the message again without its files when the message with them is refused', async () => {
    const p = platform({ separateUpload: false, failSendWithFiles: true });
    await deliverReply({ text: 'report', files: [{ name: 'a.txt', data: new Uint8Array([65]), mimeType: 'text/plain' }, { name: 'b.txt', data: new Uint8Array([66]), mimeType: 'text/plain' }] }, p.port, log);
    expect(p.sent).toHaveLength(1);
    expect(p.sent[0]!.files).toEqual([]);
    expect(p.sent[0]!.reply.footer).toBe('The files a.txt, b.txt could not be attached: Discord refused the message (HTTP 413).');
  });

  it('does not share the files again when the same reply is sent again after its message failed', async () => {
    const p = platform({ separateUpload: true });
    let failures = 1;
    const flaky = { ...p.port, send: async (message: { reply: Reply; file: CutFile }, files: readonly ReplyFile[]) => {
      if (failures-- > 0) throw new IntegrationError('slack', 'could not reach Slack to answer through the response_url');
      return p.port.send(message, files);
    } };
    const uploaded = new WeakSet<Reply>();
    await expect(deliverReply(long, flaky, log, uploaded)).rejects.toThrow('could not reach Slack');
    await deliverReply(long, flaky, log, uploaded);
    expect(p.uploads).toHaveLength(1);
    expect(p.sent).toHaveLength(1);
    expect(p.sent[0]!.file.attached).toBe(true);
  });

  it('names the full-text file after the title, or the first line, in safe characters', () => {
    expect(fullTextFileName({ title: 'Imaging request #12: triage report', text: '' })).toBe('imaging-request-12-triage-report.txt');
    expect(fullTextFileName({ text: '../../etc/passwd\nsecond line' })).toBe('etc-passwd.txt');
    expect(fullTextFileName({ text: '' })).toBe('atmo-reply.txt');
  });

  it('writes every part of a reply into its full text, in reading order', () => {
    const text = replyAsText({
      title: 'T',
      text: 'Body',
      fields: [{ label: 'One', value: 'a' }, { label: 'Two', value: 'b\nc' }],
      sections: [{ text: 'Section', fields: [{ label: 'Three', value: 'd' }] }],
      footer: 'Foot',
    });
    expect(text).toBe('T\n\nBody\nOne: a\nTwo:\nb\nc\n\nSection\nThree: d\n\nFoot\n');
  });
});
