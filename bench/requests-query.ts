import { drizzle } from 'drizzle-orm/node-postgres';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import type { Deps } from '../src/deps.js';
import type { ChatEvent } from '../src/bot/chat/chat-event.js';
import type { Reply } from '../src/bot/chat/reply.js';
import { createChatRouter } from '../src/bot/chat/chat-router.js';
import { createDispatcher } from '../src/bot/chat/create-dispatcher.js';
import { commandDefinitions, actionDefinitions } from '../src/handlers/index.js';
import { openPostgres, type Database } from '../src/db/client.js';
import { loadAtmosphereSchema } from '../src/db/load-schema.js';
import { seedDemoData } from '../src/db/demo-data.js';
import { migrateBotSchema } from '../src/db/migrate.js';
import { listIdentityQuotas, listPendingResourceRequests } from '../src/db/queries/resource-requests.js';
import { LIST_LIMIT } from '../src/handlers/resource-requests/refresh-request-message.js';
import { createMemoryStore } from '../src/integrations/kv/memory-store.js';
import { createReadOnlyGateway } from '../src/integrations/atmosphere/read-only-gateway.js';
import { bulkLoad, PRODUCTION_SIZE, type BulkSize } from './support/bulk-load.js';
import { createBenchDatabase } from './support/fresh-database.js';
import { latencyStats, ms } from './support/latency-stats.js';

/**
 * `/atmo requests` at production size on the real Postgres, through the dispatcher exactly as a staff
 * member's command runs (actor lookup, staff check, the two list queries, rendering, the audit row),
 * with only the indexes Atmosphere's own migrations create.
 */

export interface RequestsQueryOptions {
  databaseUrl?: string;
  iterations?: number;
  warmup?: number;
  size?: BulkSize;
}

const TARGET_P95_MS = 20;
const SKIPPED = '## `/atmo requests` at production size\n\nNot run: TEST_DATABASE_URL is unset (this benchmark needs the real PostgreSQL).';

/** The exact SQL and parameters drizzle sends for the list, captured so EXPLAIN sees the same query. */
async function explainListQueries(url: string): Promise<{ sql: string; plan: string[] }[]> {
  const handle = openPostgres(url, { max: 2 });
  const captured: { sql: string; params: unknown[] }[] = [];
  try {
    const db = drizzle(handle.pool!, { logger: { logQuery: (sql, params) => void captured.push({ sql, params }) } }) as unknown as Database;
    const { rows } = await listPendingResourceRequests(db, { limit: LIST_LIMIT });
    await listIdentityQuotas(db, rows.map((row) => row.requester.id));
    const plans: { sql: string; plan: string[] }[] = [];
    for (const query of captured) {
      const result = await handle.pool!.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${query.sql}`, query.params);
      plans.push({ sql: query.sql, plan: result.rows.map((r) => r['QUERY PLAN']) });
    }
    return plans;
  } finally {
    await handle.close();
  }
}

function commandEvent(index: number): ChatEvent {
  return {
    kind: 'command',
    id: `bench-${index}`,
    platform: 'console',
    user: { platform: 'console', id: 'bench', actingAs: 'kpatel' },
    channel: 'console',
    receivedAt: new Date(),
    text: 'requests',
  };
}

/** Loads the data, times the command and explains its queries; returns the markdown section. */
export async function runRequestsQuery(options: RequestsQueryOptions = {}): Promise<string> {
  if (!options.databaseUrl) return SKIPPED;
  const size = options.size ?? PRODUCTION_SIZE;
  const iterations = options.iterations ?? 500;
  const warmup = options.warmup ?? 50;
  const fresh = await createBenchDatabase(options.databaseUrl);
  const handle = openPostgres(fresh.url);
  try {
    await loadAtmosphereSchema(handle);
    await seedDemoData(handle.db, new Date());
    await migrateBotSchema(handle);
    const loadTimings = await bulkLoad(handle.pool!, size);

    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const deps: Deps = {
      config,
      log: createLogger('silent'),
      db: handle.db,
      troposphereDb: null,
      gateway: createReadOnlyGateway(),
      kv: createMemoryStore(),
      chat: createChatRouter(),
      directories: {},
      statusPage: null,
      releases: null,
      now: () => new Date(),
    };
    const dispatcher = createDispatcher(deps, commandDefinitions, actionDefinitions);
    let last: Reply | undefined;
    let repliedAt = 0;
    const io = {
      respond: async (answer: Reply) => {
        repliedAt = performance.now();
        last = answer;
      },
    };
    // The reply goes out before the audit row is written, so the user waits for the first figure only.
    const samples: number[] = [];
    const handleSamples: number[] = [];
    for (let i = 0; i < warmup + iterations; i += 1) {
      const started = performance.now();
      await dispatcher.handle(commandEvent(i), io);
      if (i < warmup) continue;
      samples.push(repliedAt - started);
      handleSamples.push(performance.now() - started);
    }
    // The same two queries without the dispatcher, to tell database time from the rest.
    const querySamples: number[] = [];
    for (let i = 0; i < iterations; i += 1) {
      const started = performance.now();
      const { rows } = await listPendingResourceRequests(handle.db, { limit: LIST_LIMIT });
      await listIdentityQuotas(handle.db, rows.map((row) => row.requester.id));
      querySamples.push(performance.now() - started);
    }
    const shown = last?.text?.split('\n')[0] ?? '(no reply)';
    if (!/pending resource request/.test(shown)) throw new Error(`the command did not list the requests: ${shown}`);
    const stats = latencyStats(samples);
    const queryStats = latencyStats(querySamples);
    const handleStats = latencyStats(handleSamples);
    const plans = await explainListQueries(fresh.url);
    const counts = await handle.pool!.query<{ name: string; n: string }>(
      `select 'resource_request' as name, count(*)::text as n from public.resource_request
       union all select 'pending', count(*)::text from public.resource_request r join public.status_type s on s.id = r.status_id where s.name = 'pending'
       union all select 'instance_status_history', count(*)::text from public.instance_status_history
       union all select 'atmosphere_user', count(*)::text from public.atmosphere_user
       union all select 'identity', count(*)::text from public.identity`,
    );

    return [
      '## `/atmo requests` at production size',
      '',
      `A fresh database on the real PostgreSQL with Atmosphere's schema and only its own indexes, the demo data, then bulk-loaded: ${counts.rows.map((r) => `${r.n} ${r.name}`).join(', ')} (pending requests are spread over every age). Load: ${loadTimings.map((t) => `${t.label} ${t.seconds.toFixed(1)} s`).join('; ')}.`,
      '',
      `Timed: \`dispatcher.handle\` of \`requests\` from a console user acting as a staff member, one at a time, ${warmup} warm-up then ${iterations} measured. It includes the actor lookup, the staff check, \`listPendingResourceRequests\` (page of ${LIST_LIMIT} plus the count, in parallel on the pool), \`listIdentityQuotas\`, rendering and the audit row; it excludes the chat platform. The reply read: "${shown}"`,
      '',
      '| Path | Iterations | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | Target p95 < 20 ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
      `| command to reply (what the user waits for) | ${stats.count} | ${ms(stats.p50)} | ${ms(stats.p95)} | ${ms(stats.p99)} | ${ms(stats.max)} | ${stats.p95 < TARGET_P95_MS ? 'met' : '**missed**'} |`,
      `| whole \`dispatcher.handle\`, with the audit row after the reply | ${handleStats.count} | ${ms(handleStats.p50)} | ${ms(handleStats.p95)} | ${ms(handleStats.p99)} | ${ms(handleStats.max)} | (not the target) |`,
      `| the two list queries only | ${queryStats.count} | ${ms(queryStats.p50)} | ${ms(queryStats.p95)} | ${ms(queryStats.p99)} | ${ms(queryStats.max)} | ${queryStats.p95 < TARGET_P95_MS ? 'met' : '**missed**'} |`,
      '',
      '### Query plans (`EXPLAIN (ANALYZE, BUFFERS)`, after the run)',
      ...plans.flatMap((plan) => ['', '```sql', plan.sql.replace(/\s+/g, ' ').trim(), '```', '', '```', ...plan.plan, '```']),
    ].join('\n');
  } finally {
    await handle.close();
    await fresh.drop();
  }
}
