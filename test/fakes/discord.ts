import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A fake Discord on 127.0.0.1: the REST routes the bot uses and a gateway speaking enough of the
 * protocol (HELLO, IDENTIFY/READY, heartbeats, RESUME with replay) for the real discord.js client.
 * Every REST call is recorded; bot routes check `Authorization: Bot <token>` as Discord does, while
 * interaction callbacks and webhooks authenticate by their token in the path and carry no header.
 * A message with files arrives as multipart/form-data, as Discord takes it
 * (https://discord.com/developers/docs/reference#uploading-files, and `resolveRequest` in
 * @discordjs/rest for the client's side): the JSON body in the `payload_json` part, each file in a
 * `files[n]` part, described by the entry of `attachments` whose `id` is n. A part without its
 * entry, an entry without its part, or a file over the 10 MiB bot upload limit is refused.
 */

export interface RecordedRequest {
  method: string;
  /** Decoded path without the query, e.g. `/webhooks/111/itok/messages/@original`. */
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body: unknown;
  /** The `files[n]` parts of a multipart request, in order. */
  files: RecordedFile[];
  /** What the fake answered (a created message carries its id). */
  response?: unknown;
}

export interface RecordedFile {
  /** The part's name, `files[0]`. */
  key: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

/** Discord's default upload limit for a bot's message, per file. */
export const UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

interface Session {
  id: string;
  seq: number;
  /** Every dispatch of the session, for replay on RESUME. */
  sent: { s: number; frame: string }[];
  socket: WebSocket | null;
  ready: boolean;
}

export interface FakeDiscord {
  /** REST base for discord.js (`rest.api`), e.g. `http://127.0.0.1:P/api`. */
  apiUrl: string;
  gatewayUrl: string;
  requests: RecordedRequest[];
  /** Sockets the gateway accepted, IDENTIFYs and RESUMEs it answered. */
  stats: { connections: number; identifies: number; resumes: number };
  /**
   * Pushes INTERACTION_CREATE to every session, as Discord does to each session of the application;
   * while one is disconnected it waits there and is replayed on RESUME.
   */
  sendInteraction(d: object): void;
  /** Closes the gateway socket with a resumable code, as Discord does when it moves a session. */
  dropConnection(): void;
  /** Resolves with the first recorded request (past or future) matching `match`. */
  waitForRequest(match: (request: RecordedRequest) => boolean): Promise<RecordedRequest>;
  /** Resolves once a session is live again after `dropConnection` (RESUMED or READY sent). */
  waitForLiveSession(): Promise<void>;
  /** Called with each request as it is recorded, before it is answered (a benchmark times arrivals with it). */
  onRequest?: (request: RecordedRequest) => void;
  close(): Promise<void>;
}

const HEARTBEAT_INTERVAL = 41_250;
const RESUMABLE_CLOSE = 4000; // "unknown error": clients reconnect and resume

export async function startFakeDiscord(options: { token: string; applicationId: string; botUserId?: string }): Promise<FakeDiscord> {
  const botUser = { id: options.botUserId ?? options.applicationId, username: 'atmo-bot', discriminator: '0', avatar: null, bot: true, global_name: null };
  const requests: RecordedRequest[] = [];
  const waiters: { match: (request: RecordedRequest) => boolean; resolve: (request: RecordedRequest) => void }[] = [];
  const stats = { connections: 0, identifies: 0, resumes: 0 };
  const threadsByMessage = new Map<string, string>();
  /** The DM channel of each recipient ("Create DM" answers the same channel again). */
  const dmChannels = new Map<string, string>();
  const messages = new Map<string, Record<string, unknown>>();
  /** `@original` per interaction token, so repeated edits hit the same message. */
  const originals = new Map<string, string>();
  /** The type of each interaction sent, and those already given their one response, by id. */
  const interactionTypes = new Map<string, number>();
  const responded = new Set<string>();
  let nextId = 900_000_000_000_000_000n;
  const snowflake = () => String(nextId++);
  /** The latest session (the one dropConnection drops); every session gets each interaction. */
  let session: Session | null = null;
  const sessions = new Map<string, Session>();
  let liveWaiters: (() => void)[] = [];

  function attachmentObjects(body: Record<string, unknown>, files: RecordedFile[]): Record<string, unknown>[] {
    const described = (Array.isArray(body.attachments) ? body.attachments : []) as { id: unknown; filename?: unknown; description?: unknown }[];
    return files.map((file, index) => {
      const entry = described.find((item) => String(item.id) === String(index));
      const attachmentId = snowflake();
      return {
        id: attachmentId,
        filename: typeof entry?.filename === 'string' ? entry.filename : file.filename,
        ...(typeof entry?.description === 'string' ? { description: entry.description } : {}),
        size: file.bytes.length,
        content_type: file.contentType,
        url: `${apiUrl}/attachments/${attachmentId}/${file.filename}`,
        proxy_url: `${apiUrl}/attachments/${attachmentId}/${file.filename}`,
      };
    });
  }

  function messageObject(channelId: string, body: Record<string, unknown>, id = snowflake(), files: RecordedFile[] = []): Record<string, unknown> {
    const previous = messages.get(id) ?? {};
    const message = {
      id,
      type: 0,
      channel_id: channelId,
      author: botUser,
      content: '',
      embeds: [],
      components: [],
      attachments: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      timestamp: new Date(0).toISOString(),
      edited_timestamp: null,
      flags: 0,
      ...previous,
      ...pick(body, ['content', 'embeds', 'components', 'flags']),
      ...(files.length > 0 ? { attachments: attachmentObjects(body, files) } : {}),
    };
    messages.set(id, message);
    return message;
  }

  /**
   * An interaction takes exactly one response: a second is refused with 40060 ("Interaction has
   * already been acknowledged", Discord's JSON error codes). DEFERRED_UPDATE_MESSAGE (6) and
   * UPDATE_MESSAGE (7) exist only for message components and modals submitted from one (interaction
   * types 3 and 5), and a modal (9) cannot answer a modal submission; Discord answers 400 to those.
   * https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-interaction-callback-type
   */
  function interactionCallback(id: string, body: Record<string, unknown>): { status: number; body?: unknown } {
    const interactionType = interactionTypes.get(id);
    if (responded.has(id)) return { status: 400, body: { message: 'Interaction has already been acknowledged.', code: 40060 } };
    const callbackType = body.type;
    const componentOnly = callbackType === 6 || callbackType === 7;
    if ((componentOnly && interactionType !== 3 && interactionType !== 5) || (callbackType === 9 && interactionType === 5)) {
      return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors: { type: { _errors: [{ code: 'INTERACTION_RESPONSE_TYPE_INVALID', message: 'Invalid interaction response type' }] } } } };
    }
    responded.add(id);
    return { status: 204 };
  }

  /** Each `files[n]` part needs its `attachments` entry with id n, and each entry its part. */
  function checkFiles(request: RecordedRequest): { status: number; body?: unknown } | undefined {
    if (request.files.length === 0) return undefined;
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const payload = (request.path.endsWith('/callback') ? (raw.data ?? {}) : raw) as Record<string, unknown>;
    const described = (Array.isArray(payload.attachments) ? payload.attachments : []) as { id?: unknown }[];
    const keys = request.files.map((file) => file.key);
    const ids = described.map((item) => `files[${String(item.id)}]`);
    if (keys.some((key) => !ids.includes(key)) || ids.some((id) => !keys.includes(id))) {
      return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors: { attachments: { _errors: [{ code: 'ATTACHMENT_NOT_FOUND', message: 'Attachment data not found' }] } } } };
    }
    if (request.files.some((file) => file.bytes.length > UPLOAD_LIMIT_BYTES)) return { status: 413, body: { message: 'Request entity too large', code: 40005 } };
    return undefined;
  }

  function route(request: RecordedRequest): { status: number; body?: unknown } {
    const refused = checkFiles(request);
    if (refused) return refused;
    const { method, path, files } = request;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const botRoute = !path.startsWith('/interactions/') && !path.startsWith('/webhooks/');
    if (botRoute && request.authorization !== `Bot ${options.token}`) return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    let match: RegExpExecArray | null;
    if (method === 'GET' && path === '/gateway/bot') {
      return {
        status: 200,
        body: { url: gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } },
      };
    }
    if (method === 'POST' && (match = /^\/interactions\/(\d+)\/[^/]+\/callback$/.exec(path))) return interactionCallback(match[1]!, body);
    if ((match = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/.exec(path))) {
      if (match[1] !== options.applicationId) return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } };
      const interactionToken = match[2]!;
      const messageId = match[3];
      if (method === 'POST' && !messageId) return { status: 200, body: messageObject('0', body, undefined, files) };
      if (method === 'PATCH' && messageId) {
        const id = messageId === '@original' ? (originals.get(interactionToken) ?? snowflake()) : messageId;
        if (messageId === '@original') originals.set(interactionToken, id);
        return { status: 200, body: messageObject('0', body, id, files) };
      }
      if (method === 'DELETE' && messageId) return { status: 204 };
    }
    // "Create DM" (POST /users/@me/channels {recipient_id}): the DM channel, type 1, one per recipient.
    if (method === 'POST' && path === '/users/@me/channels') {
      if (typeof body.recipient_id !== 'string' || !/^\d+$/.test(body.recipient_id)) return { status: 400, body: { message: 'Invalid Form Body', code: 50035 } };
      let dm = dmChannels.get(body.recipient_id);
      if (!dm) dmChannels.set(body.recipient_id, (dm = snowflake()));
      return { status: 200, body: { id: dm, type: 1, last_message_id: null, flags: 0, recipients: [{ id: body.recipient_id, username: `user${body.recipient_id.slice(-4)}`, discriminator: '0' }] } };
    }
    if ((match = /^\/channels\/(\d+)\/messages$/.exec(path)) && method === 'POST') return { status: 200, body: messageObject(match[1]!, body, undefined, files) };
    if ((match = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path)) && method === 'PATCH') {
      return { status: 200, body: messageObject(match[1]!, body, match[2]!, files) };
    }
    if ((match = /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/.exec(path)) && method === 'POST') {
      if (threadsByMessage.has(match[2]!)) return { status: 400, body: { message: 'A thread has already been created for this message', code: 160004 } };
      if (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 100) {
        return { status: 400, body: { message: 'Invalid Form Body', code: 50035 } };
      }
      // A thread started from a message takes the message's id.
      threadsByMessage.set(match[2]!, match[2]!);
      return { status: 201, body: { id: match[2], type: 11, parent_id: match[1], name: body.name, guild_id: '0' } };
    }
    if ((match = /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/.exec(path)) && method === 'PUT') {
      if (match[1] !== options.applicationId) return { status: 403, body: { message: 'Missing Access', code: 50001 } };
      const commands = Array.isArray(request.body) ? (request.body as Record<string, unknown>[]) : [];
      return { status: 200, body: commands.map((command) => ({ ...command, id: snowflake(), application_id: match![1], guild_id: match![2], version: '1' })) };
    }
    return { status: 404, body: { message: '404: Not Found', code: 0 } };
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const { body, files } = await parseBody(req.headers['content-type'] ?? '', raw);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const prefix = '/api/v10';
    // discord.js percent-encodes `@original`; Discord (and so this fake) ignores query strings for routing.
    const path = decodeURIComponent(url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname);
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      query: url.searchParams,
      authorization: req.headers.authorization,
      body,
      files,
    };
    const result = route(recorded);
    recorded.response = result.body;
    requests.push(recorded);
    fake.onRequest?.(recorded);
    for (const waiter of [...waiters]) {
      if (waiter.match(recorded)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(recorded);
      }
    }
    if (result.status === 204) {
      // No JSON content type on an empty body: discord.js would try to parse it and crash.
      res.writeHead(204).end();
      return;
    }
    res.writeHead(result.status, { 'content-type': 'application/json' }).end(JSON.stringify(result.body));
  }

  const http = createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/api`;

  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const gatewayUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;

  function dispatch(current: Session, t: string, d: unknown): void {
    current.seq += 1;
    const frame = JSON.stringify({ op: 0, t, s: current.seq, d });
    current.sent.push({ s: current.seq, frame });
    if (current.ready && current.socket) current.socket.send(frame);
  }

  function markLive(): void {
    const waiting = liveWaiters;
    liveWaiters = [];
    for (const resolve of waiting) resolve();
  }

  wss.on('connection', (socket) => {
    stats.connections += 1;
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: HEARTBEAT_INTERVAL } }));
    socket.on('message', (data) => {
      const payload = JSON.parse(String(data)) as { op: number; d: Record<string, unknown> | number | null };
      const d = (payload.d ?? {}) as Record<string, unknown>;
      if (payload.op === 1) {
        socket.send(JSON.stringify({ op: 11 }));
      } else if (payload.op === 2) {
        if (d.token !== options.token) {
          socket.close(4004, 'Authentication failed.');
          return;
        }
        stats.identifies += 1;
        session = { id: `session-${stats.identifies}`, seq: 0, sent: [], socket, ready: true };
        sessions.set(session.id, session);
        dispatch(session, 'READY', {
          v: 10,
          user: botUser,
          // No guilds: discord.js would otherwise wait for their GUILD_CREATE.
          guilds: [],
          session_id: session.id,
          resume_gateway_url: gatewayUrl,
          shard: [0, 1],
          application: { id: options.applicationId, flags: 0 },
        });
        markLive();
      } else if (payload.op === 6) {
        const resumed = typeof d.session_id === 'string' ? sessions.get(d.session_id) : undefined;
        if (d.token !== options.token || !resumed) {
          socket.send(JSON.stringify({ op: 9, d: false }));
          return;
        }
        stats.resumes += 1;
        const seq = typeof d.seq === 'number' ? d.seq : 0;
        resumed.socket = socket;
        for (const item of resumed.sent) if (item.s > seq) socket.send(item.frame);
        resumed.ready = true;
        dispatch(resumed, 'RESUMED', {});
        markLive();
      }
    });
    socket.on('close', () => {
      for (const known of sessions.values()) {
        if (known.socket !== socket) continue;
        known.socket = null;
        known.ready = false;
      }
    });
  });

  const fake: FakeDiscord = {
    apiUrl,
    gatewayUrl,
    requests,
    stats,
    sendInteraction(d) {
      if (sessions.size === 0) throw new Error('no gateway session: start the bot first');
      const { id, type } = d as { id?: unknown; type?: unknown };
      if (typeof id === 'string' && typeof type === 'number') interactionTypes.set(id, type);
      for (const each of sessions.values()) dispatch(each, 'INTERACTION_CREATE', d);
    },
    dropConnection() {
      if (!session?.socket) throw new Error('no live gateway connection to drop');
      session.ready = false;
      session.socket.close(RESUMABLE_CLOSE, 'Unknown error');
      session.socket = null;
    },
    waitForRequest(match) {
      const found = requests.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    waitForLiveSession() {
      if (session?.ready) return Promise.resolve();
      return new Promise((resolve) => liveWaiters.push(resolve));
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  return fake;
}

/** JSON, or multipart/form-data with `payload_json` and `files[n]` parts (read with the fetch API's own parser). */
async function parseBody(contentType: string, raw: Buffer): Promise<{ body: unknown; files: RecordedFile[] }> {
  if (!contentType.startsWith('multipart/form-data')) return { body: raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as unknown) : undefined, files: [] };
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  const files: RecordedFile[] = [];
  let body: unknown;
  for (const [key, value] of form.entries()) {
    if (key === 'payload_json' && typeof value === 'string') body = JSON.parse(value) as unknown;
    else if (/^files\[\d+\]$/.test(key) && typeof value !== 'string') {
      files.push({ key, filename: value.name, contentType: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
    }
  }
  return { body, files };
}

function pick(body: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => key in body).map((key) => [key, body[key]]));
}
