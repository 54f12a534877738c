import { loadConfig } from '../src/config.js';
import { openPostgres } from '../src/db/client.js';
import { seedDemoData } from '../src/db/demo-data.js';
import { loadAtmosphereSchema } from '../src/db/load-schema.js';
import { migrateBotSchema } from '../src/db/migrate.js';
import { buildStatsReport, computeStatsFigures } from '../src/handlers/stats/build-stats-report.js';
import { BULK_LOAD_POOL } from './support/bulk-load-pool.js';
import { createBenchDatabase } from './support/fresh-database.js';
import { loadInstanceHistory } from './support/instance-load.js';
import { median } from './support/median.js';

/**
 * `/atmo stats --weeks 52` on the real Postgres holding more than a year of a busy cloud: 1,000,000
 * `instance_status_history` rows (100,000 instances, all launched inside the year, so every one is
 * read), 6,000 resource requests and 3,000 imaging requests spread over the year, with the bot's
 * decisions and events on half of them, and only Atmosphere's own indexes. Measures the figures (the
 * queries and the arithmetic) and the whole report (with the four charts) over RUNS runs.
 */

const HISTORY_ROWS = 1_000_000;
const RESOURCE_REQUESTS = 6_000;
const MACHINE_REQUESTS = 3_000;
const RUNS = 5;
const TARGET_MS = 3_000;
const HEADING = '## Service report: `/atmo stats --weeks 52` over a year of data';

export async function runStatsReportBench(databaseUrl: string | undefined): Promise<string> {
  if (!databaseUrl) return `${HEADING}\n\nNot run: TEST_DATABASE_URL is unset (this benchmark needs the real PostgreSQL).`;
  const fresh = await createBenchDatabase(databaseUrl);
  const handle = openPostgres(fresh.url, { ...BULK_LOAD_POOL, max: 4 });
  try {
    await loadAtmosphereSchema(handle);
    await seedDemoData(handle.db, new Date());
    await migrateBotSchema(handle);
    const started = performance.now();
    await loadInstanceHistory(handle.pool!, HISTORY_ROWS);
    const pool = handle.pool!;
    // Copies of a demo request, spread evenly over the year; every third decided through the bot.
    await pool.query(`
      insert into public.resource_request (uuid, admin_message, start_date, end_date, request, description, created_by_id, status_id)
      select gen_random_uuid(), '', now() - g * interval '87 minutes', now() - g * interval '87 minutes' + (g % 97) * interval '1 hour',
             r.request, r.description, r.created_by_id, (select id from public.status_type where name = (array['approved', 'denied', 'approved'])[1 + g % 3] order by id limit 1)
      from generate_series(1, ${RESOURCE_REQUESTS}) g cross join (select request, description, created_by_id from public.resource_request order by id limit 1) r`);
    await pool.query(`
      insert into atmobot.decision (subject, record_id, round, action, state, decided_by, platform, chat_user_id, decided_at, completed_at)
      select 'resource_request', id, 0, 'approve', 'done', (array['kpatel', 'mdelgado'])[1 + id % 2], 'slack', 'U1', start_date + interval '5 hours', start_date + interval '5 hours'
      from public.resource_request where id % 3 = 0`);
    await copyMachineRequests(pool);
    await pool.query(`
      insert into atmobot.request_event (subject, record_id, at, actor, platform, action)
      select 'machine_request', id, start_date + interval '1 hour', 'kpatel', 'slack', (array['queued', 'approved', 'resubmitted'])[1 + id % 3]
      from public.machine_request where id % 2 = 0`);
    await pool.query('analyze');
    const loadSeconds = (performance.now() - started) / 1000;

    const deps = { db: handle.db, config: loadConfig({ LOG_LEVEL: 'silent' }) };
    const figuresMs: number[] = [];
    const reportMs: number[] = [];
    let rows = '';
    for (let run = 0; run < RUNS; run++) {
      const at = performance.now();
      const figures = await computeStatsFigures(deps, { weeks: 52 }, new Date());
      figuresMs.push(performance.now() - at);
      const whole = performance.now();
      await buildStatsReport(deps, { weeks: 52 }, new Date());
      reportMs.push(performance.now() - whole);
      rows = `${figures.instances.providers.reduce((sum, p) => sum + p.launched, 0)} instances, ${figures.imaging.total} imaging requests, ${figures.resourceRequests.weeks.reduce((sum, w) => sum + w.submitted, 0)} resource requests in the window`;
    }
    const figures = median(figuresMs);
    const report = median(reportMs);
    return [
      HEADING,
      '',
      `Data: ${HISTORY_ROWS.toLocaleString('en-US')} \`instance_status_history\` rows on 100,000 instances launched inside the year, ${RESOURCE_REQUESTS.toLocaleString('en-US')} resource requests and ${MACHINE_REQUESTS.toLocaleString('en-US')} imaging requests over the year (the bot's decisions and events on a third to a half of them), loaded in ${loadSeconds.toFixed(1)} s; read: ${rows}.`,
      '',
      '| measure | median of ' + RUNS + ' | max | target |',
      '|---|---|---|---|',
      `| figures (queries + arithmetic) | ${figures.toFixed(0)} ms | ${Math.max(...figuresMs).toFixed(0)} ms | |`,
      `| whole report with four PNG charts | ${report.toFixed(0)} ms | ${Math.max(...reportMs).toFixed(0)} ms | under ${TARGET_MS} ms: ${report < TARGET_MS ? 'met' : 'NOT met'} |`,
    ].join('\n');
  } finally {
    await handle.close();
    await fresh.drop();
  }
}

async function copyMachineRequests(pool: NonNullable<ReturnType<typeof openPostgres>['pool']>): Promise<void> {
  const columns = (await pool.query<{ column_name: string }>(`select column_name from information_schema.columns where table_schema = 'public' and table_name = 'machine_request' and column_name not in ('id', 'uuid', 'start_date', 'end_date') order by ordinal_position`)).rows.map((row) => `"${row.column_name}"`);
  await pool.query(`
    insert into public.machine_request (uuid, start_date, end_date, ${columns.join(', ')})
    select gen_random_uuid(), now() - g * interval '175 minutes', now() - g * interval '175 minutes' + interval '3 hours', ${columns.map((c) => `m.${c}`).join(', ')}
    from generate_series(1, ${MACHINE_REQUESTS}) g cross join (select * from public.machine_request order by id limit 1) m`);
}
