import { startFakeSlackApi } from '../../test/fakes/slack-api.js';
import { serveParent } from './serve-parent.js';

/**
 * The fake Slack Web API in a process of its own, so the bot's follow-ups (users.info, views.open, the
 * response_url posts) are served outside both the bot and the load generator, as Slack is in production.
 * `fake-slack-main.ts <userId> <email> [<userId> <email> ...]`; answers `FakeSlackQuery` calls.
 */

export interface FakeSlackReady {
  /** The Web API base for the apps' `slackApiUrl`. */
  apiUrl: string;
  /** A response_url is this plus the URI-encoded response id. */
  responseUrlPrefix: string;
}

export type FakeSlackQuery =
  /** Response_url posts whose id starts with `prefix`, and every views.open so far. */
  | { op: 'followUps'; prefix: string }
  /** Of the response_url posts whose id starts with `prefix`: how many carry the pending list. */
  | { op: 'lists'; prefix: string }
  /** When each response_url post whose id starts with `prefix` arrived (epoch ms, sub-ms), by id: the first post per id. */
  | { op: 'arrivals'; prefix: string }
  /** Of the response_url posts whose id starts with `prefix`: how many have `text` in their body. */
  | { op: 'containing'; prefix: string; text: string }
  /** How many distinct response ids starting with `prefix` have had a post. */
  | { op: 'answered'; prefix: string }
  /** Resolves with the private_metadata of the form opened (views.open) with `triggerId`, once it is. */
  | { op: 'awaitForm'; triggerId: string }
  /** Resolves with when (epoch ms, sub-ms) the first chat.update of message `ts` arrived, once it has. */
  | { op: 'awaitUpdate'; ts: string }
  /** The blocks and text of the latest chat.update, or null before any. */
  | { op: 'lastUpdate' }
  /** Resolves once the first response_url post for `id` has arrived (at once if it has). */
  | { op: 'awaitAnswer'; id: string };

/** How long `awaitForm`, `awaitUpdate` and `awaitAnswer` wait before they fail. */
const AWAIT_TIMEOUT_MS = 60_000;

/** Events keyed by an id that a caller may ask for before or after they happen. */
function keyedEvents<T>() {
  const seen = new Map<string, T>();
  const waiters = new Map<string, (value: T) => void>();
  return {
    record(key: string, value: T) {
      if (seen.has(key)) return;
      seen.set(key, value);
      waiters.get(key)?.(value);
      waiters.delete(key);
    },
    wait(key: string, what: string): Promise<T> {
      const known = seen.get(key);
      if (known !== undefined) return Promise.resolve(known);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(key);
          reject(new Error(`no ${what} within ${AWAIT_TIMEOUT_MS} ms`));
        }, AWAIT_TIMEOUT_MS);
        waiters.set(key, (value) => {
          clearTimeout(timer);
          resolve(value);
        });
      });
    },
  };
}

export interface FollowUpCounts {
  responses: number;
  forms: number;
}

const pairs = process.argv.slice(2);

await serveParent(async () => {
  if (pairs.length < 2 || pairs.length % 2 !== 0) throw new Error('usage: fake-slack-main.ts <userId> <email> [<userId> <email> ...]');
  const fake = await startFakeSlackApi();
  for (let i = 0; i < pairs.length; i += 2) fake.setUser(pairs[i]!, { email: pairs[i + 1]! });
  const arrivals = new Map<string, number>();
  // Answers counted by their id up to its last '-' (the benchmarks' ids are `<prefix><index>`, with a
  // prefix that ends in '-'): the memory benchmark asks for the count every few ms per command in
  // flight, and scanning every answer ever received made each run slower than the one before.
  const answeredUnder = new Map<string, number>();
  const answers = keyedEvents<number>();
  fake.onResponse = (response) => {
    if (arrivals.has(response.id)) return;
    const at = performance.timeOrigin + performance.now();
    arrivals.set(response.id, at);
    const group = response.id.slice(0, response.id.lastIndexOf('-') + 1);
    answeredUnder.set(group, (answeredUnder.get(group) ?? 0) + 1);
    answers.record(response.id, at);
  };
  const formsOpened = keyedEvents<string>();
  const updates = keyedEvents<number>();
  let lastUpdate: { blocks: unknown; text: unknown } | null = null;
  fake.onCall = (call) => {
    if (call.method === 'views.open') {
      const view = call.args['view'] as { private_metadata?: unknown } | undefined;
      formsOpened.record(String(call.args['trigger_id']), String(view?.private_metadata ?? ''));
    } else if (call.method === 'chat.update') {
      updates.record(String(call.args['ts']), performance.timeOrigin + performance.now());
      lastUpdate = { blocks: call.args['blocks'], text: call.args['text'] };
    }
  };
  let forms = 0;
  let seenCalls = 0;
  // views.open is counted incrementally: the drain polls often and the call log grows to thousands.
  const countForms = () => {
    for (; seenCalls < fake.calls.length; seenCalls += 1) if (fake.calls[seenCalls]?.method === 'views.open') forms += 1;
    return forms;
  };
  const value: FakeSlackReady = { apiUrl: fake.url, responseUrlPrefix: fake.responseUrl('') };
  return {
    value,
    handle(request) {
      // Only the benchmark's parent calls, always with a FakeSlackQuery.
      const query = request as FakeSlackQuery;
      if (query.op === 'answered') {
        // Every id under a prefix that ends in '-' has its group under that prefix too (its last '-' is
        // at or past the prefix's), so the groups' counts add up to the answer; the groups are few.
        if (query.prefix.endsWith('-')) {
          let counted = 0;
          for (const [group, n] of answeredUnder) if (group.startsWith(query.prefix)) counted += n;
          return counted;
        }
        return [...arrivals.keys()].filter((id) => id.startsWith(query.prefix)).length;
      }
      if (query.op === 'awaitForm') return formsOpened.wait(query.triggerId, `views.open for ${query.triggerId}`);
      if (query.op === 'awaitUpdate') return updates.wait(query.ts, `chat.update of ${query.ts}`);
      if (query.op === 'lastUpdate') return lastUpdate;
      if (query.op === 'awaitAnswer') return answers.wait(query.id, `an answer for ${query.id}`);
      if (query.op === 'arrivals') return Object.fromEntries([...arrivals].filter(([id]) => id.startsWith(query.prefix)));
      const responses = fake.responses.filter((r) => r.id.startsWith(query.prefix));
      if (query.op === 'containing') return responses.filter((r) => JSON.stringify(r.body).includes(query.text)).length;
      if (query.op === 'followUps') return { responses: responses.length, forms: countForms() } satisfies FollowUpCounts;
      return responses.filter((r) => JSON.stringify(r.body).includes('pending resource request')).length;
    },
    stop: () => fake.close(),
  };
});
