import os from 'node:os';
import { blockAction, signedPost, slashCommand, type BlockActionPayload, type SlashCommandFields } from '../test/support/slack-requests.js';
import { APPROVE_ACTION } from '../src/handlers/resource-requests/render-resource-request.js';
import { SIGNING_SECRET } from './support/ack-subjects.js';
import { forkService, type ChildService } from './support/child-service.js';
import type { FakeSlackQuery, FakeSlackReady, FollowUpCounts } from './support/fake-slack-main.js';
import type { SubjectReady } from './support/subject-main.js';
import { latencyStats, ms, type LatencyStats } from './support/latency-stats.js';
import { runPool } from './support/run-pool.js';
import { median } from './support/median.js';

/**
 * Slack acknowledgement latency of the real bot against a Bolt app that only acknowledges, in one run,
 * so the ratio cancels out the machine. Each app runs in a child process of its own and the fake Slack
 * Web API in another, while this process only generates load: in production Slack and its clients are
 * other machines, and the bot's work after the ack must not be billed to the generator or the other app.
 * A request's latency runs from sending the signed POST to reading the HTTP response, which Bolt writes
 * when the listener calls `ack()`.
 */

export interface AckLatencyOptions {
  /** A real Postgres to create the bot's database in; embedded PGlite without it. */
  databaseUrl?: string;
  requests?: number;
  warmup?: number;
  concurrency?: number;
  /** Extra Node flags for the bot's process only, such as `--cpu-prof` to profile it. */
  botExecArgv?: string[];
}

/** Issue target: the bot's ack p99 at most 1.2 times a bare Bolt app's, slash commands and buttons alike. */
const TARGET_RATIO = 1.2;
/**
 * Each case is measured in this many rounds, each a slice of the bare app and a slice of the bot, the
 * order flipped every round so neither side always runs on a machine the other just warmed or loaded.
 * The verdict is the median of the rounds' p99 ratios, with their spread and the rounds that missed.
 */
const ROUNDS = 6;
/** How long the bot may take to finish the work that follows the acks of one slice. */
const DRAIN_TIMEOUT_MS = 120_000;
const DRAIN_POLL_MS = 10;

/** The staff member who clicks: users.info on the fake Slack API gives their Atmosphere e-mail. */
const STAFF_SLACK_ID = 'USTAFF1';
const STAFF_EMAIL = 'kpatel@cyverse.org';

const SUBJECT_MAIN = new URL('./support/subject-main.ts', import.meta.url);
const FAKE_SLACK_MAIN = new URL('./support/fake-slack-main.ts', import.meta.url);

type Body = SlashCommandFields | BlockActionPayload;

interface Case {
  name: string;
  body(responseUrl: string): Body;
}

function cases(pendingRequestId: number): Case[] {
  let ts = 0;
  return [
    {
      name: 'slash `/atmo requests`',
      body: (responseUrl) => slashCommand({ text: 'requests', userId: STAFF_SLACK_ID, responseUrl }),
    },
    {
      name: `button \`${APPROVE_ACTION}\``,
      body: (responseUrl) =>
        blockAction({
          // As on the rendered list: each button's action_id carries a per-message suffix.
          actionId: `${APPROVE_ACTION}#1`,
          value: `${pendingRequestId}:list`,
          userId: STAFF_SLACK_ID,
          messageTs: `1700000000.${String(++ts).padStart(6, '0')}`,
          responseUrl,
        }),
    },
  ];
}

async function send(url: string, body: Body): Promise<void> {
  const response = await signedPost(url, body, SIGNING_SECRET);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`the endpoint answered ${response.status}`);
}

type FakeSlack = ChildService<FakeSlackReady>;

/** Follow-ups the fake Slack saw for this case so far: response_url posts under `prefix` plus forms opened. */
async function followUps(fake: FakeSlack, prefix: string): Promise<number> {
  const counts = (await fake.call({ op: 'followUps', prefix } satisfies FakeSlackQuery)) as FollowUpCounts;
  return counts.responses + counts.forms;
}

/** Waits until the fake Slack API saw `count` follow-ups (a posted list, an opened form, or an error reply). */
async function drain(fake: FakeSlack, prefix: string, count: number): Promise<number> {
  const started = performance.now();
  while ((await followUps(fake, prefix)) < count) {
    if (performance.now() - started > DRAIN_TIMEOUT_MS) throw new Error(`the bot did not finish its follow-ups within ${DRAIN_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
  }
  return performance.now() - started;
}

interface CaseResult {
  name: string;
  bare: LatencyStats;
  bot: LatencyStats;
  /** Per round: the bot's p99 over the bare app's, in that round's slices. */
  ratios: number[];
  /** Follow-ups that show the bot really did the work: lists posted or forms opened. */
  completed: number;
  failedFollowUps: number;
  drainMs: number;
}

interface Subjects {
  bare: string;
  bot: string;
}

async function measureCase(
  fake: FakeSlack,
  testCase: Case,
  subjects: Subjects,
  options: { requests: number; warmup: number; concurrency: number },
  prefix: string,
): Promise<CaseResult> {
  let sent = 0;
  const run = async (url: string, total: number, tag: string) =>
    runPool(total, options.concurrency, () => send(url, testCase.body(`${fake.ready.responseUrlPrefix}${encodeURIComponent(`${prefix}${tag}-${++sent}`)}`)));
  const formsBefore = ((await fake.call({ op: 'followUps', prefix } satisfies FakeSlackQuery)) as FollowUpCounts).forms;

  await run(subjects.bare, options.warmup, 'bare');
  const botStartedAt = await followUps(fake, prefix);
  await run(subjects.bot, options.warmup, 'bot');
  await drain(fake, prefix, botStartedAt + options.warmup);

  const bare: number[] = [];
  const bot: number[] = [];
  const ratios: number[] = [];
  let drainMs = 0;
  const slice = Math.ceil(options.requests / ROUNDS);
  const runBot = async () => {
    const before = await followUps(fake, prefix);
    const samples = await run(subjects.bot, slice, 'bot');
    drainMs += await drain(fake, prefix, before + slice);
    return samples;
  };
  for (let round = 0; round < ROUNDS; round += 1) {
    let bareSlice: number[];
    let botSlice: number[];
    if (round % 2 === 0) {
      bareSlice = await run(subjects.bare, slice, 'bare');
      botSlice = await runBot();
    } else {
      botSlice = await runBot();
      bareSlice = await run(subjects.bare, slice, 'bare');
    }
    bare.push(...bareSlice);
    bot.push(...botSlice);
    ratios.push(latencyStats(botSlice).p99 / latencyStats(bareSlice).p99);
  }
  const after = (await fake.call({ op: 'followUps', prefix } satisfies FakeSlackQuery)) as FollowUpCounts;
  const lists = (await fake.call({ op: 'lists', prefix } satisfies FakeSlackQuery)) as number;
  const forms = after.forms - formsBefore;
  return {
    name: testCase.name,
    bare: latencyStats(bare),
    bot: latencyStats(bot),
    ratios,
    completed: lists + forms,
    failedFollowUps: after.responses - lists,
    drainMs,
  };
}

function row(name: string, subject: string, stats: LatencyStats): string {
  return `| ${name} | ${subject} | ${stats.count} | ${ms(stats.p50)} | ${ms(stats.p99)} | ${ms(stats.max)} |`;
}

const loadAverage = () => os.loadavg().map((n) => n.toFixed(2)).join(', ');

/** Runs both cases against both apps and returns the markdown section. */
export async function runAckLatency(options: AckLatencyOptions = {}): Promise<string> {
  const settings = { requests: options.requests ?? 3_000, warmup: options.warmup ?? 200, concurrency: options.concurrency ?? 50 };
  const loadBefore = loadAverage();
  let started = process.cpuUsage();
  type Role = 'bare' | 'bot' | 'fake';
  const children = new Map<Role, ChildService<unknown>>();
  const results: CaseResult[] = [];
  const cpuMs: Record<Role | 'generator', number> = { generator: 0, fake: Number.NaN, bot: Number.NaN, bare: Number.NaN };
  let database: SubjectReady['database'];
  try {
    const fake = await forkService<FakeSlackReady>(FAKE_SLACK_MAIN, [STAFF_SLACK_ID, STAFF_EMAIL]);
    children.set('fake', fake);
    const bot = await forkService<SubjectReady>(SUBJECT_MAIN, ['bot', fake.ready.apiUrl, options.databaseUrl ?? ''], options.botExecArgv);
    children.set('bot', bot);
    const bare = await forkService<SubjectReady>(SUBJECT_MAIN, ['bare', fake.ready.apiUrl]);
    children.set('bare', bare);
    database = bot.ready.database;
    const pendingRequestId = bot.ready.pendingRequestId;
    if (pendingRequestId === undefined) throw new Error('the bot subject reported no pending resource request');
    started = process.cpuUsage();
    for (const [index, testCase] of cases(pendingRequestId).entries()) {
      results.push(await measureCase(fake, testCase, { bare: bare.ready.url, bot: bot.ready.url }, settings, `case${index}-`));
    }
  } finally {
    // The apps first, then the fake Slack they call; the bot drops its database on the way out.
    for (const role of ['bare', 'bot', 'fake'] as const) {
      const child = children.get(role);
      if (child) cpuMs[role] = await child.stop().catch(() => (child.kill(), Number.NaN));
    }
  }
  const used = process.cpuUsage(started);
  cpuMs.generator = (used.user + used.system) / 1000;
  const loadAfter = loadAverage();

  const seconds = (value: number) => (Number.isNaN(value) ? 'n/a' : `${(value / 1000).toFixed(1)} s`);
  const lines = [
    '## Slack acknowledgement latency',
    '',
    `The real bot (\`startBot\`: HTTP Slack adapter, dispatcher, handlers; Atmosphere database on ${database === 'postgres' ? 'the real PostgreSQL, a fresh database with the demo data' : 'embedded PGlite with the demo data'}) against a Bolt app that only acknowledges, both on 127.0.0.1 in the same run, with a fake Slack Web API (users.info gives a staff e-mail). Signed requests, ${settings.concurrency} in flight, ${settings.warmup} warm-up requests per app and case, then ${settings.requests} measured per app and case in ${ROUNDS} rounds of one slice each (${Math.ceil(settings.requests / ROUNDS)} requests), bare first in odd rounds and the bot first in even ones. Latency runs from sending the request to reading the HTTP response, which is the ack; the bot keeps doing its real work after it (the list is posted to the response_url, the Approve click opens a form, each writes its audit row), and each slice of the bot waits for that work to finish before the next slice starts.`,
    '',
    'Processes (the machine has ' + `${os.cpus().length} cores): as in production, where Slack and its clients are other machines, the load generator, each app and the fake Slack API each have their own Node process, so the bot's work after the ack is not billed to the generator or to the bare app.`,
    '',
    '| Process | Runs | CPU time from ready to stop (user + system) |',
    '| --- | --- | ---: |',
    `| benchmark (parent) | the load generator: signs the requests, ${settings.concurrency} in flight, times them | ${seconds(cpuMs.generator)} |`,
    `| bot (child, \`bench/support/subject-main.ts bot\`) | \`startBot\`: Bolt HTTP receiver, dispatcher, handlers, ${database === 'postgres' ? 'pg pool' : 'PGlite'} | ${seconds(cpuMs.bot)} |`,
    `| bare (child, \`bench/support/subject-main.ts bare\`) | a Bolt app whose listeners only call \`ack()\` | ${seconds(cpuMs.bare)} |`,
    `| fake Slack (child, \`bench/support/fake-slack-main.ts\`) | the Web API (users.info, views.open) and the response_url endpoint | ${seconds(cpuMs.fake)} |`,
    ...(database === 'postgres' ? ['| PostgreSQL (server) | the bot\'s fresh database | (not measured) |'] : []),
    '',
    `Load average (1, 5, 15 min) before this benchmark: ${loadBefore}; after: ${loadAfter}.`,
    ...(options.botExecArgv?.length ? ['', `The bot ran with \`${options.botExecArgv.join(' ')}\`: its numbers include that overhead.`] : []),
    '',
    '| Case | App | Requests | p50 (ms) | p99 (ms) | max (ms) |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...results.flatMap((r) => [row(r.name, 'bare Bolt', r.bare), row(r.name, 'atmo-bot', r.bot)]),
    '',
    'The p99 ratio of each round (the bot\'s slice over the bare app\'s slice of the same round):',
    '',
    `| Case | ${Array.from({ length: ROUNDS }, (_, i) => `round ${i + 1}`).join(' | ')} |`,
    `| --- | ${Array.from({ length: ROUNDS }, () => '---:').join(' | ')} |`,
    ...results.map((r) => `| ${r.name} | ${r.ratios.map((ratio) => ratio.toFixed(2)).join(' | ')} |`),
    '',
    `| Case | p99 bot / p99 bare, median of the rounds (range) | Target ≤ ${TARGET_RATIO} | Rounds over the target | Work after the ack completed | Error replies | Time to finish the work after the last ack, summed over the rounds |`,
    '| --- | ---: | --- | ---: | ---: | ---: | ---: |',
    ...results.map((r) => {
      const ratio = median(r.ratios);
      const expected = settings.requests + settings.warmup;
      const missed = r.ratios.filter((value) => value > TARGET_RATIO).length;
      return `| ${r.name} | ${ratio.toFixed(2)} (${Math.min(...r.ratios).toFixed(2)} – ${Math.max(...r.ratios).toFixed(2)}) | ${ratio <= TARGET_RATIO ? 'met on the median' : '**missed**'} | ${missed} of ${r.ratios.length} | ${r.completed} / ${expected} | ${r.failedFollowUps} | ${(r.drainMs / 1000).toFixed(1)} s |`;
    }),
    '',
    'Where the bot\'s time goes: `BENCH_BOT_CPU_PROF_DIR=<dir> npm run bench` profiles the bot\'s process, and `npx tsx bench/cpu-profile-summary.ts <dir>/<file>.cpuprofile` sums it by library.',
  ];
  return lines.join('\n');
}
