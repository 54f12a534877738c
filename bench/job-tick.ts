import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import type { Deps } from '../src/deps.js';
import type { Database } from '../src/db/client.js';
import { migrateBotSchema } from '../src/db/migrate.js';
import { createEmbeddedGateway } from '../src/integrations/atmosphere/embedded-gateway.js';
import { createMemoryStore } from '../src/integrations/kv/memory-store.js';
import { runAlertScan } from '../src/jobs/alert-scan-job.js';
import { createLogger } from '../src/logger.js';
import { createTestDatabase, TEST_NOW } from '../test/support/databases.js';
import { createRecordingChat } from '../test/support/test-deps.js';

/**
 * One alert-scan tick against Atmosphere tables of 10,000 and of 1,000,000 rows (`machine_request` and
 * `instance_status_history`, mostly completed history plus a few dozen unfinished and errored
 * requests). The tick reads only what is unfinished or changed, so its time should not follow the
 * table size: the target is at most 1.5x from the smaller to the larger.
 */

export interface JobTickResult {
  rows: number;
  ticks: number;
  p50Ms: number;
  maxMs: number;
}

const ACTIVE_EXTRA = 30;

async function fill(db: Database, rows: number): Promise<void> {
  // Copies of the first demo rows, so every foreign key points at a real row.
  await db.execute(sql`
    insert into machine_request (uuid, admin_message, start_date, end_date, old_status, new_application_name,
      new_application_description, new_application_visibility, access_list, system_files, installed_software,
      exclude_files, new_version_name, new_version_change_log, new_version_tags, new_version_memory_min,
      new_version_cpu_min, new_version_allow_imaging, new_version_forked, created_by_id, instance_id, membership_id,
      new_machine_owner_id, new_machine_provider_id, parent_machine_id, status_id)
    select gen_random_uuid(), '', ${TEST_NOW}::timestamptz - g * interval '1 minute',
      case when g <= ${ACTIVE_EXTRA} then null else ${TEST_NOW}::timestamptz - g * interval '1 minute' + interval '1 hour' end,
      case when g <= ${ACTIVE_EXTRA / 3} then '(processing - 9a1f) - ERROR - AttributeError("''NoneType'' object has no attribute ''id''",) Exception:x'
           when g <= ${ACTIVE_EXTRA} then 'pending' else 'completed' end,
      'bulk image ' || g, 'Description Missing', 'private', '', '', '', '', '1.0', 'Changelog Missing', '', 0, 0, true, true,
      t.created_by_id, t.instance_id, t.membership_id, t.new_machine_owner_id, t.new_machine_provider_id, t.parent_machine_id,
      (select min(id) from status_type where name =
        case when g <= ${ACTIVE_EXTRA / 3} then 'processing' when g <= ${(2 * ACTIVE_EXTRA) / 3} then 'pending'
             when g <= ${ACTIVE_EXTRA} then 'started' else 'completed' end)
    from generate_series(1, ${rows}) g, (select * from machine_request order by id limit 1) t`);
  await db.execute(sql`
    insert into instance_status_history (uuid, activity, start_date, end_date, instance_id, size_id, status_id, extra)
    select gen_random_uuid(), null, ${TEST_NOW}::timestamptz - g * interval '1 minute', ${TEST_NOW}::timestamptz - (g - 1) * interval '1 minute',
      t.instance_id, t.size_id, t.status_id, null
    from generate_series(1, ${rows}) g, (select * from instance_status_history order by id limit 1) t`);
  // Production tables are vacuumed and have planner statistics; a fresh bulk load has neither until
  // autovacuum comes by, and would then be vacuumed in the middle of the measured ticks.
  await db.execute(sql`vacuum analyze machine_request`);
  await db.execute(sql`vacuum analyze instance_status_history`);
}

/** Times `ticks` alert-scan ticks (after warm-up) on a fresh database with `rows` rows per big table. */
export async function timeJobTick(rows: number, ticks = 25): Promise<JobTickResult> {
  const database = await createTestDatabase('postgres', { demo: true, troposphere: false });
  try {
    await migrateBotSchema(database.atmosphere);
    const db = database.atmosphere.db;
    await fill(db, rows);
    const chat = createRecordingChat();
    let now = TEST_NOW;
    const deps: Deps = {
      config: loadConfig({ ALERT_CHANNEL: 'console:alerts' }),
      log: createLogger('silent'),
      db,
      troposphereDb: null,
      gateway: createEmbeddedGateway(db, () => now),
      kv: createMemoryStore(),
      chat: chat.port,
      directories: {},
      statusPage: null,
      releases: null,
      now: () => now,
    };
    const tick = async (i: number) => {
      now = new Date(TEST_NOW.getTime() + i * 60_000);
      const started = performance.now();
      await runAlertScan(deps, { now, slot: now.toISOString() });
      return performance.now() - started;
    };
    // Warm-up: the first tick opens every thread; later ones find nothing new.
    for (let i = 0; i < 3; i += 1) await tick(i);
    const errored = await db.execute(sql`select min(id) as id from machine_request where new_application_name = 'bulk image 1'`);
    const erroredId = Number((errored as unknown as { rows: { id: number }[] }).rows[0]?.id);
    const times: number[] = [];
    for (let i = 3; i < 3 + ticks; i += 1) {
      // One request changes every tick (a new error text), so each measured tick also posts one thread update.
      await db.execute(sql`update machine_request set old_status = old_status || ' again' where id = ${erroredId}`);
      times.push(await tick(i));
    }
    times.sort((a, b) => a - b);
    return { rows, ticks, p50Ms: times[Math.floor(times.length / 2)]!, maxMs: times[times.length - 1]! };
  } finally {
    await database.drop();
  }
}

/** Runs both sizes and returns the markdown table (the lead's bench/run.ts collects it). */
export async function benchJobTick(sizes: readonly number[] = [10_000, 1_000_000]): Promise<string> {
  const results: JobTickResult[] = [];
  for (const rows of sizes) results.push(await timeJobTick(rows));
  const fmt = (ms: number) => ms.toFixed(1);
  const lines = [
    '| rows in machine_request and instance_status_history | ticks | p50 (ms) | max (ms) |',
    '|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.rows.toLocaleString('en-US')} | ${r.ticks} | ${fmt(r.p50Ms)} | ${fmt(r.maxMs)} |`),
  ];
  const small = results[0];
  const large = results[results.length - 1];
  if (small && large && small !== large) {
    const ratio = large.p50Ms / small.p50Ms;
    lines.push('', `p50 ratio, largest to smallest: ${ratio.toFixed(2)}x (target: at most 1.5x) ${ratio <= 1.5 ? 'met' : 'NOT met'}`);
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
