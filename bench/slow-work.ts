import os from 'node:os';
import { and, asc, eq, like } from 'drizzle-orm';
import { openPostgres } from '../src/db/client.js';
import { migrateBotSchema } from '../src/db/migrate.js';
import { BULK_LOAD_POOL } from './support/bulk-load-pool.js';
import { loadAtmosphereSchema } from '../src/db/load-schema.js';
import { seedDemoData } from '../src/db/demo-data.js';
import { atmosphereUser, resourceRequest, statusType } from '../src/db/atmosphere-schema.js';
import { signedPost, slashCommand } from '../test/support/slack-requests.js';
import { startFakeAtmosphereApi, type FakeAtmosphereApi } from '../test/fakes/atmosphere-api.js';
import { bulkLoad, PRODUCTION_SIZE } from './support/bulk-load.js';
import { createBenchDatabase } from './support/fresh-database.js';
import { forkService, type ChildService } from './support/child-service.js';
import type { FakeSlackQuery, FakeSlackReady } from './support/fake-slack-main.js';
import type { BotReady } from './support/bot-main.js';
import { benchBotEnv } from './support/bench-bot-env.js';
import { latencyStats, ms, type LatencyStats } from './support/latency-stats.js';
import { runPool } from './support/run-pool.js';
import { DEFAULT_WORK_CONCURRENCY } from '../src/bot/chat/work-limits.js';

/**
 * Head-of-line blocking. Two staff approvals hang in a slow Atmosphere API for 20 s while 100 other
 * users send `whoami` and `/atmo requests`; their reply times (signed POST sent -> answer posted to
 * the response_url) are compared with the same 100 commands when nothing hangs, in the same run, the
 * two sides interleaved with their order alternated. Then a burst, paced by answers (users waiting) and
 * by acknowledgements (all queued at once), of `/atmo requests` at 50 in flight, for several bounds of
 * the work queue, each in its own bot process.
 * The bot, the fake Slack API and this load generator each run in their own process; the fake
 * Atmosphere API (it only holds requests on timers) runs here.
 */

export interface SlowWorkOptions {
  databaseUrl?: string;
  /** Extra Node flags for the bots' processes, such as `--cpu-prof` to profile them. */
  botExecArgv?: string[];
  repeats?: number;
  commands?: number;
  inFlight?: number;
  burst?: number;
  burstInFlight?: number;
  bounds?: number[];
  burstRounds?: number;
}

const HANG_MS = 20_000;
const TARGET_P95_MS = 300;
/** Issue target for a 500-command burst at 50 in flight: time from request to answer, p99. */
const BURST_TARGET_P99_MS = 1_500;
/** The work-queue bound the bot runs with unless told otherwise (`DEFAULT_WORK_CONCURRENCY`). */
const DEFAULT_BOUND = DEFAULT_WORK_CONCURRENCY;
const SECRET = 'bench-signing-secret';
const APPROVERS = [
  { id: 'USTAFF1', email: 'kpatel@cyverse.org' },
  { id: 'USTAFF2', email: 'mdelgado@cyverse.org' },
];
const FAKE_SLACK_MAIN = new URL('./support/fake-slack-main.ts', import.meta.url);
const BOT_MAIN = new URL('./support/bot-main.ts', import.meta.url);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type FakeSlack = ChildService<FakeSlackReady>;

async function arrivals(slack: FakeSlack, prefix: string): Promise<Record<string, number>> {
  return (await slack.call({ op: 'arrivals', prefix } satisfies FakeSlackQuery)) as Record<string, number>;
}

async function waitForArrivals(slack: FakeSlack, prefix: string, count: number, timeoutMs = 180_000): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await arrivals(slack, prefix);
    if (Object.keys(seen).length >= count) return seen;
    if (Date.now() > deadline) throw new Error(`only ${Object.keys(seen).length} of ${count} answers under ${prefix} arrived`);
    await sleep(10);
  }
}

interface Command {
  userId: string;
  text: string;
}

/**
 * How a closed loop paces itself. `answer`: a user sends the next command once the last one's answer
 * has arrived, so `inFlight` users are waiting at any time (the question of part 1: does one user's
 * hung call delay the others?). `ack`: the next command goes as soon as the last one is acknowledged,
 * so the bot's queue fills with everything sent (a burst: the question of part 2).
 */
type Pacing = 'answer' | 'ack';

/** Sends `commands` (closed loop, `inFlight` at a time, paced by `pacing`); returns ack times and, once all arrived, answer times. */
async function sendAll(url: string, slack: FakeSlack, prefix: string, commands: Command[], inFlight: number, pacing: Pacing) {
  const sentAt = new Map<string, number>();
  const acks = await runPool(commands.length, inFlight, async (index) => {
    const command = commands[index]!;
    const id = `${prefix}${index}`;
    sentAt.set(id, now());
    const response = await signedPost(url, slashCommand({ text: command.text, userId: command.userId, responseUrl: `${slack.ready.responseUrlPrefix}${encodeURIComponent(id)}` }), SECRET);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`the bot answered ${response.status}`);
    if (pacing === 'answer') await slack.call({ op: 'awaitAnswer', id } satisfies FakeSlackQuery);
  });
  const started = Math.min(...sentAt.values());
  const seen = await waitForArrivals(slack, prefix, commands.length);
  const answers = [...sentAt].map(([id, at]) => (seen[id] ?? Number.NaN) - at);
  return { acks, answers, spanMs: Math.max(...Object.values(seen)) - started };
}

/**
 * Sends `/atmo approve <id>` for each request: the decisions reach Atmosphere and hang there for
 * HANG_MS. (A modal submission would need the form state the bot keeps server-side, which only the
 * click that opened the modal creates; the command takes the same decision path.)
 */
async function hangApprovals(url: string, slack: FakeSlack, atmosphere: FakeAtmosphereApi, ids: number[], prefix: string): Promise<number> {
  const before = atmosphere.calls.length;
  for (const [index, id] of ids.entries()) {
    const responseUrl = `${slack.ready.responseUrlPrefix}${encodeURIComponent(`${prefix}${index}`)}`;
    const approver = APPROVERS[index % APPROVERS.length]!;
    const response = await signedPost(url, slashCommand({ text: `approve ${id} --message ok`, userId: approver.id, responseUrl }), SECRET);
    if (response.status !== 200) throw new Error(`the approval was answered ${response.status}`);
  }
  const deadline = Date.now() + 60_000;
  while (atmosphere.calls.slice(before).filter((call) => call.method === 'PATCH' && call.status === 0).length < ids.length) {
    if (Date.now() > deadline) throw new Error('the approvals did not reach Atmosphere');
    await sleep(5);
  }
  return before;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const spread = (values: number[]) => `${ms(Math.min(...values))}–${ms(Math.max(...values))}`;

export async function runSlowWork(options: SlowWorkOptions = {}): Promise<string> {
  const heading = '## Slow Atmosphere calls: other users\' replies, and what the work-queue bound costs';
  if (!options.databaseUrl) return `${heading}\n\nNot run: TEST_DATABASE_URL is unset (this benchmark needs the real PostgreSQL).`;
  const repeats = options.repeats ?? 5;
  const commandCount = options.commands ?? 100;
  const inFlight = options.inFlight ?? 5;
  const burst = options.burst ?? 500;
  const burstInFlight = options.burstInFlight ?? 50;
  const bounds = options.bounds ?? [1, 2, 4];
  const loadBefore = os.loadavg().map((n) => n.toFixed(2)).join(', ');

  const fresh = await createBenchDatabase(options.databaseUrl);
  const children: ChildService<unknown>[] = [];
  let atmosphere: FakeAtmosphereApi | undefined;
  try {
    const handle = openPostgres(fresh.url, { ...BULK_LOAD_POOL, max: 2 });
    let pendingIds: number[];
    let statusNames: Record<number, string>;
    try {
      await loadAtmosphereSchema(handle);
      await seedDemoData(handle.db, new Date());
      await bulkLoad(handle.pool!, PRODUCTION_SIZE);
      // As a deployment runs `npm run db:migrate` before a release: start-up only checks the schema.
      await migrateBotSchema(handle);
      statusNames = Object.fromEntries((await handle.db.select().from(statusType)).map((row) => [row.id, row.name]));
      const rows = await handle.db
        .select({ id: resourceRequest.id })
        .from(resourceRequest)
        .innerJoin(statusType, eq(statusType.id, resourceRequest.statusId))
        .innerJoin(atmosphereUser, eq(atmosphereUser.id, resourceRequest.createdById))
        .where(and(eq(statusType.name, 'pending'), like(atmosphereUser.username, 'bench%')))
        .orderBy(asc(resourceRequest.id))
        .limit(repeats * 2);
      pendingIds = rows.map((row) => row.id);
    } finally {
      await handle.close();
    }
    atmosphere = await startFakeAtmosphereApi({ statusNames });
    atmosphere.delay(HANG_MS);

    // 100 other users: half ask whoami (bulk-loaded accounts), half list requests (staff).
    const users: Command[] = Array.from({ length: commandCount }, (_, i) =>
      i % 2 === 0 ? { userId: `UWHO${i}`, text: 'whoami' } : { userId: `UREQ${i}`, text: 'requests' },
    );
    const pairs = [
      ...APPROVERS.flatMap((approver) => [approver.id, approver.email]),
      ...users.flatMap((user, i) => [user.userId, user.text === 'whoami' ? `bench${i + 1}@example.org` : APPROVERS[i % 2]!.email]),
    ];
    const slack = await forkService<FakeSlackReady>(FAKE_SLACK_MAIN, pairs);
    children.push(slack);
    const env = (extra: Record<string, string> = {}) =>
      // Hung approvals may remain at the end; stopping need not wait for them.
      benchBotEnv({ databaseUrl: fresh.url, atmosphere: atmosphere!, slackApiUrl: slack.ready.apiUrl, signingSecret: SECRET }, { SHUTDOWN_GRACE_MS: '2000', ...extra });

    // Part 1: hung vs clear, interleaved.
    const bot = await forkService<BotReady>(BOT_MAIN, [env()], options.botExecArgv);
    children.push(bot);
    await sendAll(bot.ready.url, slack, 'warm-', users, inFlight, 'answer');
    const rounds: { side: 'clear' | 'hung'; stats: LatencyStats; stillHung: boolean; spanMs: number }[] = [];
    for (let r = 0; r < repeats; r += 1) {
      for (const side of r % 2 === 0 ? (['clear', 'hung'] as const) : (['hung', 'clear'] as const)) {
        const tag = `r${r}-${side}-`;
        const from = side === 'hung' ? await hangApprovals(bot.ready.url, slack, atmosphere, pendingIds.slice(r * 2, r * 2 + 2), `${tag}approval-`) : 0;
        const { answers, spanMs } = await sendAll(bot.ready.url, slack, `${tag}cmd-`, users, inFlight, 'answer');
        const stillHung = atmosphere.calls.slice(from).filter((call) => call.method === 'PATCH' && call.status === 0).length === 2;
        rounds.push({ side, stats: latencyStats(answers), stillHung, spanMs });
        // The next round starts clean: the two approvals are answered (the bot's Atmosphere timeout,
        // 15 s, ends them before the fake would have).
        if (side === 'hung') await waitForArrivals(slack, `${tag}approval-`, 2, HANG_MS + 60_000);
      }
    }
    await bot.stop();
    children.splice(children.indexOf(bot), 1);

    // Part 2: the bound's cost under a burst, one bot per bound, bursts alternating between them.
    atmosphere.delay(0);
    const burstBots = new Map<number, ChildService<BotReady>>();
    for (const bound of bounds) {
      const child = await forkService<BotReady>(BOT_MAIN, [env(), String(bound)], options.botExecArgv);
      children.push(child);
      burstBots.set(bound, child);
    }
    const staffCommands: Command[] = Array.from({ length: burst }, (_, i) => ({ userId: `UREQ${(i % (commandCount / 2)) * 2 + 1}`, text: 'requests' }));
    const burstRounds = options.burstRounds ?? 3;
    const pacings: Pacing[] = ['answer', 'ack'];
    type BurstEntry = { acks: number[]; answers: number[]; spans: number[]; roundP99s: number[] };
    const burstResults = new Map<string, BurstEntry>();
    const keyOf = (pacing: Pacing, bound: number) => `${pacing}:${bound}`;
    for (const pacing of pacings) for (const bound of bounds) burstResults.set(keyOf(pacing, bound), { acks: [], answers: [], spans: [], roundP99s: [] });
    for (const bound of bounds) await sendAll(burstBots.get(bound)!.ready.url, slack, `bw-${bound}-`, staffCommands.slice(0, 50), burstInFlight, 'ack');
    for (let r = 0; r < burstRounds; r += 1) {
      // Every (pacing, bound) pair once per round; the order flips each round.
      const cells = pacings.flatMap((pacing) => bounds.map((bound) => ({ pacing, bound })));
      for (const { pacing, bound } of r % 2 === 0 ? cells : [...cells].reverse()) {
        const result = await sendAll(burstBots.get(bound)!.ready.url, slack, `b${r}-${pacing}-${bound}-`, staffCommands, burstInFlight, pacing);
        const entry = burstResults.get(keyOf(pacing, bound))!;
        entry.acks.push(...result.acks);
        entry.answers.push(...result.answers);
        entry.spans.push(result.spanMs);
        entry.roundP99s.push(latencyStats(result.answers).p99);
      }
    }
    const defaultAnswerPaced = burstResults.get(keyOf('answer', DEFAULT_BOUND));

    const p95s = (side: 'clear' | 'hung') => rounds.filter((round) => round.side === side).map((round) => round.stats.p95);
    const hungRounds = rounds.filter((round) => round.side === 'hung');
    const missed = hungRounds.filter((round) => round.stats.p95 >= TARGET_P95_MS).length;
    const lines = [
      heading,
      '',
      `Production-size data (${PRODUCTION_SIZE.users.toLocaleString('en')} users, ${PRODUCTION_SIZE.resourceRequests.toLocaleString('en')} resource requests, ${PRODUCTION_SIZE.instances.toLocaleString('en')} instances) on the real PostgreSQL; the bot (\`startBot\`, HTTP Slack adapter, REST gateway) in its own process, the fake Slack API in another, the load generator and a fake Atmosphere API in this one. Reply time runs from sending the signed slash command to the answer arriving at the response_url. ${commandCount} other users (half \`whoami\` from bulk-loaded accounts, half \`/atmo requests\` from staff), ${inFlight} in flight. "hung": two staff approvals submitted first, each PATCH held ${HANG_MS / 1000} s by the fake Atmosphere; "clear": nothing hung. ${repeats} repeats, the two sides interleaved and their order alternated. Load average before: ${loadBefore}; ${os.cpus().length} cores.`,
      '',
      '| Round | Side | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | both approvals still hung when the last reply came | all answered in |',
      '| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |',
      ...rounds.map((round, i) => `| ${Math.floor(i / 2) + 1} | ${round.side} | ${ms(round.stats.p50)} | ${ms(round.stats.p95)} | ${ms(round.stats.p99)} | ${ms(round.stats.max)} | ${round.side === 'hung' ? (round.stillHung ? 'yes' : '**no**') : '–'} | ${(round.spanMs / 1000).toFixed(2)} s |`),
      '',
      `| Side | median p95 (ms) | spread of p95 over repeats (ms) | target |`,
      '| --- | ---: | ---: | --- |',
      `| clear | ${ms(median(p95s('clear')))} | ${spread(p95s('clear'))} | anchor |`,
      `| hung | ${ms(median(p95s('hung')))} | ${spread(p95s('hung'))} | p95 < ${TARGET_P95_MS} ms: ${median(p95s('hung')) < TARGET_P95_MS ? 'met' : '**missed**'} on the median; ${missed} of ${hungRounds.length} rounds missed |`,
      '',
      `A burst of ${burst} \`/atmo requests\` from staff at ${burstInFlight} in flight, ${burstRounds} rounds, each round sending the burst once per pacing and bound in an order that flips every round (each bound its own bot process on the same database). "answer": ${burstInFlight} users waiting, each sending again once answered (the burst the target is set for); "ack": the next command goes as soon as an earlier one is acknowledged, so the bot's queue holds nearly the whole burst at once (the worst case). What the bound on concurrent work (\`DEFAULT_WORK_CONCURRENCY\`, ${DEFAULT_BOUND}) trades away: a larger bound answers a queue sooner and acknowledges later; the ack p99 is what the bound protects. "Over 3 s" is the share of answers that took longer than Slack's trigger_id lives.`,
      '',
      '| Pacing | Bound | ack p99 (ms) | answer p50 (ms) | answer p95 (ms) | answer p99 (ms) | answers over 3 s | burst answered in (median) |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...pacings.flatMap((pacing) =>
        bounds.map((bound) => {
          const entry = burstResults.get(keyOf(pacing, bound))!;
          const acks = latencyStats(entry.acks);
          const answers = latencyStats(entry.answers);
          const over = entry.answers.filter((value) => value > 3_000).length / entry.answers.length;
          return `| ${pacing} | ${bound}${bound === DEFAULT_BOUND ? ' (default)' : ''} | ${ms(acks.p99)} | ${ms(answers.p50)} | ${ms(answers.p95)} | ${ms(answers.p99)} | ${(over * 100).toFixed(1)} % | ${(median(entry.spans) / 1000).toFixed(1)} s |`;
        }),
      ),
      '',
      defaultAnswerPaced
        ? `Burst target (answer pacing, default bound): answer p99 < ${BURST_TARGET_P99_MS} ms per round; round p99s ${defaultAnswerPaced.roundP99s.map((value) => ms(value)).join(', ')} ms, median ${ms(median(defaultAnswerPaced.roundP99s))} ms: ${median(defaultAnswerPaced.roundP99s) < BURST_TARGET_P99_MS ? 'met' : '**missed**'} on the median, ${defaultAnswerPaced.roundP99s.filter((value) => value >= BURST_TARGET_P99_MS).length} of ${defaultAnswerPaced.roundP99s.length} rounds missed.`
        : `Burst target: not judged (the default bound ${DEFAULT_BOUND} was not among the bounds run).`,
    ];
    return lines.join('\n');
  } finally {
    for (const child of children.reverse()) await child.stop().catch(() => child.kill());
    await atmosphere?.close();
    await fresh.drop();
  }
}
