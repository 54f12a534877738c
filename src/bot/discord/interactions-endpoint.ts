import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InteractionResponseType, InteractionType, type APIInteraction, type REST } from 'discord.js';
import type { Logger } from '../../logger.js';
import type { ReplayGuard } from '../chat/replay-guard.js';
import type { HttpRoute } from '../http-server.js';
import { createHttpInteractionCallbacks } from './http-interaction-callbacks.js';
import type { InteractionHandler } from './interaction-handler.js';
import { checkInteractionSignature } from './verify-interaction.js';

/** Where Discord posts interactions: the developer portal's Interactions Endpoint URL ends in it. */
export const INTERACTIONS_PATH = '/discord/interactions';

/**
 * The largest request body read. An interaction is a few kilobytes (a component click carries its
 * message, at most 6,000 characters of embeds and 40 buttons); 256 KiB leaves room for any of them
 * and bounds what an unsigned caller makes the bot buffer before the signature is checked.
 */
export const MAX_INTERACTION_BYTES = 256 * 1024;

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

export interface InteractionsEndpointOptions {
  publicKey: KeyObject;
  /** For follow-ups and for a first response with files (the interaction's webhook and callback). */
  rest: REST;
  handle: InteractionHandler;
  log: Logger;
  /** Turns away an interaction id already taken (a signed request sent again within its window). */
  replayGuard?: ReplayGuard;
  now?: () => number;
}

/**
 * `POST /discord/interactions`: Discord's HTTP interactions. A request is read up to
 * MAX_INTERACTION_BYTES (413 past it), its Ed25519 signature checked (401 when missing, forged or
 * stale), its JSON parsed (400 when it is not an interaction), a PING answered PONG, and every other
 * interaction handed to the same handler the gateway uses; the HTTP response carries its first
 * response. Nothing is kept between requests, so any replica behind a load balancer can take any.
 */
export function interactionsRoute(options: InteractionsEndpointOptions): HttpRoute {
  const { log } = options;
  const now = options.now ?? Date.now;
  return {
    method: 'POST',
    path: INTERACTIONS_PATH,
    async handle(req, res) {
      const arrived = performance.now();
      const body = await readBounded(req);
      if (body === null) {
        // The unread rest of the body would be taken for the next request on a kept-alive socket.
        res.writeHead(413, { ...JSON_HEADERS, connection: 'close' }).end(JSON.stringify({ error: `the body is over ${MAX_INTERACTION_BYTES} bytes` }));
        return;
      }
      const check = checkInteractionSignature(options.publicKey, { signature: header(req, 'x-signature-ed25519'), timestamp: header(req, 'x-signature-timestamp') }, body, now());
      if (check !== 'ok') {
        log.warn({ reason: check }, 'refused a Discord interaction request that failed verification');
        res.writeHead(401, JSON_HEADERS).end(JSON.stringify({ error: 'invalid request signature' }));
        return;
      }
      const interaction = parseInteraction(body);
      if (typeof interaction === 'string') {
        log.warn({ problem: interaction }, 'refused a signed Discord request that is not an interaction');
        res.writeHead(400, JSON_HEADERS).end(JSON.stringify({ error: interaction }));
        return;
      }
      if (interaction.type === InteractionType.Ping) {
        res.writeHead(200, JSON_HEADERS).end(JSON.stringify({ type: InteractionResponseType.Pong }));
        return;
      }
      if (options.replayGuard && !(await options.replayGuard.firstTime('discord-interaction', interaction.id))) {
        log.warn({ eventId: interaction.id }, 'refused a Discord interaction already taken');
        res.writeHead(409, JSON_HEADERS).end(JSON.stringify({ error: 'this interaction was already received' }));
        return;
      }
      await answer(interaction, res, arrived);
    },
  };

  async function answer(interaction: APIInteraction, res: ServerResponse, arrived: number): Promise<void> {
    const callbacks = createHttpInteractionCallbacks(interaction, options.rest);
    // Listened for from the start: if Discord hangs up before the handler has chosen its answer,
    // the call that chooses it must fail rather than wait for a write that will never finish.
    res.once('finish', () => callbacks.sent());
    res.once('close', () => {
      if (!res.writableFinished) callbacks.lost(new Error('Discord closed the request before the interaction response was written'));
    });
    const handled = options.handle(interaction, callbacks, arrived).catch((error: unknown) => {
      log.error({ err: error, eventId: interaction.id }, 'discord interaction failed');
      return true;
    });
    const first = await Promise.race([callbacks.answer, handled.then((known): 'unanswered' | 'unknown' => (known ? 'unanswered' : 'unknown'))]);
    if (first === 'unknown') {
      // Autocomplete, select menus, context menus: nothing registered asks for them.
      res.writeHead(400, JSON_HEADERS).end(JSON.stringify({ error: 'the bot does not handle this kind of interaction' }));
      return;
    }
    if (first === 'unanswered') {
      log.error({ eventId: interaction.id }, 'a Discord interaction finished without a response');
      res.writeHead(500, JSON_HEADERS).end(JSON.stringify({ error: 'no response' }));
      return;
    }
    if (first.status === 202) res.writeHead(202).end();
    else res.writeHead(200, JSON_HEADERS).end(JSON.stringify(first.body));
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The body, or null once it grows past the limit (what was sent is then left unread). */
async function readBounded(req: IncomingMessage): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_INTERACTION_BYTES) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_INTERACTION_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The interaction in a verified body, or what is wrong with it. The fields checked are those every
 * interaction but PING carries and the bot reads before anything else (interaction object,
 * https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object).
 */
function parseInteraction(body: Buffer): APIInteraction | string {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return 'the body is not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the body is not a JSON object';
  const record = value as Record<string, unknown>;
  if (typeof record.type !== 'number') return 'the interaction has no numeric type';
  if (record.type === InteractionType.Ping) return value as APIInteraction;
  const missing = ['id', 'application_id', 'token'].filter((field) => typeof record[field] !== 'string');
  if (missing.length > 0) return `the interaction has no ${missing.join(', ')}`;
  if (typeof record.data !== 'object' || record.data === null) return 'the interaction has no data';
  if (!isObject(record.member) && !isObject(record.user)) return 'the interaction has neither member nor user';
  if (record.type === InteractionType.MessageComponent && !isObject(record.message)) return 'a component interaction without its message';
  return value as APIInteraction;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}
