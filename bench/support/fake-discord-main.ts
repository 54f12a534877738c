import { startFakeDiscord, type RecordedRequest } from '../../test/fakes/discord.js';
import { serveParent } from './serve-parent.js';

/**
 * The fake Discord REST (test/fakes/discord.ts) in a process of its own, so the edits of deferred
 * replies are received outside the apps and the load generator, as Discord is in production.
 * `fake-discord-main.ts <botToken> <applicationId>`; reports `{ apiUrl }`; answers `FakeDiscordQuery`.
 */

export interface FakeDiscordReady {
  /** The REST base for DISCORD_API_URL (`http://127.0.0.1:P/api`). */
  apiUrl: string;
}

/**
 * The user's answer to an interaction that was not answered in its HTTP response: when it reached
 * this fake (epoch ms, sub-ms) and its text. `callbackType` is set when it came as the interaction's
 * response by REST (POST /interactions/{id}/{token}/callback: a response with files, which the
 * bot's endpoint then answers 202), and is that response's type.
 */
export interface DeferredAnswer {
  at: number;
  text: string;
  callbackType?: number;
}

export type FakeDiscordQuery =
  /** The answers so far of the interactions with these tokens (deferred or answered by REST), by token; absent until they arrive. */
  | { op: 'answers'; tokens: string[] }
  /** How many requests the fake has received, by `METHOD route` with the token left out. */
  | { op: 'routes' };

/**
 * What the bot writes to `@original` when a deferred command's reply goes to the channel: the answer
 * is then the follow-up (POST /webhooks/{app}/{token}) after it (src/bot/discord/interaction-io.ts).
 */
const POSTED_IN_CHANNEL = 'Posted in the channel.';

/** The text a user sees in a message body: its content and its embeds, as one string. */
function messageText(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const record = body as { content?: unknown; embeds?: unknown };
  return `${typeof record.content === 'string' ? record.content : ''}${record.embeds === undefined ? '' : JSON.stringify(record.embeds)}`;
}

const WEBHOOK = /^\/webhooks\/\d+\/([^/]+)(\/messages\/@original)?$/;
const CALLBACK = /^\/interactions\/(\d+)\/([^/]+)\/callback$/;

const [token, applicationId] = process.argv.slice(2);

await serveParent(async () => {
  if (!token || !applicationId) throw new Error('usage: fake-discord-main.ts <botToken> <applicationId>');
  const fake = await startFakeDiscord({ token, applicationId });
  const originals = new Map<string, DeferredAnswer>();
  const followUps = new Map<string, DeferredAnswer>();
  const callbacks = new Map<string, DeferredAnswer>();
  const routes = new Map<string, number>();
  fake.onRequest = (request: RecordedRequest) => {
    const at = performance.timeOrigin + performance.now();
    const callback = CALLBACK.exec(request.path);
    const match = WEBHOOK.exec(request.path);
    const route = callback ? '/interactions/{id}/{token}/callback' : match ? request.path.replace(match[1]!, '{token}') : request.path.replace(/\d{17,}/g, '{id}');
    routes.set(`${request.method} ${route}`, (routes.get(`${request.method} ${route}`) ?? 0) + 1);
    if (callback && request.method === 'POST' && !callbacks.has(callback[2]!)) {
      const body = (request.body ?? {}) as { type?: unknown; data?: unknown };
      callbacks.set(callback[2]!, { at, text: messageText(body.data), ...(typeof body.type === 'number' ? { callbackType: body.type } : {}) });
    }
    if (!match) return;
    const seen = match[2] ? (request.method === 'PATCH' ? originals : undefined) : request.method === 'POST' ? followUps : undefined;
    if (seen && !seen.has(match[1]!)) seen.set(match[1]!, { at, text: messageText(request.body) });
  };
  // Only the real answer counts: a channel reply's note in @original is followed by the reply itself.
  const answerOf = (interactionToken: string): DeferredAnswer | undefined => {
    const callback = callbacks.get(interactionToken);
    // A message sent as the response by REST is the answer; a deferral sent so is answered as any other.
    if (callback && callback.callbackType !== 5) return callback;
    const original = originals.get(interactionToken);
    return original?.text === POSTED_IN_CHANNEL ? followUps.get(interactionToken) : original;
  };
  return {
    value: { apiUrl: fake.apiUrl } satisfies FakeDiscordReady,
    handle(request) {
      // Only the benchmark's parent calls, always with a FakeDiscordQuery.
      const query = request as FakeDiscordQuery;
      if (query.op === 'routes') return Object.fromEntries(routes);
      const found: Record<string, DeferredAnswer> = {};
      for (const each of query.tokens) {
        const answer = answerOf(each);
        if (answer) found[each] = answer;
      }
      return found;
    },
    stop: () => fake.close(),
  };
});
