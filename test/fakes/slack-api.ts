import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * A fake Slack Web API on 127.0.0.1: the real WebClient posts form-encoded calls to it
 * (`POST /api/<method>`, `Authorization: Bearer …`, objects such as `blocks` as JSON strings inside
 * the form). It also takes the response_url POSTs of interactions at `/responses/<id>`, and the
 * external file upload flow (https://docs.slack.dev/messaging/working-with-files#uploading_files, and
 * `filesUploadV2` in @slack/web-api's WebClient for the client's side): `files.getUploadURLExternal`
 * hands out an upload URL on this server for a declared filename and byte length, the bytes are
 * POSTed there (answered `OK - <length>` as Slack does), and `files.completeUploadExternal` shares the
 * uploaded files in `channel_id` (and `thread_ts`); only then do they appear in `files`.
 */

export interface RecordedCall {
  method: string;
  /** Form fields, with JSON-valued ones (`blocks`, `view`, ...) parsed. */
  args: Record<string, unknown>;
  token: string;
  /** What the fake answered (a posted message's `ts`). */
  response?: Record<string, unknown>;
}

export interface RecordedResponse {
  id: string;
  body: Record<string, unknown>;
}

/** A file shared by `files.completeUploadExternal`. */
export interface SharedFile {
  id: string;
  filename: string;
  title: string;
  /** `alt_text` given to files.getUploadURLExternal, if any. */
  altText: string | undefined;
  bytes: Buffer;
  /** The content type the bytes were POSTed with. */
  contentType: string;
  channel: string | undefined;
  threadTs: string | undefined;
}

export interface FakeUser {
  email?: string;
  deleted?: boolean;
  is_bot?: boolean;
}

export interface FakeSlackApi {
  /** The Web API base to give the client as `slackApiUrl`, ending in `/api/`. */
  url: string;
  calls: RecordedCall[];
  /** Every Home tab published (views.publish), in order. */
  homeViews: { user: string; view: Record<string, unknown> }[];
  responses: RecordedResponse[];
  /** Files completed and shared through the external upload flow, in order. */
  files: SharedFile[];
  /** The next POST of bytes to an upload URL is answered with this HTTP status. */
  failNextUpload(status: number): void;
  /** A response_url on this server; what is posted to it lands in `responses` under `id`. */
  responseUrl(id: string): string;
  /**
   * The messages a user sees from `id`'s response_url: each post adds one, except that
   * `replace_original: true` replaces the last one and `delete_original: true` removes it
   * (https://api.slack.com/interactivity/handling#message_responses).
   */
  shown(id: string): Record<string, unknown>[];
  setUser(id: string, user: FakeUser): void;
  /** The next call of `method` answers `{ ok: false, error }`. */
  failNext(method: string, error: string): void;
  /** What `apps.connections.open` hands out (Socket Mode). */
  setSocketUrl(url: string): void;
  /** Resolves with the predicate's first truthy result; rejects after `timeoutMs`. */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  /** Called as each response_url post arrives (benchmarks time the answers with it). */
  onResponse: ((response: RecordedResponse) => void) | undefined;
  /** Called as each Web API call arrives, before it is answered (benchmarks time edits and forms with it). */
  onCall: ((call: RecordedCall) => void) | undefined;
  close(): Promise<void>;
}

const JSON_FIELDS = new Set(['blocks', 'view', 'attachments', 'metadata', 'files']);

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface PendingUpload {
  filename: string;
  length: number;
  altText?: string;
  bytes?: Buffer;
  contentType?: string;
}

function parseArgs(contentType: string, raw: string): Record<string, unknown> {
  if (contentType.startsWith('application/json')) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = JSON_FIELDS.has(key) ? JSON.parse(value) : value;
  }
  return args;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const calls: RecordedCall[] = [];
  const homeViews: { user: string; view: Record<string, unknown> }[] = [];
  const responses: RecordedResponse[] = [];
  const users = new Map<string, FakeUser>();
  const failures = new Map<string, string>();
  const uploads = new Map<string, PendingUpload>();
  const files: SharedFile[] = [];
  let uploadFailure: number | undefined;
  let fileCounter = 0;
  let socketUrl = '';
  let tsCounter = 0;
  const nextTs = () => `1700000000.${String(++tsCounter).padStart(6, '0')}`;

  function answer(method: string, token: string, args: Record<string, unknown>): Record<string, unknown> {
    const failure = failures.get(method);
    if (failure) {
      failures.delete(method);
      return { ok: false, error: failure };
    }
    if (method === 'apps.connections.open') {
      return token.startsWith('xapp-') ? { ok: true, url: socketUrl } : { ok: false, error: 'not_allowed_token_type' };
    }
    if (!token.startsWith('xoxb-')) return { ok: false, error: token ? 'invalid_auth' : 'not_authed' };
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://acme.slack.com/', team: 'Acme', user: 'atmo', team_id: 'T1', user_id: 'UB1', bot_id: 'B1' };
      case 'chat.postMessage': {
        if (typeof args['channel'] !== 'string' || !args['channel']) return { ok: false, error: 'channel_not_found' };
        if (typeof args['text'] !== 'string' && !Array.isArray(args['blocks'])) return { ok: false, error: 'no_text' };
        const ts = nextTs();
        return { ok: true, channel: args['channel'], ts, message: { type: 'message', ts, text: args['text'], bot_id: 'B1' } };
      }
      case 'chat.update':
        if (typeof args['ts'] !== 'string' || typeof args['channel'] !== 'string') return { ok: false, error: 'invalid_arguments' };
        return { ok: true, channel: args['channel'], ts: args['ts'], text: args['text'] };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'conversations.open': {
        const user = args['users'];
        if (typeof user !== 'string' || !user) return { ok: false, error: 'users_list_not_supplied' };
        return { ok: true, channel: { id: `D${user}` } };
      }
      case 'files.getUploadURLExternal': {
        const filename = args['filename'];
        const length = Number(args['length']);
        if (typeof filename !== 'string' || filename === '') return { ok: false, error: 'invalid_arguments' };
        if (!Number.isInteger(length) || length <= 0) return { ok: false, error: 'invalid_arguments' };
        const id = `F${String(++fileCounter).padStart(8, '0')}`;
        uploads.set(id, { filename, length, ...(typeof args['alt_text'] === 'string' ? { altText: args['alt_text'] } : {}) });
        return { ok: true, upload_url: `${base}/upload/v1/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const list = args['files'];
        if (!Array.isArray(list) || list.length === 0) return { ok: false, error: 'invalid_arguments' };
        const channel = typeof args['channel_id'] === 'string' ? args['channel_id'] : undefined;
        const threadTs = typeof args['thread_ts'] === 'string' ? args['thread_ts'] : undefined;
        if (threadTs && !channel) return { ok: false, error: 'invalid_arguments' };
        const entries = list as { id?: unknown; title?: unknown }[];
        // Every file must have been uploaded, with as many bytes as were declared, before it is completed.
        for (const entry of entries) {
          const pending = typeof entry.id === 'string' ? uploads.get(entry.id) : undefined;
          if (!pending) return { ok: false, error: 'file_not_found' };
          if (!pending.bytes) return { ok: false, error: 'file_upload_not_complete' };
        }
        const done = entries.map((entry) => {
          const id = entry.id as string;
          const pending = uploads.get(id)!;
          uploads.delete(id);
          const file: SharedFile = {
            id,
            filename: pending.filename,
            title: typeof entry.title === 'string' ? entry.title : pending.filename,
            altText: pending.altText,
            bytes: pending.bytes!,
            contentType: pending.contentType ?? '',
            channel,
            threadTs,
          };
          files.push(file);
          return file;
        });
        return { ok: true, files: done.map((file) => ({ id: file.id, name: file.filename, title: file.title, size: file.bytes.length })) };
      }
      case 'views.open': {
        const view = args['view'];
        if (typeof args['trigger_id'] !== 'string' || typeof view !== 'object' || view === null) {
          return { ok: false, error: 'invalid_arguments' };
        }
        return { ok: true, view: { id: 'V1', ...view } };
      }
      case 'views.publish': {
        // views.publish (https://docs.slack.dev/reference/methods/views.publish): user_id and a view of
        // type "home"; Slack refuses more than 100 blocks (invalid_arguments) and a section text over
        // 3,000 characters.
        const view = args['view'] as { type?: unknown; blocks?: { type?: string; text?: { text?: string } }[] } | undefined;
        if (typeof args['user_id'] !== 'string' || !view || view.type !== 'home' || !Array.isArray(view.blocks)) return { ok: false, error: 'invalid_arguments' };
        if (view.blocks.length > 100 || view.blocks.some((block) => (block.text?.text?.length ?? 0) > 3_000)) return { ok: false, error: 'invalid_arguments' };
        homeViews.push({ user: args['user_id'], view: view as Record<string, unknown> });
        return { ok: true, view: { id: `VH${homeViews.length}`, ...view } };
      }
      case 'users.info': {
        const id = String(args['user']);
        const user = users.get(id);
        if (!user) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: {
            id,
            name: id.toLowerCase(),
            deleted: user.deleted ?? false,
            is_bot: user.is_bot ?? false,
            profile: { display_name: id, ...(user.email ? { email: user.email } : {}) },
          },
        };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const bytes = await readBody(req);
      const uploadMatch = /^\/upload\/v1\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'POST' && uploadMatch) {
        const pending = uploads.get(uploadMatch[1]!);
        res.setHeader('content-type', 'text/plain');
        if (uploadFailure !== undefined) {
          const status = uploadFailure;
          uploadFailure = undefined;
          return void res.writeHead(status).end('upload failed');
        }
        if (!pending || pending.bytes) return void res.writeHead(404).end('not found');
        // The length declared to files.getUploadURLExternal is the size of the file; anything else is refused.
        if (bytes.length !== pending.length) return void res.writeHead(400).end(`length mismatch: declared ${pending.length}, got ${bytes.length}`);
        pending.bytes = bytes;
        pending.contentType = req.headers['content-type'] ?? '';
        return void res.writeHead(200).end(`OK - ${bytes.length}`);
      }
      const raw = bytes.toString('utf8');
      const responseMatch = /^\/responses\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'POST' && responseMatch) {
        // Slack takes response_url posts as JSON with no Authorization header.
        if (req.headers['content-type'] !== 'application/json') return send(res, 400, { ok: false, error: 'invalid_content_type' });
        const response = { id: decodeURIComponent(responseMatch[1]!), body: JSON.parse(raw) as Record<string, unknown> };
        responses.push(response);
        fake.onResponse?.(response);
        return send(res, 200, { ok: true });
      }
      const methodMatch = /^\/api\/([\w.]+)$/.exec(url.pathname);
      if (req.method !== 'POST' || !methodMatch) return send(res, 404, { ok: false, error: 'not_found' });
      const method = methodMatch[1]!;
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const args = parseArgs(req.headers['content-type'] ?? '', raw);
      const call: RecordedCall = { method, args, token };
      calls.push(call);
      fake.onCall?.(call);
      call.response = answer(method, token, args);
      return send(res, 200, call.response);
    })().catch((error: unknown) => send(res, 500, { ok: false, error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('fake Slack API has no port');
  const base = `http://127.0.0.1:${address.port}`;

  const fake: FakeSlackApi = {
    url: `${base}/api/`,
    calls,
    homeViews,
    responses,
    files,
    failNextUpload: (status) => {
      uploadFailure = status;
    },
    onResponse: undefined,
    onCall: undefined,
    responseUrl: (id) => `${base}/responses/${encodeURIComponent(id)}`,
    shown: (id) => {
      const messages: Record<string, unknown>[] = [];
      for (const { body } of responses.filter((response) => response.id === id)) {
        if (body['delete_original'] === true) messages.pop();
        else if (body['replace_original'] === true && messages.length > 0) messages[messages.length - 1] = body;
        else messages.push(body);
      }
      return messages;
    },
    setUser: (id, user) => void users.set(id, user),
    failNext: (method, error) => void failures.set(method, error),
    setSocketUrl: (url) => {
      socketUrl = url;
    },
    async waitFor(predicate, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const result = predicate();
        if (result) return result;
        if (Date.now() > deadline) throw new Error(`fake Slack API: condition not met within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
  return fake;
}
