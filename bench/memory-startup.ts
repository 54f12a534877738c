import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openPostgres } from '../src/db/client.js';
import { loadAtmosphereSchema } from '../src/db/load-schema.js';
import { seedDemoData } from '../src/db/demo-data.js';
import { migrateBotSchema } from '../src/db/migrate.js';
import { signedPost, slashCommand } from '../test/support/slack-requests.js';
import { BULK_LOAD_POOL } from './support/bulk-load-pool.js';
import { bulkLoad, type BulkSize } from './support/bulk-load.js';
import { createBenchDatabase } from './support/fresh-database.js';
import { forkService, type ChildService } from './support/child-service.js';
import type { FakeSlackQuery, FakeSlackReady } from './support/fake-slack-main.js';
import { freePort, LOADED_PACKAGES_PRELOAD, packagesOf, residentMemory, spawnNode } from './support/os-process.js';
import { compiledBuildProblem, imageNodeOptions, memorySubjects, type MemorySubject } from './support/memory-subjects.js';
import { median } from './support/median.js';
import { runPool } from './support/run-pool.js';

/**
 * Memory and start-up of the bot against a bare Bolt app, each started as production starts a
 * service (`node <entry>` with only its environment, no IPC) and watched from this process: the time
 * from the spawn to `/healthz` answering 200, resident memory (VmRSS in /proc) once idle, and again
 * after a stream of signed slash commands through the real HTTP path once the bot has posted every
 * answer. The sides alternate run by run; the fake Slack API runs in a process of its own.
 * At the defaults (5 runs, 20k commands, both pairs) it takes about 20 minutes on 2 cores.
 */

export interface MemoryStartupOptions {
  databaseUrl?: string;
  runs?: number;
  events?: number;
  concurrency?: number;
  /** Grow the demo data to this size first (production size makes each run much longer). */
  size?: BulkSize;
}

const TARGET_RATIO = 1.5;
const SECRET = 'bench-signing-secret';
/** Time for a started process to finish its lazy start-up work before it counts as idle. */
const IDLE_SETTLE_MS = 3_000;
/** Time after the last answer before memory is read again. */
const AFTER_SETTLE_MS = 2_000;
const DRAIN_TIMEOUT_MS = 600_000;
const STAFF = { id: 'USTAFF1', email: 'kpatel@cyverse.org' };
const MEMBER = { id: 'UMEMBER1', email: 'jsmith@example.edu' };
const WATCHED_PACKAGES = ['discord.js', 'ioredis', '@octokit/rest'];
const FAKE_SLACK_MAIN = new URL('./support/fake-slack-main.ts', import.meta.url);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RunResult {
  subject: MemorySubject;
  run: number;
  startupMs: number;
  idleMiB: number;
  afterMiB: number;
  peakMiB: number;
  packages: Set<string>;
  /** Bot runs: how many `/atmo requests` answers carried the pending list (the others were errors). */
  lists: number;
  /** Commands the bot turned away because its work queue was full (their answer said so). */
  refused: number;
}

type FakeSlack = ChildService<FakeSlackReady>;

async function measureRun(subject: MemorySubject, run: number, slack: FakeSlack, databaseUrl: string, settings: { events: number; concurrency: number }): Promise<RunResult> {
  const port = await freePort();
  const modulesFile = join(tmpdir(), `atmobot-modules-${randomBytes(6).toString('hex')}.json`);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    BENCH_LOADED_MODULES_FILE: modulesFile,
    SLACK_BOT_TOKEN: 'xoxb-bench-token',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.ready.apiUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    ...(subject.kind === 'bot' ? { DATABASE_URL: databaseUrl, LOG_LEVEL: 'error', CONSOLE: 'off', JOBS: 'false' } : {}),
    ...subject.env,
  };
  const child = spawnNode(subject.args, env);
  try {
    const base = `http://127.0.0.1:${port}`;
    const startupMs = await child.waitHealthy(`${base}/healthz`);
    await sleep(IDLE_SETTLE_MS);
    const idle = await residentMemory(child.pid);
    const prefix = `r${run}-${subject.pair}-${subject.kind}-`;
    // The bot is paced by its answers, as users wait for theirs: at most `concurrency` commands are
    // unanswered at once. Paced only by the acknowledgement (which comes at once) the commands flood
    // the bot faster than it answers, and its queue's bound turns most of them away. The bare app has
    // no answers; it is paced by its acknowledgement.
    let answered = 0;
    const answeredAtLeast = async (count: number) => {
      while (answered < count) {
        answered = (await slack.call({ op: 'answered', prefix } satisfies FakeSlackQuery)) as number;
        if (answered < count) await sleep(5);
      }
    };
    await runPool(settings.events, settings.concurrency, async (index) => {
      if (subject.kind === 'bot') await answeredAtLeast(index - settings.concurrency + 1);
      const user = index % 2 === 0 ? STAFF : MEMBER;
      const text = index % 2 === 0 ? 'requests' : 'whoami';
      const body = slashCommand({ text, userId: user.id, responseUrl: `${slack.ready.responseUrlPrefix}${encodeURIComponent(`${prefix}${index}`)}` });
      const response = await signedPost(base, body, SECRET);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${subject.name} answered ${response.status}`);
    });
    // The bare app only acknowledges; the bot is done once every command's answer was posted.
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while (subject.kind === 'bot' && ((await slack.call({ op: 'answered', prefix } satisfies FakeSlackQuery)) as number) < settings.events) {
      if (Date.now() > deadline) throw new Error(`${subject.name} did not answer all ${settings.events} commands within ${DRAIN_TIMEOUT_MS} ms`);
      await sleep(100);
    }
    const lists = subject.kind === 'bot' ? ((await slack.call({ op: 'containing', prefix, text: 'pending resource request' } satisfies FakeSlackQuery)) as number) : 0;
    const refused = subject.kind === 'bot' ? ((await slack.call({ op: 'containing', prefix, text: 'too busy to take this' } satisfies FakeSlackQuery)) as number) : 0;
    await sleep(AFTER_SETTLE_MS);
    const after = await residentMemory(child.pid);
    await child.stop();
    const modules = JSON.parse(await readFile(modulesFile, 'utf8').catch(() => '[]')) as string[];
    return { subject, run, startupMs, idleMiB: idle.rss, afterMiB: after.rss, peakMiB: after.peak, packages: packagesOf(modules), lists, refused };
  } finally {
    await child.stop();
    await rm(modulesFile, { force: true });
  }
}

const mib = (value: number) => (Number.isNaN(value) ? 'n/a' : value.toFixed(0));
const spread = (values: number[], format: (n: number) => string) => `${format(Math.min(...values))}–${format(Math.max(...values))}`;
const msText = (value: number) => value.toFixed(0);

function pairLines(results: RunResult[], pair: 'tsx' | 'compiled'): string[] {
  const of = (kind: 'bare' | 'bot') => results.filter((r) => r.subject.pair === pair && r.subject.kind === kind).sort((a, b) => a.run - b.run);
  const bare = of('bare');
  const bot = of('bot');
  if (bare.length === 0 || bot.length === 0) return [];
  const metrics: { label: string; pick(r: RunResult): number; format(n: number): string; target: boolean }[] = [
    { label: 'start-up to /healthz 200 (ms)', pick: (r) => r.startupMs, format: msText, target: false },
    { label: 'RSS idle (MiB)', pick: (r) => r.idleMiB, format: mib, target: true },
    { label: 'RSS after the commands (MiB)', pick: (r) => r.afterMiB, format: mib, target: true },
    { label: 'peak RSS, VmHWM (MiB)', pick: (r) => r.peakMiB, format: mib, target: false },
  ];
  return metrics.map((metric) => {
    const bareValues = bare.map(metric.pick);
    const botValues = bot.map(metric.pick);
    const ratio = median(botValues) / median(bareValues);
    // Runs are paired in order: run r of the bot against run r of the bare app.
    const missed = botValues.filter((value, i) => value / bareValues[i]! > TARGET_RATIO).length;
    const verdict = metric.target ? `≤ ${TARGET_RATIO}x: ${ratio <= TARGET_RATIO ? 'met' : '**missed**'} on the median; ${missed} of ${botValues.length} runs missed` : 'reported';
    return `| ${pair} | ${metric.label} | ${metric.format(median(bareValues))} (${spread(bareValues, metric.format)}) | ${metric.format(median(botValues))} (${spread(botValues, metric.format)}) | ${ratio.toFixed(2)} | ${verdict} |`;
  });
}

export async function runMemoryStartup(options: MemoryStartupOptions = {}): Promise<string> {
  const heading = '## Memory and start-up';
  if (!options.databaseUrl) return `${heading}\n\nNot run: TEST_DATABASE_URL is unset (this benchmark needs the real PostgreSQL).`;
  const settings = { runs: options.runs ?? 5, events: options.events ?? 20_000, concurrency: options.concurrency ?? 20 };
  const buildProblem = await compiledBuildProblem();
  const nodeOptions = await imageNodeOptions();
  const fresh = await createBenchDatabase(options.databaseUrl);
  let slack: FakeSlack | undefined;
  const { subjects, cleanup } = await memorySubjects(buildProblem === null, LOADED_PACKAGES_PRELOAD);
  try {
    const handle = openPostgres(fresh.url, { ...BULK_LOAD_POOL, max: 2 });
    try {
      await loadAtmosphereSchema(handle);
      await seedDemoData(handle.db, new Date());
      if (options.size) await bulkLoad(handle.pool!, options.size);
      await migrateBotSchema(handle);
    } finally {
      await handle.close();
    }
    slack = await forkService<FakeSlackReady>(FAKE_SLACK_MAIN, [STAFF.id, STAFF.email, MEMBER.id, MEMBER.email]);
    const results: RunResult[] = [];
    for (let run = 0; run < settings.runs; run += 1) {
      for (const subject of run % 2 === 0 ? subjects : [...subjects].reverse()) {
        process.stderr.write(`bench: memory-startup run ${run + 1}/${settings.runs}: ${subject.name}\n`);
        results.push(await measureRun(subject, run, slack, fresh.url, settings));
      }
    }
    const botRuns = results.filter((r) => r.subject.kind === 'bot');
    const loaded = WATCHED_PACKAGES.map((name) => {
      const count = botRuns.filter((r) => r.packages.has(name)).length;
      return `\`${name}\` ${count === 0 ? 'not loaded' : `**loaded** (${count} of ${botRuns.length} bot runs)`}`;
    });
    const data = options.size
      ? `the demo data grown to ${options.size.resourceRequests.toLocaleString('en')} resource requests and ${options.size.users.toLocaleString('en')} users`
      : 'the demo data (5 pending requests)';
    return [
      heading,
      '',
      `Each subject is started as production starts a service, \`node <entry>\` with only its environment and no IPC channel; this process times it from the spawn to \`GET /healthz\` answering 200 (the bare Bolt app, \`bench/support/bare-bolt-main.ts\`, imports only Bolt and has a \`/healthz\` route), reads VmRSS from /proc/<pid>/status after ${IDLE_SETTLE_MS / 1000} s idle, then sends ${settings.events.toLocaleString('en')} signed slash commands (half \`/atmo requests\` from a staff member, half \`whoami\`), at most ${settings.concurrency} unanswered at once (the bare app, which answers nothing, ${settings.concurrency} unacknowledged), waits until the bot has posted every answer to its response_url, waits ${AFTER_SETTLE_MS / 1000} s and reads VmRSS again (and VmHWM, the peak). The bot: Slack over HTTP, the real PostgreSQL (a fresh database with ${data}), no REDIS_URL, no Discord, no ATMOSPHERE_API_URL, JOBS=false.${options.size ? '' : ' (Demo data rather than production size: at 1M resource requests each run of 20k commands takes many minutes, and memory is about the process, not the rows; pass `size` to measure it there.)'} ${settings.runs} runs of each subject, the subjects' order reversed on every other run; medians, with the spread over runs in brackets.`,
      '',
      `The tsx pair runs as \`npm start\` does (\`node --import tsx\`); the compiled pair runs the build, as production does (\`node dist/main.js\`${nodeOptions ? ` with the image's \`NODE_OPTIONS=${nodeOptions}\` from the Dockerfile` : ''}, and the bare app transpiled to JavaScript with Node's defaults). ${buildProblem ? `The compiled pair was not measured: ${buildProblem}.` : ''}`,
      '',
      '| Pair | Measure | bare Bolt | atmo-bot | bot / bare | Target |',
      '| --- | --- | ---: | ---: | ---: | --- |',
      ...pairLines(results, 'tsx'),
      ...pairLines(results, 'compiled'),
      '',
      `Work done: in each bot run, ${Math.min(...botRuns.map((r) => r.lists))} to ${Math.max(...botRuns.map((r) => r.lists))} of the ${Math.ceil(settings.events / 2).toLocaleString('en')} \`/atmo requests\` answers carried the pending list; ${Math.min(...botRuns.map((r) => r.refused))} to ${Math.max(...botRuns.map((r) => r.refused))} of the ${settings.events.toLocaleString('en')} commands were turned away by the work queue's bound (their answer said so).`,
      '',
      // The check is only worth something if it sees the packages that are certainly loaded.
      botRuns.every((r) => r.packages.has('@slack/bolt') && r.packages.has('pg'))
        ? `Optional clients in the bot's process (CommonJS module cache at exit, Slack-only configuration; the same cache lists \`@slack/bolt\` and \`pg\` in every bot run, ${median(botRuns.map((r) => r.packages.size))} CommonJS packages in all): ${loaded.join(', ')}.`
        : 'Optional clients: the module cache check did not work (it did not list `@slack/bolt` and `pg` in every bot run).',
    ].join('\n');
  } finally {
    await slack?.stop().catch(() => slack?.kill());
    await cleanup();
    await fresh.drop();
  }
}
