import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import type { Deps } from '../src/deps.js';
import type { Database } from '../src/db/client.js';
import { migrateBotSchema } from '../src/db/migrate.js';
import { enqueueImagingRequest, removeQueuedRequest } from '../src/db/queries/imaging-queue.js';
import { createEmbeddedGateway } from '../src/integrations/atmosphere/embedded-gateway.js';
import { buildJobs } from '../src/jobs/index.js';
import { ALERT_SCAN_JOB } from '../src/jobs/alert-scan-job.js';
import type { ScheduledJob } from '../src/jobs/scheduler.js';
import { createTestDatabase, TEST_NOW, type TestDatabase } from '../test/support/databases.js';
import { offlineDeps } from '../test/support/test-deps.js';
import { fillImagingTables } from './support/fill-imaging-tables.js';
import { BULK_LOAD_POOL } from './support/bulk-load-pool.js';
import { openPostgres } from '../src/db/client.js';
import { median } from './support/median.js';

/**
 * One alert-scan tick as production runs it (the job `buildJobs` wires, so the imaging queue advances
 * before the scan) against Atmosphere tables of 10,000 and of 1,000,000 rows (`machine_request` and
 * `instance_status_history`, mostly completed history plus a few dozen unfinished and errored
 * requests, two of them holding the imaging slot). Two cases: the bot's imaging queue empty (the
 * usual minute), and one request queued behind the busy slot (the slot check runs every tick and
 * approves nothing). The tick reads only what is unfinished or changed, so its time should not follow
 * the table size: the target is at most 1.5x from the smaller to the larger, on the median of runs.
 */

const RUNS = 5;
const TICKS_PER_RUN = 15;
const TARGET_RATIO = 1.5;

type Case = 'queue empty' | 'one queued, slot busy';
const CASES: readonly Case[] = ['queue empty', 'one queued, slot busy'];

interface Subject {
  rows: number;
  database: TestDatabase;
  db: Database;
  job: ScheduledJob;
  erroredId: number;
  queuedId: number;
  tick: number;
  clock: { now: Date };
}

async function prepare(rows: number): Promise<Subject> {
  const database = await createTestDatabase('postgres', { demo: true, troposphere: false });
  await migrateBotSchema(database.atmosphere);
  const db = database.atmosphere.db;
  // A million-row insert runs past the bot's statement timeout: the fill has a pool of its own without one.
  const bulk = openPostgres(database.url!, { ...BULK_LOAD_POOL, max: 2 });
  let filled: { erroredId: number; queuedId: number };
  try {
    filled = await fillImagingTables(bulk.db, rows);
  } finally {
    await bulk.close();
  }
  const { erroredId, queuedId } = filled;
  const clock = { now: TEST_NOW };
  const deps: Deps = offlineDeps({
    config: loadConfig({ ALERT_CHANNEL: 'console:alerts' }),
    db,
    gateway: createEmbeddedGateway(db, () => clock.now),
    now: () => clock.now,
  });
  const job = buildJobs(deps).find((j) => j.name === ALERT_SCAN_JOB);
  if (!job) throw new Error('buildJobs has no alert-scan job');
  return { rows, database, db, job, erroredId, queuedId, tick: 0, clock };
}

/** One timed tick; one request changes first (a new error text), so each tick also posts one thread update. */
async function timedTick(subject: Subject): Promise<number> {
  subject.tick += 1;
  subject.clock.now = new Date(TEST_NOW.getTime() + subject.tick * 60_000);
  await subject.db.execute(sql`update machine_request set old_status = old_status || ' again' where id = ${subject.erroredId}`);
  const started = performance.now();
  await subject.job.run({ now: subject.clock.now, slot: subject.clock.now.toISOString() });
  return performance.now() - started;
}

async function setQueue(subject: Subject, which: Case): Promise<void> {
  if (which === 'queue empty') await removeQueuedRequest(subject.db, subject.queuedId);
  else await enqueueImagingRequest(subject.db, { requestId: subject.queuedId, queuedBy: 'bench', platform: 'job', queuedAt: subject.clock.now });
}

interface Cell {
  rows: number;
  case: Case;
  /** p50 of each run's ticks. */
  runP50s: number[];
  ticks: number;
}

/** Runs both sizes side by side, interleaved tick by tick with alternating order; returns the markdown. */
export async function benchJobTick(sizes: readonly number[] = [10_000, 1_000_000]): Promise<string> {
  const subjects: Subject[] = [];
  try {
    for (const rows of sizes) subjects.push(await prepare(rows));
    // Warm-up: the first ticks open every thread; later ones find only the one change per tick.
    for (const subject of subjects) for (let i = 0; i < 3; i += 1) await timedTick(subject);
    const cells = new Map<string, Cell>();
    const cell = (s: Subject, c: Case) => {
      const key = `${s.rows}|${c}`;
      const found = cells.get(key) ?? { rows: s.rows, case: c, runP50s: [], ticks: 0 };
      cells.set(key, found);
      return found;
    };
    for (let run = 0; run < RUNS; run += 1) {
      const caseOrder = run % 2 === 0 ? CASES : [...CASES].reverse();
      for (const which of caseOrder) {
        for (const subject of subjects) await setQueue(subject, which);
        const samples = new Map<Subject, number[]>(subjects.map((s) => [s, []]));
        for (let i = 0; i < TICKS_PER_RUN; i += 1) {
          const order = (run + i) % 2 === 0 ? subjects : [...subjects].reverse();
          for (const subject of order) samples.get(subject)!.push(await timedTick(subject));
        }
        for (const subject of subjects) {
          const c = cell(subject, which);
          c.runP50s.push(median(samples.get(subject)!));
          c.ticks += TICKS_PER_RUN;
        }
      }
    }
    return render([...cells.values()], sizes);
  } finally {
    for (const subject of subjects) await subject.database.drop();
  }
}

function render(cells: Cell[], sizes: readonly number[]): string {
  const fmt = (v: number) => v.toFixed(1);
  const lines = [
    `The job \`buildJobs\` wires (imaging queue step, then the scan), ${RUNS} runs of ${TICKS_PER_RUN} ticks per size and case; the two sizes are separate databases ticked alternately (order swapped every tick) and the two cases alternate between runs, so load on the shared machine falls on both sides alike. Per run the p50 tick; the table gives the median of the runs and their range.`,
    '',
    '| case | rows in machine_request and instance_status_history | ticks | median of run p50s (ms) | range of run p50s (ms) |',
    '| --- | ---: | ---: | ---: | --- |',
    ...cells.map((c) => `| ${c.case} | ${c.rows.toLocaleString('en-US')} | ${c.ticks} | ${fmt(median(c.runP50s))} | ${fmt(Math.min(...c.runP50s))} – ${fmt(Math.max(...c.runP50s))} |`),
    '',
    `| case | ratio largest / smallest, median of runs | per-run ratios | runs over ${TARGET_RATIO}x | target ≤ ${TARGET_RATIO}x |`,
    '| --- | ---: | --- | ---: | --- |',
  ];
  const small = sizes[0];
  const large = sizes[sizes.length - 1];
  for (const which of CASES) {
    const a = cells.find((c) => c.rows === small && c.case === which);
    const b = cells.find((c) => c.rows === large && c.case === which);
    if (!a || !b || a === b) continue;
    const ratios = b.runP50s.map((v, i) => v / a.runP50s[i]!);
    const ratio = median(ratios);
    const missed = ratios.filter((r) => r > TARGET_RATIO).length;
    lines.push(`| ${which} | ${ratio.toFixed(2)}x | ${ratios.map((r) => r.toFixed(2)).join(', ')} | ${missed} of ${ratios.length} | ${ratio <= TARGET_RATIO ? 'met' : '**missed**'} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (!process.env.TEST_DATABASE_URL) {
    process.stderr.write('Set TEST_DATABASE_URL to a Postgres the benchmark may create databases in.\n');
    process.exit(1);
  }
  process.stdout.write(`${await benchJobTick()}\n`);
}
