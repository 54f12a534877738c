import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { describeMachine } from './support/describe-machine.js';
import { runAckLatency } from './ack-latency.js';
import { runRequestsQuery } from './requests-query.js';
import { runParseWorst } from './parse-worst.js';
import { runSlowWork } from './slow-work.js';
import { runInstancesBench } from './instances.js';
import { runStatsReportBench } from './stats-report.js';
import { runMemoryStartup } from './memory-startup.js';
import { runSubmitEdit } from './submit-edit.js';
import { runDiscordLatency } from './discord-latency.js';

/**
 * `npm run bench`: runs every benchmark in turn and writes docs/benchmarks.md with the machine and the
 * date. Speed targets live here, never as timed assertions in tests. With TEST_DATABASE_URL set, the
 * benchmarks create (and drop) their own databases on that Postgres; without it, those that need it
 * say they were not run. BENCH_BOT_CPU_PROF_DIR=<dir> writes a CPU profile of the bot's process in the
 * ack-latency, slow-work, submit-edit and discord-latency benchmarks (summarise it with bench/cpu-profile-summary.ts); the profiler slows the bot,
 * so such a run's numbers are not the ones to keep. BENCH_BOT_NODE_FLAGS="<flags>" starts the bot's
 * process in those benchmarks with more Node flags, and their sections say so.
 */

const OUTPUT = new URL('../docs/benchmarks.md', import.meta.url);
/** The report's path from the repository's root, for git. */
const DOC_PATH_IN_REPO = 'docs/benchmarks.md';

interface Benchmark {
  name: string;
  /** Forks the bot's process, and so takes its Node flags (the profiler's, BENCH_BOT_NODE_FLAGS). */
  forksBot?: boolean;
  run(databaseUrl: string | undefined): Promise<string>;
}

/** The alert-scan tick benchmark lives in its own file; it needs the real Postgres. */
async function jobTick(databaseUrl: string | undefined): Promise<string> {
  const heading = '## Alert-scan job tick';
  if (!databaseUrl) return `${heading}\n\nNot run: TEST_DATABASE_URL is unset (this benchmark needs the real PostgreSQL).`;
  const module: Record<string, unknown> = await import('./job-tick.js');
  const bench = module['benchJobTick'];
  if (typeof bench !== 'function') return `${heading}\n\nNot run: bench/job-tick.ts does not export benchJobTick.`;
  const table: unknown = await bench();
  return `${heading}\n\nOne tick of the alert scan against Atmosphere tables of two sizes; its time should not follow the table size.\n\n${String(table)}`;
}

/** Set to a directory to write a CPU profile of the bot's process in the benchmarks that fork the bot. */
const botProfileDir = process.env.BENCH_BOT_CPU_PROF_DIR?.trim() || undefined;
/** More Node flags for the bot's process in those benchmarks, such as a heap setting to weigh. */
const botNodeFlags = (process.env.BENCH_BOT_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
/** The forked bot's Node flags: the profiler's and BENCH_BOT_NODE_FLAGS, or none. */
const botExecArgv = [...(botProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${botProfileDir}`] : []), ...botNodeFlags];
const withBotFlags = botExecArgv.length > 0 ? { botExecArgv } : {};

const BENCHMARKS: Benchmark[] = [
  {
    name: 'ack-latency',
    forksBot: true,
    run: (databaseUrl) =>
      runAckLatency({
        ...(databaseUrl ? { databaseUrl } : {}),
        ...withBotFlags,
      }),
  },
  { name: 'requests-query', run: (databaseUrl) => runRequestsQuery(databaseUrl ? { databaseUrl } : {}) },
  { name: 'job-tick', run: jobTick },
  { name: 'parse-worst', run: () => runParseWorst() },
  {
    name: 'slow-work',
    forksBot: true,
    run: (databaseUrl) =>
      runSlowWork({
        ...(databaseUrl ? { databaseUrl } : {}),
        ...withBotFlags,
      }),
  },
  { name: 'instances', run: runInstancesBench },
  { name: 'stats-report', run: runStatsReportBench },
  // Measures dist/ as well when `npm run build` output is newer than src/; says so when it is not.
  { name: 'memory-startup', run: (databaseUrl) => runMemoryStartup(databaseUrl ? { databaseUrl } : {}) },
  {
    name: 'submit-edit',
    forksBot: true,
    run: (databaseUrl) =>
      runSubmitEdit({
        ...(databaseUrl ? { databaseUrl } : {}),
        ...withBotFlags,
      }),
  },
  {
    name: 'discord-latency',
    forksBot: true,
    run: (databaseUrl) =>
      runDiscordLatency({
        ...(databaseUrl ? { databaseUrl } : {}),
        ...withBotFlags,
      }),
  },
];

/**
 * The commit the measured code is at, with a mark when the work tree has uncommitted changes. The
 * report itself does not count: a run of several sections rewrites it after each, and those are
 * not changes to what the next section measures.
 */
function currentCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', `:(exclude)${DOC_PATH_IN_REPO}`], { encoding: 'utf8' }).trim();
    return dirty ? `${head} with uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

const SECTION = /<!-- bench:([a-z0-9-]+) -->\n([\s\S]*?)<!-- \/bench:\1 -->/g;

/** The sections of an earlier docs/benchmarks.md, by benchmark name, so a partial run keeps the others. */
function previousSections(document: string): Map<string, string> {
  return new Map([...document.matchAll(SECTION)].map((match) => [match[1]!, match[2]!]));
}

/**
 * `npm run bench` runs every benchmark; `npm run bench -- job-tick ack-latency` runs only those and keeps
 * the other sections as they were. Each section says when, on which commit and under what load it ran.
 */
async function main(): Promise<void> {
  const databaseUrl = process.env.TEST_DATABASE_URL?.trim() || undefined;
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`bench: no benchmark named ${unknown.join(', ')}; the names are ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
    process.exit(2);
  }
  const previous = previousSections(await readFile(OUTPUT, 'utf8').catch(() => ''));
  const commit = currentCommit();
  const sections = new Map<string, string>();
  // Written after every section, so a run that is stopped keeps what it measured and the sections it
  // did not reach as they were.
  const write = async () => {
    const document = [
      '# Benchmarks',
      '',
      'Generated by `npm run bench` (bench/run.ts); `npm run bench -- <name>` reruns one section and keeps the rest. Each section names the commit, machine, date and load it ran under. Rerun a section after changes that touch its measured path.',
      '',
      ...[...sections].flatMap(([name, text]) => [`<!-- bench:${name} -->`, text.trimEnd(), `<!-- /bench:${name} -->`, '']),
    ].join('\n');
    await writeFile(OUTPUT, document);
  };
  // Every section starts as it was (each names the commit it measured), in the listed order.
  for (const benchmark of BENCHMARKS) {
    const kept = previous.get(benchmark.name);
    if (kept) sections.set(benchmark.name, kept);
  }
  for (const benchmark of BENCHMARKS) {
    if (wanted.length > 0 && !wanted.includes(benchmark.name)) continue;
    const startedAt = new Date();
    const machine = await describeMachine(databaseUrl, startedAt);
    const started = performance.now();
    process.stderr.write(`bench: ${benchmark.name}…\n`);
    let body: string;
    try {
      body = await benchmark.run(databaseUrl);
    } catch (error) {
      // One broken benchmark must not cost the others' numbers; its failure is written down instead.
      body = `## ${benchmark.name}\n\nFailed: ${error instanceof Error ? error.message : String(error)}`;
    }
    const seconds = (performance.now() - started) / 1000;
    const [heading, ...rest] = body.split('\n');
    sections.set(
      benchmark.name,
      [
        heading,
        '',
        `Measured at commit ${commit}.`,
        machine,
        `- Load average at the end (1, 5, 15 min): ${os.loadavg().map((n) => n.toFixed(2)).join(', ')}; this benchmark took ${seconds.toFixed(0)} s`,
        ...rest,
        ...(botNodeFlags.length > 0 && benchmark.forksBot ? ['', `The bot's process ran with the Node flags \`${botNodeFlags.join(' ')}\` (BENCH_BOT_NODE_FLAGS).`] : []),
        '',
      ].join('\n'),
    );
    process.stderr.write(`bench: ${benchmark.name} took ${seconds.toFixed(0)} s\n`);
    await write();
  }
  await write();
  process.stderr.write(`bench: wrote ${OUTPUT.pathname}\n`);
}

await main();
