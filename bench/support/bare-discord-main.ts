import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The anchor of the Discord benchmark: a bare Node HTTP server that makes the same Discord calls as
 * the bot and does none of its work. It checks each interaction's Ed25519 signature as Discord asks
 * (node:crypto over `X-Signature-Timestamp` + body, a five-minute window, as the bot's
 * verify-interaction.ts), answers PING with PONG and anything else with DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
 * (type 5), then edits `@original` with fixed content through the interaction's webhook
 * (PATCH /webhooks/{application}/{token}/messages/@original,
 * https://discord.com/developers/docs/interactions/receiving-and-responding). It imports nothing but
 * Node, so its memory is the floor for a Node service answering Discord. With
 * BARE_DISCORD_LIBRARY=discord.js it makes the edit through discord.js's REST client instead, as the
 * bot does: the like-for-like anchor, as the Slack benchmarks' bare app is a Bolt app.
 *
 * Forked by a benchmark (IPC): `bare-discord-main.ts <apiUrl> <publicKeyHex>`, reports `{ url }`.
 * Started as a service (no IPC): DISCORD_API_URL, DISCORD_PUBLIC_KEY, PORT and HOST from the
 * environment, `GET /healthz` answers 200, SIGTERM stops it.
 */

export interface BareDiscordReady {
  url: string;
}

/** The DER header of an Ed25519 SubjectPublicKeyInfo (RFC 8410), before the 32 raw key bytes. */
const ED25519_SPKI_HEADER = Buffer.from('302a300506032b6570032100', 'hex');
const MAX_CLOCK_DIFFERENCE_S = 5 * 60;
const MAX_BODY_BYTES = 256 * 1024;
const JSON_HEADERS = { 'content-type': 'application/json' } as const;

function verified(key: KeyObject, req: IncomingMessage, body: Buffer): boolean {
  const signature = req.headers['x-signature-ed25519'];
  const timestamp = req.headers['x-signature-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string' || !/^[0-9a-fA-F]{128}$/.test(signature)) return false;
  if (!verify(null, Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), key, Buffer.from(signature, 'hex'))) return false;
  return /^\d{1,12}$/.test(timestamp) && Math.abs(Date.now() / 1000 - Number(timestamp)) <= MAX_CLOCK_DIFFERENCE_S;
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

type EditOriginal = (applicationId: string, token: string) => Promise<void>;

/** The same PATCH through discord.js's REST client (its queue, rate-limit handling and undici). */
async function libraryEdit(apiUrl: string): Promise<EditOriginal> {
  const { REST, Routes } = await import('discord.js');
  const rest = new REST({ api: apiUrl, version: '10' });
  return async (applicationId, token) => {
    await rest.patch(Routes.webhookMessage(applicationId, token, '@original'), { body: { content: 'Done.' }, auth: false });
  };
}

function startServer(apiUrl: string, publicKeyHex: string, edit?: EditOriginal) {
  const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_HEADER, Buffer.from(publicKeyHex, 'hex')]), format: 'der', type: 'spki' });
  const editOriginal: EditOriginal = edit ?? (async (applicationId: string, token: string) => {
    const response = await fetch(`${apiUrl}/v10/webhooks/${applicationId}/${encodeURIComponent(token)}/messages/%40original`, {
      method: 'PATCH',
      headers: JSON_HEADERS,
      body: JSON.stringify({ content: 'Done.' }),
    });
    await response.arrayBuffer();
    if (!response.ok) process.stderr.write(`bare Discord app: the edit of @original was answered ${response.status}\n`);
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    if (req.method !== 'POST' || req.url !== '/discord/interactions') return void res.writeHead(404).end();
    const body = await readBody(req);
    if (body === null) return void res.writeHead(413, { ...JSON_HEADERS, connection: 'close' }).end('{"error":"too large"}');
    if (!verified(key, req, body)) return void res.writeHead(401, JSON_HEADERS).end('{"error":"invalid request signature"}');
    // A verified body is Discord's interaction object: type, and for all but PING its application_id and token.
    const interaction = JSON.parse(body.toString('utf8')) as { type?: unknown; application_id?: unknown; token?: unknown };
    if (interaction.type === 1) return void res.writeHead(200, JSON_HEADERS).end('{"type":1}');
    if (typeof interaction.application_id !== 'string' || typeof interaction.token !== 'string') return void res.writeHead(400, JSON_HEADERS).end('{"error":"not an interaction"}');
    const { application_id: applicationId, token } = interaction;
    res.once('finish', () => void editOriginal(applicationId, token).catch((error: unknown) => process.stderr.write(`bare Discord app: ${String(error)}\n`)));
    res.writeHead(200, JSON_HEADERS).end('{"type":5}');
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  return {
    listen: (port: number, host: string) =>
      new Promise<number>((resolve) => server.listen(port, host, () => resolve((server.address() as AddressInfo).port))),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

if (process.send) {
  const [apiUrl, publicKeyHex] = process.argv.slice(2);
  // Imported only when forked: the service started alone (transpiled to one file for the compiled pair) needs nothing else.
  const { serveParent } = await import('./serve-parent.js');
  await serveParent(async () => {
    if (!apiUrl || !publicKeyHex) throw new Error('usage: bare-discord-main.ts <apiUrl> <publicKeyHex>');
    const server = startServer(apiUrl, publicKeyHex);
    const port = await server.listen(0, '127.0.0.1');
    return { value: { url: `http://127.0.0.1:${port}` } satisfies BareDiscordReady, stop: server.close };
  });
} else {
  const { DISCORD_API_URL: apiUrl, DISCORD_PUBLIC_KEY: publicKeyHex, PORT: port = '3000', HOST: host = '0.0.0.0' } = process.env;
  if (!apiUrl || !publicKeyHex) throw new Error('bare-discord-main.ts needs DISCORD_API_URL and DISCORD_PUBLIC_KEY');
  const library = process.env.BARE_DISCORD_LIBRARY || undefined;
  if (library !== undefined && library !== 'discord.js') throw new Error('BARE_DISCORD_LIBRARY may only be discord.js');
  const server = startServer(apiUrl, publicKeyHex, library ? await libraryEdit(apiUrl) : undefined);
  await server.listen(Number(port), host);
  process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
}
