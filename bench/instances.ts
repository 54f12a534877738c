import { drizzle } from 'drizzle-orm/node-postgres';
import { loadConfig } from '../src/config.js';
import type { Deps } from '../src/deps.js';
import type { ChatEvent, MessageRef } from '../src/bot/chat/chat-event.js';
import type { ChatPort } from '../src/bot/chat/chat-port.js';
import type { Reply } from '../src/bot/chat/reply.js';
import { createDispatcher } from '../src/bot/chat/create-dispatcher.js';
import { commandDefinitions, actionDefinitions } from '../src/handlers/index.js';
import { openPostgres, type Database, type DatabaseHandle } from '../src/db/client.js';
import { BULK_LOAD_POOL } from './support/bulk-load-pool.js';
import { loadAtmosphereSchema } from '../src/db/load-schema.js';
import { seedDemoData } from '../src/db/demo-data.js';
import { migrateBotSchema } from '../src/db/migrate.js';
import { createEmbeddedGateway } from '../src/integrations/atmosphere/embedded-gateway.js';
import { runInstanceAlertScan } from '../src/jobs/instance-alert-scan-job.js';
import { listStuckInstances } from '../src/handlers/instances/build-instance-messages.js';
import { createBenchDatabase } from './support/fresh-database.js';
import { latencyStats, ms } from './support/latency-stats.js';
import { loadInstanceHistory, TROUBLED_INSTANCES } from './support/instance-load.js';
import { offlineDeps } from '../test/support/test-deps.js';

/**
 * `/atmo instances stuck` and one instance alert-scan tick on the real Postgres with 10,000 and
 * 1,000,000 `instance_status_history` rows and only Atmosphere's own indexes. The two sizes are
 * measured alternately in the same run (the small one is the anchor), in RUNS runs of ITERATIONS.
 */

const SIZES = [10_000, 1_000_000] as const;
const RUNS = 5;
const ITERATIONS = 60;
const WARMUP = 10;
const COMMAND_TARGET_MS = 50;
const TICK_RATIO_TARGET = 1.5;
const HEADING = '## Instances: `/atmo instances stuck` and the instance alert tick';

interface Side {
  rows: number;
  handle: DatabaseHandle;
  drop(): Promise<void>;
  deps: Deps;
  loadSeconds: number;
  bootstrapMs: number;
}

function silentChat(): ChatPort {
  let next = 0;
  return {
    post: async (channel, _reply: Reply, options) => ({ platform: channel.platform, channel: channel.channel, id: `b${++next}`, ...(options?.thread ? { threadId: options.thread.id } : {}) }) satisfies MessageRef,
    update: async () => {},
  };
}

async function prepare(url: string, rows: number): Promise<Side> {
  const fresh = await createBenchDatabase(url);
  const handle = openPostgres(fresh.url, { ...BULK_LOAD_POOL, max: 4 });
  await loadAtmosphereSchema(handle);
  await seedDemoData(handle.db, new Date());
  await migrateBotSchema(handle);
  const loadSeconds = await loadInstanceHistory(handle.pool!, rows);
  const deps: Deps = offlineDeps({
    config: loadConfig({ LOG_LEVEL: 'silent', ALERT_CHANNEL: 'console:alerts' }),
    db: handle.db,
    gateway: createEmbeddedGateway(handle.db, () => new Date()),
    chat: silentChat(),
    now: () => new Date(),
  });
  // The first refresh has no cursor and reads the current rows once; the first tick opens the threads.
  const started = performance.now();
  await listStuckInstances(deps, new Date());
  const bootstrapMs = performance.now() - started;
  await runInstanceAlertScan(deps, { now: new Date(), slot: 'bench-first' });
  return { rows, handle, drop: async () => { await handle.close(); await fresh.drop(); }, deps, loadSeconds, bootstrapMs };
}

/** Between ticks Atmosphere keeps writing: three status changes of random instances, as a busy minute has. */
async function churn(pool: NonNullable<DatabaseHandle['pool']>): Promise<void> {
  await pool.query(`
    with pick as (select h.id, h.instance_id, h.size_id, h.status_id from public.instance_status_history h
                  where h.id > (select max(id) - 5000 from public.instance_status_history) and h.end_date is null limit 3),
         ended as (update public.instance_status_history h set end_date = now() from pick where h.id = pick.id returning pick.*)
    insert into public.instance_status_history (uuid, activity, start_date, instance_id, size_id, status_id)
    select gen_random_uuid(), null, now(), instance_id, size_id, status_id from ended`);
}

function commandEvent(index: number): ChatEvent {
  return { kind: 'command', id: `bench-in-${index}`, platform: 'console', user: { platform: 'console', id: 'bench', actingAs: 'kpatel' }, channel: 'console', receivedAt: new Date(), text: 'instances stuck' };
}

async function explainAll(url: string, work: (db: Database) => Promise<unknown>): Promise<{ sql: string; plan: string[] }[]> {
  const handle = openPostgres(url, { max: 2 });
  const captured: { sql: string; params: unknown[] }[] = [];
  try {
    const db = drizzle(handle.pool!, { logger: { logQuery: (sql, params) => void captured.push({ sql, params }) } }) as unknown as Database;
    await work(db);
    const seen = new Set<string>();
    const plans: { sql: string; plan: string[] }[] = [];
    for (const query of captured) {
      if (seen.has(query.sql)) continue;
      seen.add(query.sql);
      // Writes are explained without running them again.
      const analyze = /^\s*select/i.test(query.sql) ? 'analyze, buffers' : 'costs';
      const result = await handle.pool!.query<{ 'QUERY PLAN': string }>(`explain (${analyze}) ${query.sql}`, query.params);
      plans.push({ sql: query.sql, plan: result.rows.map((r) => r['QUERY PLAN']) });
    }
    return plans;
  } finally {
    await handle.close();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spread = (values: number[]) => `${ms(Math.min(...values))}–${ms(Math.max(...values))}`;

export async function runInstancesBench(databaseUrl: string | undefined): Promise<string> {
  if (!databaseUrl) return `${HEADING}\n\nNot run: TEST_DATABASE_URL is unset (this benchmark needs the real PostgreSQL).`;
  const sides: Side[] = [];
  try {
    for (const rows of SIZES) sides.push(await prepare(databaseUrl, rows));
    const dispatchers = sides.map((side) => createDispatcher(side.deps, commandDefinitions, actionDefinitions));
    const p95 = { command: sides.map((): number[] => []), tick: sides.map((): number[] => []) };
    let lastText = '';
    for (let run = 0; run < RUNS; run += 1) {
      const command = sides.map((): number[] => []);
      const tick = sides.map((): number[] => []);
      for (let i = 0; i < WARMUP + ITERATIONS; i += 1) {
        // Alternate the sizes inside every iteration, so drift on the machine hits both alike.
        for (const [s, side] of sides.entries()) {
          let repliedAt = 0;
          const started = performance.now();
          await dispatchers[s]!.handle(commandEvent(i), { respond: async (reply) => { repliedAt = performance.now(); lastText = reply.text; } });
          if (i >= WARMUP) command[s]!.push(repliedAt - started);
          await churn(side.handle.pool!);
          const tickStarted = performance.now();
          await runInstanceAlertScan(side.deps, { now: new Date(), slot: `bench-${run}-${i}` });
          if (i >= WARMUP) tick[s]!.push(performance.now() - tickStarted);
        }
      }
      for (const s of sides.keys()) {
        p95.command[s]!.push(latencyStats(command[s]!).p95);
        p95.tick[s]!.push(latencyStats(tick[s]!).p95);
      }
    }
    if (!/instances in error or stuck/.test(lastText)) throw new Error(`the command did not list the instances: ${lastText}`);
    const large = sides.length - 1;
    const ratios = p95.tick[large]!.map((value, run) => value / p95.tick[0]![run]!);
    const commandMisses = p95.command[large]!.filter((value) => value >= COMMAND_TARGET_MS).length;
    const ratioMisses = ratios.filter((ratio) => ratio > TICK_RATIO_TARGET).length;
    const largeUrl = new URL(databaseUrl);
    largeUrl.pathname = (await sides[large]!.handle.pool!.query<{ db: string }>('select current_database() as db')).rows[0]!.db;
    largeUrl.pathname = `/${largeUrl.pathname.replace(/^\//, '')}`;
    const plans = await explainAll(largeUrl.toString(), async (db) => {
      const deps = { ...sides[large]!.deps, db };
      await listStuckInstances(deps, new Date());
      await runInstanceAlertScan(deps, { now: new Date(), slot: 'bench-explain' });
    });
    const row = (label: string, values: number[][], target: string) =>
      `| ${label} | ${values.map((v) => `${ms(median(v))} (${spread(v)})`).join(' | ')} | ${target} |`;
    return [
      HEADING,
      '',
      `Two fresh databases on the real PostgreSQL with Atmosphere's schema and only its own indexes, the demo data, then ${SIZES.map((n) => n.toLocaleString('en-US')).join(' and ')} \`instance_status_history\` rows (ten per instance; ${TROUBLED_INSTANCES} instances in networking, deploying, deploy_error, active/user_deploy_error or error in both, the rest green-light active). Load: ${sides.map((s) => `${s.rows.toLocaleString('en-US')} rows ${s.loadSeconds.toFixed(1)} s`).join('; ')}. The very first refresh has no cursor and reads the current rows once (${sides.map((s) => `${ms(s.bootstrapMs)} ms at ${s.rows.toLocaleString('en-US')}`).join(', ')}); everything below is after it.`,
      '',
      `Timed, alternating the two sizes inside every iteration: \`dispatcher.handle\` of \`instances stuck\` from a console user acting as staff, up to the reply (watch refresh by primary key, histories of the watched instances, classification, rendering); then, after three new status rows were written, one \`runInstanceAlertScan\` tick (refresh, open threads, bot events, ${TROUBLED_INSTANCES} observations, no chat changes). ${RUNS} runs of ${WARMUP} warm-up + ${ITERATIONS} measured iterations; each cell is the median of the runs' p95 with the spread (min–max) over the runs.`,
      '',
      `| p95 (ms), median (spread) over ${RUNS} runs | ${SIZES.map((n) => `${n.toLocaleString('en-US')} rows`).join(' | ')} | target |`,
      '| --- | ---: | ---: | --- |',
      row('`/atmo instances stuck`, command to reply', p95.command, `< ${COMMAND_TARGET_MS} ms at 1M: ${commandMisses === 0 ? 'met' : `**missed** in ${commandMisses} of ${RUNS} runs`}`),
      row('one instance alert-scan tick', p95.tick, `1M / 10k within ${TICK_RATIO_TARGET}x: ratio ${ratios.map((r) => r.toFixed(2)).join(', ')}; ${ratioMisses === 0 ? 'met' : `**missed** in ${ratioMisses} of ${RUNS} runs`}`),
      '',
      'The reply read: "' + lastText.split('\n')[0] + '"',
      '',
      '### Query plans at 1,000,000 rows (`EXPLAIN (ANALYZE, BUFFERS)` for reads, `EXPLAIN` for writes; one command and one tick)',
      '',
      'Reads of `instance_status_history` go through its primary key (the rows after the cursor) and `instance_status_history_instance_id_…` (the histories of the watched instances); `instance` by primary key; the bot\'s own tables by theirs. The one-time first refresh (a sequential pass over the current rows) is not among them.',
      ...plans.flatMap((plan) => ['', '```sql', plan.sql.replace(/\s+/g, ' ').trim(), '```', '', '```', ...plan.plan, '```']),
    ].join('\n');
  } finally {
    for (const side of sides) await side.drop();
  }
}
