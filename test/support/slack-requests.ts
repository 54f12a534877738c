import { createHmac, randomBytes } from 'node:crypto';

/**
 * Slack request payloads in their real shapes (slash command form fields, block_actions and
 * view_submission JSON), and a client that signs and posts them exactly like Slack does.
 */

export type SlashCommandFields = Record<string, string>;

let counter = 0;
function triggerId(): string {
  counter += 1;
  return `${counter}.${Date.now()}.${randomBytes(8).toString('hex')}`;
}

export function slashCommand(options: {
  text: string;
  userId?: string;
  userName?: string;
  channelId?: string;
  responseUrl?: string;
  triggerId?: string;
}): SlashCommandFields {
  return {
    token: 'legacy-verification-token',
    team_id: 'T1',
    team_domain: 'acme',
    channel_id: options.channelId ?? 'C1',
    channel_name: 'ops',
    user_id: options.userId ?? 'U1',
    user_name: options.userName ?? 'alice',
    command: '/atmo',
    text: options.text,
    api_app_id: 'A1',
    is_enterprise_install: 'false',
    response_url: options.responseUrl ?? 'https://hooks.slack.com/commands/T1/1/abc',
    trigger_id: options.triggerId ?? triggerId(),
  };
}

export interface BlockActionPayload {
  type: 'block_actions';
  [key: string]: unknown;
}

export function blockAction(options: {
  actionId: string;
  value: string;
  userId?: string;
  messageTs: string;
  channelId?: string;
  responseUrl: string;
  triggerId?: string;
  ephemeral?: boolean;
  threadTs?: string;
}): BlockActionPayload {
  const channelId = options.channelId ?? 'C1';
  return {
    type: 'block_actions',
    user: { id: options.userId ?? 'U1', username: 'alice', name: 'alice', team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: options.messageTs, channel_id: channelId, is_ephemeral: options.ephemeral ?? false },
    trigger_id: options.triggerId ?? triggerId(),
    team: { id: 'T1', domain: 'acme' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channelId, name: 'ops' },
    message: {
      type: 'message',
      ts: options.messageTs,
      text: 'Resource request 42',
      user: 'UB1',
      bot_id: 'B1',
      ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
    },
    state: { values: {} },
    response_url: options.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: options.actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'Approve', emoji: true },
        value: options.value,
        action_ts: '1700000001.000200',
      },
    ],
  };
}

export interface ViewSubmissionPayload {
  type: 'view_submission';
  [key: string]: unknown;
}

/** `values` maps each input's block id (= action id = field name) to what was typed; null when left empty. */
export function viewSubmission(options: {
  privateMetadata: string;
  values: Record<string, string | null>;
  userId?: string;
  callbackId?: string;
  triggerId?: string;
}): ViewSubmissionPayload {
  const values = Object.fromEntries(
    Object.entries(options.values).map(([name, value]) => [name, { [name]: { type: 'plain_text_input', value } }]),
  );
  return {
    type: 'view_submission',
    team: { id: 'T1', domain: 'acme' },
    user: { id: options.userId ?? 'U1', username: 'alice', name: 'alice', team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy-verification-token',
    trigger_id: options.triggerId ?? triggerId(),
    view: {
      id: 'V1',
      team_id: 'T1',
      type: 'modal',
      callback_id: options.callbackId ?? 'atmo-form',
      private_metadata: options.privateMetadata,
      title: { type: 'plain_text', text: 'Deny request' },
      blocks: [],
      close: null,
      submit: { type: 'plain_text', text: 'Deny' },
      state: { values },
      hash: '1700000002.abc',
      root_view_id: 'V1',
      previous_view_id: null,
      app_id: 'A1',
      bot_id: 'B1',
      clear_on_close: false,
      notify_on_close: false,
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** Slash commands arrive as plain form fields; interactions as one `payload` field holding JSON. */
export function encodeBody(body: string | SlashCommandFields | BlockActionPayload | ViewSubmissionPayload): string {
  if (typeof body === 'string') return body;
  if (typeof body['type'] === 'string' && (body['type'] === 'block_actions' || body['type'] === 'view_submission')) {
    return new URLSearchParams({ payload: JSON.stringify(body) }).toString();
  }
  return new URLSearchParams(body as SlashCommandFields).toString();
}

export function signature(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/**
 * POSTs to `<appUrl>/slack/events` signed as Slack signs (v0, HMAC-SHA256 over `v0:<ts>:<body>`), with
 * the bare form content type Bolt insists on. `timestamp` (Unix seconds), `signature`, `contentType`
 * (application/json for Events API bodies) and extra `headers` (X-Slack-Retry-Num) override.
 */
export async function signedPost(
  appUrl: string,
  body: string | SlashCommandFields | BlockActionPayload | ViewSubmissionPayload,
  secret: string,
  options: { timestamp?: number; signature?: string; contentType?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const raw = encodeBody(body);
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  return fetch(`${appUrl}/slack/events`, {
    method: 'POST',
    body: raw,
    headers: {
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': options.signature ?? signature(secret, timestamp, raw),
      ...options.headers,
    },
  });
}
