import type { FileUploadPort } from '../chat/deliver-reply.js';
import type { ReplyFile } from '../chat/reply.js';
import { renderReplyMessageWithCuts, type DiscordMessage } from './render-reply.js';

/**
 * A reply's way out on Discord: files ride on the message itself, as the multipart parts `files[n]`
 * that `attachments` in `payload_json` describes
 * (https://discord.com/developers/docs/reference#uploading-files), so there is no separate upload;
 * if the message with its files is refused, it is sent again without them.
 */
export function discordFilePort<T>(send: (message: DiscordMessage, files: readonly ReplyFile[]) => Promise<T>): FileUploadPort<DiscordMessage, T> {
  return {
    render: (reply, file) => renderReplyMessageWithCuts(reply, file),
    send,
  };
}

/** An attachment's description is its alt text; a title stands in for it when there is none. */
function descriptionOf(file: ReplyFile): { description?: string } {
  const text = file.altText ?? file.title;
  return text ? { description: text.slice(0, 1024) } : {};
}

/** discord.js message options take files as `{ attachment, name, description }`; it numbers them. */
export function clientFiles(files: readonly ReplyFile[]): { attachment: Buffer; name: string; description?: string }[] {
  return files.map((file) => ({ attachment: Buffer.from(file.data), name: file.name, ...descriptionOf(file) }));
}

/** A raw REST call takes the parts and their descriptions separately; the ids tie each to its part. */
export function restFiles(files: readonly ReplyFile[]): {
  files: { name: string; data: Buffer; contentType: string }[];
  attachments: { id: number; filename: string; description?: string }[];
} {
  return {
    files: files.map((file) => ({ name: file.name, data: Buffer.from(file.data), contentType: file.mimeType })),
    attachments: files.map((file, index) => ({ id: index, filename: file.name, ...descriptionOf(file) })),
  };
}
