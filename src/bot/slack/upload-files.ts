import type { webApi } from '@slack/bolt';
import { IntegrationError } from '../../errors.js';
import type { ReplyFile } from '../chat/reply.js';
import { callSlack } from './slack-error.js';

type WebClient = webApi.WebClient;

/** Where shared files land: a channel (a DM's `D…` id for a private reply), and a thread's parent ts. */
export interface SlackFileDestination {
  channel: string;
  threadTs?: string;
}

/** The upload URL is Slack's own and short-lived; a stalled transfer must not hold the reply forever. */
const UPLOAD_TIMEOUT_MS = 30_000;

/**
 * Shares `files` in a channel or thread with Slack's external upload flow
 * (https://docs.slack.dev/messaging/working-with-files#uploading_files): `files.getUploadURLExternal`
 * with each file's name and byte length, a POST of the bytes to the URL it returns, and one
 * `files.completeUploadExternal` naming the files, their titles and where to share them. This is what
 * the WebClient's `filesUploadV2` does, done step by step so that each failure names its step.
 */
export async function uploadSlackFiles(client: WebClient, files: readonly ReplyFile[], destination: SlackFileDestination): Promise<void> {
  const uploaded: { id: string; title: string }[] = [];
  for (const file of files) {
    const target = await callSlack('files.getUploadURLExternal', () =>
      client.files.getUploadURLExternal({ filename: file.name, length: file.data.byteLength, ...(file.altText ? { alt_text: file.altText } : {}) }),
    );
    if (!target.upload_url || !target.file_id) throw new IntegrationError('slack', 'Slack accepted files.getUploadURLExternal but returned no upload URL');
    await postBytes(target.upload_url, file);
    uploaded.push({ id: target.file_id, title: file.title ?? file.name });
  }
  const [first, ...rest] = uploaded;
  if (!first) return;
  await callSlack('files.completeUploadExternal', () =>
    client.files.completeUploadExternal({
      files: [first, ...rest],
      channel_id: destination.channel,
      ...(destination.threadTs ? { thread_ts: destination.threadTs } : {}),
    }),
  );
}

/** The URL carries its own authorisation, so it is never logged or shown; only the status is. */
async function postBytes(url: string, file: ReplyFile): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': file.mimeType },
      body: file.data,
      signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
    });
  } catch (error) {
    throw new IntegrationError('slack', `could not send the bytes of ${file.name} to Slack's upload URL`, { cause: error });
  }
  await response.arrayBuffer().catch(() => undefined);
  if (response.status !== 200) {
    throw new IntegrationError('slack', `Slack's upload URL refused the bytes of ${file.name} (HTTP ${response.status})`, { status: response.status });
  }
}

/** The bot's direct-message channel with `userId`, where a private reply's files go (`conversations.open`, scope `im:write`). */
export async function directMessageChannel(client: WebClient, userId: string): Promise<string> {
  const opened = await callSlack('conversations.open', () => client.conversations.open({ users: userId }));
  const id = opened.channel?.id;
  if (!id) throw new IntegrationError('slack', 'Slack accepted conversations.open but returned no channel');
  return id;
}
