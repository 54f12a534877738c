import type { InteractionSigner } from '../../test/support/discord-signer.js';
import type { ChildService } from './child-service.js';
import type { DeferredAnswer, FakeDiscordQuery, FakeDiscordReady } from './fake-discord-main.js';
import { runPool } from './run-pool.js';

/**
 * The load generator's side of the Discord benchmark: signed interactions posted as Discord posts
 * them, each timed to its HTTP answer (the first response) and to the moment the user's answer
 * exists: the first response itself when it carries the message (type 4), the response sent by REST
 * reaching the fake Discord (a message with files: the HTTP answer is then 202, after it), or the
 * edit of the deferred reply reaching it (type 5).
 */

export interface InteractionSample {
  /** The interaction's token, which names it at the fake Discord. */
  token: string;
  /** From sending the POST to reading the whole HTTP answer, ms. */
  firstMs: number;
  /** From sending the POST to the user's answer existing, ms; NaN when it never came. */
  answerMs: number;
  /** The first response's type (4 message, 5 deferred; for a 202, the type sent by REST), or null when there was none. */
  type: number | null;
  status: number;
  /** What the user was shown, for checking the work was done. */
  text: string;
}

export type FakeDiscord = ChildService<FakeDiscordReady>;

/** How long the deferred answers of a batch may take to arrive after its last first response. */
const ANSWER_TIMEOUT_MS = 60_000;
const ANSWER_POLL_MS = 10;

function messageText(data: unknown): string {
  if (typeof data !== 'object' || data === null) return '';
  const record = data as { content?: unknown; embeds?: unknown };
  return `${typeof record.content === 'string' ? record.content : ''}${record.embeds === undefined ? '' : JSON.stringify(record.embeds)}`;
}

interface Sent {
  token: string;
  /** Epoch ms (sub-ms), comparable with the fake's arrival times on the same machine. */
  sentAt: number;
  firstMs: number;
  status: number;
  type: number | null;
  text: string;
}

/** Posts one interaction to `url` signed now (signed before the clock starts) and reads its answer. */
export async function postInteraction(signer: InteractionSigner, url: string, interaction: { token: string }): Promise<Sent> {
  const body = JSON.stringify(interaction);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = signer.sign(timestamp, body);
  const sentAt = performance.timeOrigin + performance.now();
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'user-agent': 'Discord-Interactions/1.0 (+https://discord.com)', 'x-signature-timestamp': timestamp, 'x-signature-ed25519': signature },
  });
  const answer = (await response.json().catch(() => null)) as { type?: unknown; data?: unknown } | null;
  const firstMs = performance.now() - started;
  const type = typeof answer?.type === 'number' ? answer.type : null;
  return { token: interaction.token, sentAt, firstMs, status: response.status, type, text: type === 4 ? messageText(answer?.data) : '' };
}

/** Waits for the deferred answers of `sent` at the fake Discord; those that never come stay absent. */
async function deferredAnswers(fake: FakeDiscord, sent: readonly Sent[]): Promise<Record<string, DeferredAnswer>> {
  const tokens = sent.filter((each) => each.status === 202 || (each.status === 200 && each.type === 5)).map((each) => each.token);
  const deadline = performance.now() + ANSWER_TIMEOUT_MS;
  for (;;) {
    const found = (await fake.call({ op: 'answers', tokens } satisfies FakeDiscordQuery)) as Record<string, DeferredAnswer>;
    if (Object.keys(found).length >= tokens.length || performance.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, ANSWER_POLL_MS));
  }
}

/**
 * `count` interactions made by `make`, `concurrency` in flight (closed loop on the first response:
 * a new one is sent as one is answered), then every deferred answer awaited, so none of this batch's
 * work runs into the next.
 */
export async function interactionBatch(input: {
  signer: InteractionSigner;
  url: string;
  fake: FakeDiscord;
  count: number;
  concurrency: number;
  make(): { token: string };
}): Promise<InteractionSample[]> {
  const sent: Sent[] = [];
  await runPool(input.count, input.concurrency, async () => void sent.push(await postInteraction(input.signer, input.url, input.make())));
  const answers = await deferredAnswers(input.fake, sent);
  return sent.map((each) => {
    // 202: the response went by REST (a message with files) before the endpoint answered Discord's POST.
    const byRest = each.status === 202;
    const later = byRest || each.type === 5 ? answers[each.token] : undefined;
    const answerMs = later ? later.at - each.sentAt : each.status === 200 && each.type === 4 ? each.firstMs : Number.NaN;
    const type = byRest ? (later?.callbackType ?? null) : each.status === 200 ? each.type : null;
    return { token: each.token, firstMs: each.firstMs, answerMs, type, status: each.status, text: later ? later.text : each.text };
  });
}
