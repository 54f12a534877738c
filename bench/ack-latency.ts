import { startFakeSlackApi, type FakeSlackApi } from '../test/fakes/slack-api.js';
import { blockAction, signedPost, slashCommand, type BlockActionPayload, type SlashCommandFields } from '../test/support/slack-requests.js';
import { APPROVE_ACTION } from '../src/handlers/resource-requests/render-resource-request.js';
import { SIGNING_SECRET, startBareSubject, startBotSubject, type AckSubject } from './support/ack-subjects.js';
import { latencyStats, ms, type LatencyStats } from './support/latency-stats.js';
import { runPool } from './support/run-pool.js';

/**
 * Slack acknowledgement latency of the real bot against a Bolt app that only acknowledges, in one
 * process and one run, so the ratio cancels out the machine. A request's latency runs from sending the
 * signed POST to reading the HTTP response, which Bolt writes when the listener calls `ack()`.
 */

export interface AckLatencyOptions {
  /** A real Postgres to create the bot's database in; embedded PGlite without it. */
  databaseUrl?: string;
  requests?: number;
  warmup?: number;
  concurrency?: number;
}

/** The requirement: the bot's p99 within 1.5 times the bare app's. */
const TARGET_RATIO = 1.5;
/** Each case is measured in this many alternating slices (bare, bot, bare, bot) to spread drift. */
const ROUNDS = 4;
/** How long the bot may take to finish the work that follows the acks of one slice. */
const DRAIN_TIMEOUT_MS = 120_000;

/** The staff member who clicks: users.info on the fake Slack API gives their Atmosphere e-mail. */
const STAFF_SLACK_ID = 'USTAFF1';

interface Case {
  name: string;
  body(responseId: string): SlashCommandFields | BlockActionPayload;
}

function cases(fake: FakeSlackApi, pendingRequestId: number): Case[] {
  let ts = 0;
  return [
    {
      name: 'slash `/atmo requests`',
      body: (id) => slashCommand({ text: 'requests', userId: STAFF_SLACK_ID, responseUrl: fake.responseUrl(id) }),
    },
    {
      name: `button \`${APPROVE_ACTION}\``,
      body: (id) =>
        blockAction({
          // As on the rendered list: each button's action_id carries a per-message suffix.
          actionId: `${APPROVE_ACTION}#1`,
          value: `${pendingRequestId}:list`,
          userId: STAFF_SLACK_ID,
          messageTs: `1700000000.${String(++ts).padStart(6, '0')}`,
          responseUrl: fake.responseUrl(id),
        }),
    },
  ];
}

async function send(subject: AckSubject, body: SlashCommandFields | BlockActionPayload): Promise<void> {
  const response = await signedPost(subject.url, body, SIGNING_SECRET);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`the endpoint answered ${response.status}`);
}

/** Waits until the fake Slack API saw `count` follow-ups (a posted list, an opened form, or an error reply). */
async function drain(fake: FakeSlackApi, followUps: () => number, count: number): Promise<number> {
  const started = performance.now();
  await fake.waitFor(() => followUps() >= count, DRAIN_TIMEOUT_MS);
  return performance.now() - started;
}

interface CaseResult {
  name: string;
  bare: LatencyStats;
  bot: LatencyStats;
  /** Follow-ups that show the bot really did the work: lists posted or forms opened. */
  completed: number;
  failedFollowUps: number;
  drainMs: number;
}

async function measureCase(
  fake: FakeSlackApi,
  testCase: Case,
  subjects: { bare: AckSubject; bot: AckSubject },
  options: Required<Omit<AckLatencyOptions, 'databaseUrl'>>,
  prefix: string,
): Promise<CaseResult> {
  let sent = 0;
  const followUps = () => fake.responses.filter((r) => r.id.startsWith(prefix)).length + fake.calls.filter((c) => c.method === 'views.open').length;
  const formsBefore = fake.calls.filter((c) => c.method === 'views.open').length;
  const run = async (subject: AckSubject, total: number, tag: string) =>
    runPool(total, options.concurrency, () => send(subject, testCase.body(`${prefix}${tag}-${++sent}`)));

  await run(subjects.bare, options.warmup, 'bare');
  const botStartedAt = followUps();
  await run(subjects.bot, options.warmup, 'bot');
  await drain(fake, followUps, botStartedAt + options.warmup);

  const bare: number[] = [];
  const bot: number[] = [];
  let drainMs = 0;
  const slice = Math.ceil(options.requests / ROUNDS);
  for (let round = 0; round < ROUNDS; round += 1) {
    bare.push(...(await run(subjects.bare, slice, 'bare')));
    const before = followUps();
    bot.push(...(await run(subjects.bot, slice, 'bot')));
    drainMs += await drain(fake, followUps, before + slice);
  }
  const bodies = fake.responses.filter((r) => r.id.startsWith(prefix)).map((r) => JSON.stringify(r.body));
  const lists = bodies.filter((body) => body.includes('pending resource request')).length;
  const forms = fake.calls.filter((c) => c.method === 'views.open').length - formsBefore;
  return {
    name: testCase.name,
    bare: latencyStats(bare),
    bot: latencyStats(bot),
    completed: lists + forms,
    failedFollowUps: bodies.length - lists,
    drainMs,
  };
}

function row(name: string, subject: string, stats: LatencyStats): string {
  return `| ${name} | ${subject} | ${stats.count} | ${ms(stats.p50)} | ${ms(stats.p99)} | ${ms(stats.max)} |`;
}

/** Runs both cases against both apps and returns the markdown section. */
export async function runAckLatency(options: AckLatencyOptions = {}): Promise<string> {
  const settings = { requests: options.requests ?? 2_000, warmup: options.warmup ?? 200, concurrency: options.concurrency ?? 50 };
  const fake = await startFakeSlackApi();
  fake.setUser(STAFF_SLACK_ID, { email: 'kpatel@cyverse.org' });
  const bot = await startBotSubject(fake.url, options.databaseUrl);
  const bare = await startBareSubject(fake.url);
  const results: CaseResult[] = [];
  try {
    for (const [index, testCase] of cases(fake, bot.pendingRequestId).entries()) {
      results.push(await measureCase(fake, testCase, { bare, bot }, settings, `case${index}-`));
    }
  } finally {
    await bare.stop();
    await bot.stop();
    await fake.close();
  }

  const lines = [
    '## Slack acknowledgement latency',
    '',
    `The real bot (\`startBot\`: HTTP Slack adapter, dispatcher, handlers; Atmosphere database on ${bot.database === 'postgres' ? 'the real PostgreSQL, a fresh database with the demo data' : 'embedded PGlite with the demo data'}) against a Bolt app that only acknowledges, both on 127.0.0.1 in the same process and run, with a fake Slack Web API (users.info gives a staff e-mail). Signed requests, ${settings.concurrency} in flight, ${settings.warmup} warm-up requests per app and case, then ${settings.requests} measured per app and case in ${ROUNDS} alternating slices. Latency runs from sending the request to reading the HTTP response, which is the ack; the bot keeps working after it (the list is posted to the response_url, the Approve click opens a form).`,
    '',
    '| Case | App | Requests | p50 (ms) | p99 (ms) | max (ms) |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...results.flatMap((r) => [row(r.name, 'bare Bolt', r.bare), row(r.name, 'atmo-bot', r.bot)]),
    '',
    `| Case | p99 bot / p99 bare | Target ≤ ${TARGET_RATIO} | Work after the ack completed | Error replies | Time to finish the work after the last ack |`,
    '| --- | ---: | --- | ---: | ---: | ---: |',
    ...results.map((r) => {
      const ratio = Math.round((r.bot.p99 / r.bare.p99) * 100) / 100;
      const expected = settings.requests + settings.warmup;
      return `| ${r.name} | ${ratio.toFixed(2)} | ${ratio <= TARGET_RATIO ? 'met' : '**missed**'} | ${r.completed} / ${expected} | ${r.failedFollowUps} | ${(r.drainMs / 1000).toFixed(1)} s |`;
    }),
  ];
  return lines.join('\n');
}
