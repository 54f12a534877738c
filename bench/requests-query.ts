import type pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { loadConfig } from '../src/config.js';
import type { Deps } from '../src/deps.js';
import type { ChatEvent } from '../src/bot/chat/chat-event.js';
import type { Reply } from '../src/bot/chat/reply.js';
import { createChatRouter } from '../src/bot/chat/chat-router.js';
import { createDispatcher } from '../src/bot/chat/create-dispatcher.js';
import { commandDefinitions, actionDefinitions } from '../src/handlers/index.js';
import { openPostgres, type Database } from '../src/db/client.js';
import { BULK_LOAD_POOL } from './support/bulk-load-pool.js';
import { loadAtmosphereSchema } from '../src/db/load-schema.js';
import { seedDemoData } from '../src/db/demo-data.js';
import { migrateBotSchema } from '../src/db/migrate.js';
import { getResourceRequestAndDecision, listPendingResourceRequests } from '../src/db/queries/resource-requests.js';
import { listIdentityQuotas } from '../src/db/queries/identity-quotas.js';
import { findChatLink } from '../src/db/queries/chat-links.js';
import { findActiveUsersByEmail, findUserById } from '../src/db/queries/users.js';
import { LIST_LIMIT } from '../src/handlers/resource-requests/refresh-request-message.js';
import { createReadOnlyGateway } from '../src/integrations/atmosphere/read-only-gateway.js';
import { bulkLoad, PRODUCTION_SIZE, type BulkSize } from './support/bulk-load.js';
import { createBenchDatabase } from './support/fresh-database.js';
import { latencyStats, ms, type LatencyStats } from './support/latency-stats.js';
import { median } from './support/median.js';
import { offlineDeps } from '../test/support/test-deps.js';

/**
 * `/atmo requests` at production size on the real Postgres, through the dispatcher exactly as a staff
 * member's command runs (actor lookup, staff check, the two list queries, rendering, the audit row),
 * with only the indexes Atmosphere's own migrations create.
 */

export interface RequestsQueryOptions {
  databaseUrl?: string;
  iterations?: number;
  warmup?: number;
  runs?: number;
  size?: BulkSize;
}

const TARGET_P95_MS = 20;
const SKIPPED = '## `/atmo requests` at production size\n\nNot run: TEST_DATABASE_URL is unset (this benchmark needs the real PostgreSQL).';

/** The exact SQL and parameters drizzle sends for the list (and for the first read of an approval), captured so EXPLAIN sees the same query. */
async function explainListQueries(url: string): Promise<{ sql: string; plan: string[] }[]> {
  const handle = openPostgres(url, { max: 2 });
  const captured: { sql: string; params: unknown[] }[] = [];
  try {
    const db = drizzle(handle.pool!, { logger: { logQuery: (sql, params) => void captured.push({ sql, params }) } }) as unknown as Database;
    // The actor lookups of a Slack user: the chat link (a miss), the e-mail match, the account by id.
    await findChatLink(db, 'slack', 'UBENCHSTAFF');
    const [account] = await findActiveUsersByEmail(db, 'kpatel@cyverse.org', new Date());
    await findUserById(db, account?.id ?? 0);
    const { rows } = await listPendingResourceRequests(db, { limit: LIST_LIMIT });
    await listIdentityQuotas(db, rows.map((row) => row.requester.id));
    // What a click on Approve and its submission read first: the request with any decision on it.
    if (rows[0]) await getResourceRequestAndDecision(db, rows[0].id);
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

/** A Slack staff member's command: the actor comes from the chat link (none) and the e-mail match, as in production. */
function commandEvent(index: number): ChatEvent {
  return {
    kind: 'command',
    id: `bench-${index}`,
    platform: 'slack',
    user: { platform: 'slack', id: 'UBENCHSTAFF' },
    channel: 'C-bench',
    receivedAt: new Date(),
    text: 'requests',
  };
}

/**
 * The list as the bot queried it before status ids were cached: filtered through the join on
 * `status_type.name`, page and count in parallel. Timed beside the bot in the same runs, as the anchor.
 */
async function joinedNameQuery(pool: pg.Pool): Promise<void> {
  await Promise.all([
    pool.query(
      `select rr.id, rr.uuid, rr.request, rr.description, rr.admin_message, rr.start_date, rr.end_date, st.name, u.id, u.username, u.email
       from resource_request rr join status_type st on st.id = rr.status_id join atmosphere_user u on u.id = rr.created_by_id
       where st.name = $1 order by rr.start_date, rr.id limit $2`,
      ['pending', LIST_LIMIT],
    ),
    pool.query('select count(*) from resource_request rr join status_type st on st.id = rr.status_id where st.name = $1', ['pending']),
  ]);
}

interface RunStats {
  reply: LatencyStats;
  anchor: LatencyStats;
}

/** Loads the data, times the command and explains its queries; returns the markdown section. */
export async function runRequestsQuery(options: RequestsQueryOptions = {}): Promise<string> {
  if (!options.databaseUrl) return SKIPPED;
  const size = options.size ?? PRODUCTION_SIZE;
  const iterations = options.iterations ?? 500;
  const warmup = options.warmup ?? 50;
  const runs = Math.max(5, options.runs ?? 5);
  const fresh = await createBenchDatabase(options.databaseUrl);
  const handle = openPostgres(fresh.url, BULK_LOAD_POOL);
  try {
    await loadAtmosphereSchema(handle);
    await seedDemoData(handle.db, new Date());
    await migrateBotSchema(handle);
    const loadTimings = await bulkLoad(handle.pool!, size);

    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const deps: Deps = offlineDeps({
      config,
      db: handle.db,
      gateway: createReadOnlyGateway(),
      chat: createChatRouter(),
      // Slack's users.info, answered at once: the benchmark measures the bot, not Slack.
      directories: { slack: { emailOf: async () => 'kpatel@cyverse.org' } },
      now: () => new Date(),
    });
    const dispatcher = createDispatcher(deps, commandDefinitions, actionDefinitions);
    let last: Reply | undefined;
    let repliedAt = 0;
    const io = {
      respond: async (answer: Reply) => {
        repliedAt = performance.now();
        last = answer;
      },
    };
    const pool = handle.pool!;
    let eventIndex = 0;
    const timeReply = async () => {
      const started = performance.now();
      await dispatcher.handle(commandEvent(eventIndex++), io);
      return repliedAt - started;
    };
    const timeAnchor = async () => {
      const started = performance.now();
      await joinedNameQuery(pool);
      return performance.now() - started;
    };
    for (let i = 0; i < warmup; i += 1) {
      await timeReply();
      await timeAnchor();
    }
    // Runs of `perRun` pairs; within a run the bot and the anchor alternate, and which goes first swaps
    // every pair, so the load of the shared machine falls on both alike.
    const perRun = Math.ceil(iterations / runs);
    const results: RunStats[] = [];
    for (let run = 0; run < runs; run += 1) {
      const reply: number[] = [];
      const anchor: number[] = [];
      for (let i = 0; i < perRun; i += 1) {
        if ((run + i) % 2 === 0) {
          reply.push(await timeReply());
          anchor.push(await timeAnchor());
        } else {
          anchor.push(await timeAnchor());
          reply.push(await timeReply());
        }
      }
      results.push({ reply: latencyStats(reply), anchor: latencyStats(anchor) });
    }
    const shown = last?.text?.split('\n')[0] ?? '(no reply)';
    if (!/pending resource request/.test(shown)) throw new Error(`the command did not list the requests: ${shown}`);
    const plans = await explainListQueries(fresh.url);
    const counts = await handle.pool!.query<{ name: string; n: string }>(
      `select 'resource_request' as name, count(*)::text as n from public.resource_request
       union all select 'pending', count(*)::text from public.resource_request r join public.status_type s on s.id = r.status_id where s.name = 'pending'
       union all select 'instance_status_history', count(*)::text from public.instance_status_history
       union all select 'atmosphere_user', count(*)::text from public.atmosphere_user
       union all select 'identity', count(*)::text from public.identity`,
    );

    const p95s = results.map((r) => r.reply.p95);
    const anchorP95s = results.map((r) => r.anchor.p95);
    const missed = p95s.filter((v) => v >= TARGET_P95_MS).length;
    const verdict = median(p95s) < TARGET_P95_MS ? 'met' : '**missed**';
    return [
      '## `/atmo requests` at production size',
      '',
      `A fresh database on the real PostgreSQL with Atmosphere's schema and only its own indexes, the demo data, then bulk-loaded and vacuumed: ${counts.rows.map((r) => `${r.n} ${r.name}`).join(', ')} (pending requests are spread over every age). Load: ${loadTimings.map((t) => `${t.label} ${t.seconds.toFixed(1)} s`).join('; ')}.`,
      '',
      `Timed: \`dispatcher.handle\` of \`requests\` from a Slack user who is staff, as production resolves one (no chat link, then the e-mail from Slack's directory, cached as in production, matched to the account; the account row read afresh), one at a time: ${warmup} warm-up, then ${runs} runs of ${perRun}. It includes the actor lookup, the staff check, \`listPendingResourceRequests\` (page of ${LIST_LIMIT} with the count of all pending in the same statement), \`listIdentityQuotas\` and rendering, up to the reply; it excludes the chat platform. The anchor, alternated with it request by request, is the list as queried before this change (filtered through the join on \`status_type.name\`, page and count in parallel). The reply read: "${shown}"`,
      '',
      '| Run | bot p50 (ms) | bot p95 (ms) | bot p99 (ms) | bot max (ms) | anchor p50 (ms) | anchor p95 (ms) |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...results.map((r, i) => `| ${i + 1} | ${ms(r.reply.p50)} | ${ms(r.reply.p95)} | ${ms(r.reply.p99)} | ${ms(r.reply.max)} | ${ms(r.anchor.p50)} | ${ms(r.anchor.p95)} |`),
      '',
      `Command to reply, p95: median of the runs ${ms(median(p95s))} ms (range ${ms(Math.min(...p95s))} – ${ms(Math.max(...p95s))}); target < ${TARGET_P95_MS} ms **${verdict}**, ${missed} of ${runs} runs at or over it. The anchor's p95: median ${ms(median(anchorP95s))} ms (range ${ms(Math.min(...anchorP95s))} – ${ms(Math.max(...anchorP95s))}).`,
      '',
      '### Query plans (`EXPLAIN (ANALYZE, BUFFERS)`, after the run)',
      ...plans.flatMap((plan) => ['', '```sql', plan.sql.replace(/\s+/g, ' ').trim(), '```', '', '```', ...plan.plan, '```']),
    ].join('\n');
  } finally {
    await handle.close();
    await fresh.drop();
  }
}
