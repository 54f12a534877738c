import { IntegrationError } from '../../errors.js';
import { integrationReason } from './render-error.js';
import type { Logger } from '../../logger.js';
import type { CutFile, Reply, ReplyFile } from './reply.js';

/**
 * How one adapter sends one reply with files. `render` reports whether it had to cut any text at the
 * platform's limits, using `file` in its cut markers. Files go one of two ways: Slack and the console
 * put them beside the message, with `upload` before the message is sent; Discord attaches them to the
 * message itself, so `send` gets them and `upload` is absent.
 */
export interface FileUploadPort<M, T> {
  render(reply: Reply, file: CutFile): { message: M; cut: boolean };
  send(message: M, files: readonly ReplyFile[]): Promise<T>;
  upload?(files: readonly ReplyFile[]): Promise<void>;
}

const TEXT_FILE = 'text/plain; charset=utf-8';

/** The name of the file that carries a cut reply's full text: `imaging-request-12.txt`, from its title. */
export function fullTextFileName(reply: Reply): string {
  const base = (reply.title ?? reply.text.split('\n')[0] ?? '')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `${base || 'atmo-reply'}.txt`;
}

/** Every word of a reply as plain text, in reading order: what a cut rendering leaves out is here. */
export function replyAsText(reply: Reply): string {
  const lines: string[] = [];
  if (reply.title) lines.push(reply.title, '');
  if (reply.text.trim() !== '') lines.push(reply.text);
  const fieldLines = (fields: Reply['fields'], indent: string) => {
    for (const field of fields ?? []) {
      lines.push(field.value.includes('\n') ? `${indent}${field.label}:\n${field.value}` : `${indent}${field.label}: ${field.value}`);
    }
  };
  fieldLines(reply.fields, '');
  for (const section of reply.sections ?? []) {
    lines.push('');
    if (section.text.trim() !== '') lines.push(section.text);
    fieldLines(section.fields, '');
  }
  if (reply.footer) lines.push('', reply.footer);
  return `${lines.join('\n')}\n`;
}

/** A UTF-8 text file. */
export function textFile(name: string, text: string, title?: string): ReplyFile {
  return { name, data: new TextEncoder().encode(text), mimeType: TEXT_FILE, ...(title ? { title } : {}) };
}

/** Why the files could not go out, in words safe for chat: an integration's own sentence, else nothing secret. */
function reasonOf(error: unknown): string {
  return error instanceof IntegrationError ? integrationReason(error) : 'an unexpected error (see the bot log)';
}

/** The reply, saying up front (in its footer, which is never cut away) that its files are missing. */
export function withFilesMissing(reply: Reply, files: readonly ReplyFile[], error: unknown): Reply {
  const names = files.map((file) => file.name).join(', ');
  const note = `${files.length === 1 ? 'The file' : 'The files'} ${names} could not be attached: ${reasonOf(error)}.`;
  const { files: _dropped, ...rest } = reply;
  return { ...rest, footer: reply.footer ? `${note}\n${reply.footer}` : note };
}

/**
 * Sends `reply` with its own files and, when the platform cut any of its text, one more file holding
 * all of it, named in the cut markers. If the files cannot be uploaded the message still goes out,
 * without them, and says so; a failure to send the message itself is the caller's to handle.
 * `uploaded` remembers the replies whose files a separate upload already delivered, so that sending
 * the same reply again after its message failed (the dispatcher retries once) does not share them twice.
 */
export async function deliverReply<M, T>(reply: Reply, port: FileUploadPort<M, T>, log: Logger, uploaded?: WeakSet<Reply>): Promise<T> {
  const name = fullTextFileName(reply);
  const first = port.render(reply, { name, attached: true });
  const files = [...(reply.files ?? []), ...(first.cut ? [textFile(name, replyAsText(reply), reply.title)] : [])];
  if (files.length === 0) return port.send(first.message, []);
  let failure: unknown;
  if (port.upload) {
    if (uploaded?.has(reply)) return port.send(first.message, []);
    try {
      await port.upload(files);
      uploaded?.add(reply);
    } catch (error) {
      failure = error;
    }
    if (failure === undefined) return port.send(first.message, []);
  } else {
    try {
      return await port.send(first.message, files);
    } catch (error) {
      failure = error;
    }
  }
  log.warn({ err: failure, files: files.map((file) => file.name) }, 'could not attach the files of a reply; sending it without them');
  return port.send(port.render(withFilesMissing(reply, files, failure), { name, attached: false }).message, []);
}
