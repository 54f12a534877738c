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
  /** Answers when the first response_url post for `id` has arrived (at once if it has), or fails after `timeoutMs`. */
  | { op: 'awaitAnswer'; id: string; timeoutMs: number };

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
  const waiting = new Map<string, () => void>();
  fake.onResponse = (response) => {
    if (arrivals.has(response.id)) return;
    arrivals.set(response.id, performance.timeOrigin + performance.now());
    waiting.get(response.id)?.();
  };
  const awaitAnswer = (id: string, timeoutMs: number) =>
    new Promise<true>((resolve, reject) => {
      if (arrivals.has(id)) return resolve(true);
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`no answer for ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, () => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(true);
      });
    });
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
      if (query.op === 'awaitAnswer') return awaitAnswer(query.id, query.timeoutMs);
      if (query.op === 'arrivals') return Object.fromEntries([...arrivals].filter(([id]) => id.startsWith(query.prefix)));
      const responses = fake.responses.filter((r) => r.id.startsWith(query.prefix));
      if (query.op === 'followUps') return { responses: responses.length, forms: countForms() } satisfies FollowUpCounts;
      return responses.filter((r) => JSON.stringify(r.body).includes('pending resource request')).length;
    },
    stop: () => fake.close(),
  };
});
