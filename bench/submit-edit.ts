import os from 'node:os';
import { and, asc, eq, like } from 'drizzle-orm';
import { openPostgres } from '../src/db/client.js';
import { migrateBotSchema } from '../src/db/migrate.js';
import { loadAtmosphereSchema } from '../src/db/load-schema.js';
import { seedDemoData } from '../src/db/demo-data.js';
import { atmosphereUser, resourceRequest, statusType } from '../src/db/atmosphere-schema.js';
import { startFakeAtmosphereApi, type FakeAtmosphereApi } from '../test/fakes/atmosphere-api.js';
import { BULK_LOAD_POOL } from './support/bulk-load-pool.js';
import { bulkLoad, PRODUCTION_SIZE, type BulkSize } from './support/bulk-load.js';
import { createBenchDatabase } from './support/fresh-database.js';
import { forkService, type ChildService } from './support/child-service.js';
import type { FakeSlackQuery, FakeSlackReady } from './support/fake-slack-main.js';
import type { BotReady } from './support/bot-main.js';
import { benchBotEnv } from './support/bench-bot-env.js';
import type { BareEditCall, BareEditReady } from './support/bare-edit-main.js';
import { approveThroughForm } from './support/approval-flow.js';
import { latencyStats, ms } from './support/latency-stats.js';
import { median } from './support/median.js';
import { runPool } from './support/run-pool.js';

/**
 * Approve under a burst: from submitting the Approve form to the edited list message (chat.update)
 * arriving at the fake Slack API, one approval at a time and 20 at a time, on production-size data.
 * The anchor, in the same run, is a Bolt app that makes only the same Slack calls (views.open on the
 * click, chat.update with the bot's own redrawn blocks on the submit), so the difference is the
 * bot's own work: reading the request, recording the decision, the Atmosphere PATCH, the redraw.
 * The bot, the anchor and the fake Slack API each run in their own process; the fake Atmosphere API
 * (it answers the PATCHes) and the load generator run in this one.
 */

export interface SubmitEditOptions {
  databaseUrl?: string;
  repeats?: number;
  /** Approvals per repeat at each concurrency. */
  samples?: Partial<Record<number, number>>;
  concurrencies?: number[];
  warmup?: number;
  size?: BulkSize;
  /** Extra Node flags for the bot's process only, such as `--cpu-prof` to profile it. */
  botExecArgv?: string[];
}

const TARGET_P95_MS = 150;
const SECRET = 'bench-signing-secret';
const STAFF = { id: 'USTAFF1', email: 'kpatel@cyverse.org' };
const FAKE_SLACK_MAIN = new URL('./support/fake-slack-main.ts', import.meta.url);
const BOT_MAIN = new URL('./support/bot-main.ts', import.meta.url);
const BARE_EDIT_MAIN = new URL('./support/bare-edit-main.ts', import.meta.url);

type Side = 'bare' | 'bot';

/** Pending requests of the bulk-loaded users, oldest first: each approval needs one nobody decided yet. */
async function preparedDatabase(url: string, size: BulkSize, count: number): Promise<{ pendingIds: number[]; statusNames: Record<number, string> }> {
  const handle = openPostgres(url, { ...BULK_LOAD_POOL, max: 2 });
  try {
    await loadAtmosphereSchema(handle);
    await seedDemoData(handle.db, new Date());
    await bulkLoad(handle.pool!, size);
    // As a deployment runs `npm run db:migrate` before a release: start-up only checks the schema.
    await migrateBotSchema(handle);
    const statusNames = Object.fromEntries((await handle.db.select().from(statusType)).map((row) => [row.id, row.name]));
    const rows = await handle.db
      .select({ id: resourceRequest.id })
      .from(resourceRequest)
      .innerJoin(statusType, eq(statusType.id, resourceRequest.statusId))
      .innerJoin(atmosphereUser, eq(atmosphereUser.id, resourceRequest.createdById))
      .where(and(eq(statusType.name, 'pending'), like(atmosphereUser.username, 'bench%')))
      .orderBy(asc(resourceRequest.id))
      .limit(count);
    if (rows.length < count) throw new Error(`only ${rows.length} pending requests for ${count} approvals`);
    return { pendingIds: rows.map((row) => row.id), statusNames };
  } finally {
    await handle.close();
  }
}

export async function runSubmitEdit(options: SubmitEditOptions = {}): Promise<string> {
  const heading = '## Approve: form submitted to the edited message';
  if (!options.databaseUrl) return `${heading}\n\nNot run: TEST_DATABASE_URL is unset (this benchmark needs the real PostgreSQL).`;
  const repeats = options.repeats ?? 5;
  const concurrencies = options.concurrencies ?? [1, 20];
  const samplesAt = (c: number) => options.samples?.[c] ?? (c === 1 ? 40 : 200);
  const warmup = options.warmup ?? 20;
  const size = options.size ?? PRODUCTION_SIZE;
  const needed = warmup + repeats * concurrencies.reduce((sum, c) => sum + samplesAt(c), 0);
  const loadBefore = os.loadavg().map((n) => n.toFixed(2)).join(', ');

  const fresh = await createBenchDatabase(options.databaseUrl);
  const children: ChildService<unknown>[] = [];
  let atmosphere: FakeAtmosphereApi | undefined;
  try {
    const { pendingIds, statusNames } = await preparedDatabase(fresh.url, size, needed);
    atmosphere = await startFakeAtmosphereApi({ statusNames });
    const slack = await forkService<FakeSlackReady>(FAKE_SLACK_MAIN, [STAFF.id, STAFF.email]);
    children.push(slack);
    const bot = await forkService<BotReady>(BOT_MAIN, [benchBotEnv({ databaseUrl: fresh.url, atmosphere, slackApiUrl: slack.ready.apiUrl, signingSecret: SECRET })], options.botExecArgv);
    children.push(bot);
    const bare = await forkService<BareEditReady>(BARE_EDIT_MAIN, [slack.ready.apiUrl, SECRET]);
    children.push(bare);

    let nextRequest = 0;
    const approve = async (side: Side) => {
      // The anchor does not read the request; only the bot's approvals use up pending requests.
      const requestId = side === 'bot' ? pendingIds[nextRequest++] : 1;
      if (requestId === undefined) throw new Error('ran out of pending requests');
      return approveThroughForm(side === 'bot' ? bot.ready.url : bare.ready.url, slack, { requestId, userId: STAFF.id, secret: SECRET, message: 'Approved for the course.' });
    };
    const measure = async (side: Side, count: number, concurrency: number) => {
      const samples: number[] = [];
      await runPool(count, concurrency, async () => void samples.push(await approve(side)));
      return samples;
    };

    // The bot first, so the anchor can then send the very blocks the bot's redraw sent.
    await measure('bot', warmup, 1);
    const redraw = (await slack.call({ op: 'lastUpdate' } satisfies FakeSlackQuery)) as { blocks: unknown; text: unknown } | null;
    if (!redraw || !Array.isArray(redraw.blocks)) throw new Error('the bot edited no message during the warm-up');
    await bare.call({ op: 'setBlocks', blocks: redraw.blocks, text: String(redraw.text) } satisfies BareEditCall);
    const redrawBytes = JSON.stringify(redraw.blocks).length;
    await measure('bare', warmup, 1);

    const p95s = new Map<string, number[]>();
    const p50s = new Map<string, number[]>();
    for (let r = 0; r < repeats; r += 1) {
      for (const side of r % 2 === 0 ? (['bare', 'bot'] as const) : (['bot', 'bare'] as const)) {
        for (const concurrency of concurrencies) {
          const stats = latencyStats(await measure(side, samplesAt(concurrency), concurrency));
          const key = `${side}@${concurrency}`;
          p95s.set(key, [...(p95s.get(key) ?? []), stats.p95]);
          p50s.set(key, [...(p50s.get(key) ?? []), stats.p50]);
        }
      }
    }
    // Each approval's answer (posted after the redraw) says whether it was an approval at all.
    const approvedAnswers = async () => (await slack.call({ op: 'containing', prefix: 'approve-', text: 'Approved request #' } satisfies FakeSlackQuery)) as number;
    const answersDeadline = Date.now() + 30_000;
    while ((await approvedAnswers()) < needed && Date.now() < answersDeadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const approved = await approvedAnswers();
    const patches = atmosphere.calls.filter((call) => call.method === 'PATCH' && call.path.startsWith('/api/v2/admin/resource_requests/')).length;
    const spread = (values: number[]) => `${ms(Math.min(...values))}–${ms(Math.max(...values))}`;
    const rows = concurrencies.flatMap((concurrency) =>
      (['bare', 'bot'] as const).map((side) => {
        const p95 = p95s.get(`${side}@${concurrency}`)!;
        const missed = p95.filter((value) => value >= TARGET_P95_MS).length;
        const verdict =
          side === 'bare'
            ? 'anchor'
            : `p95 < ${TARGET_P95_MS} ms: ${median(p95) < TARGET_P95_MS ? 'met' : '**missed**'} on the median; ${missed} of ${p95.length} repeats missed; ${(median(p95) / median(p95s.get(`bare@${concurrency}`)!)).toFixed(1)}x the anchor`;
        return `| ${concurrency} | ${side === 'bot' ? 'atmo-bot' : 'Bolt, same Slack calls'} | ${samplesAt(concurrency)} | ${ms(median(p50s.get(`${side}@${concurrency}`)!))} | ${ms(median(p95))} | ${spread(p95)} | ${verdict} |`;
      }),
    );
    return [
      heading,
      '',
      `${size === PRODUCTION_SIZE ? 'Production-size data' : '**Reduced data, not production size**'} (${size.users.toLocaleString('en')} users, ${size.resourceRequests.toLocaleString('en')} resource requests, 2 % pending) on the real PostgreSQL. A staff member clicks Approve on a list message, the app opens its form (views.open at the fake Slack API, whose private_metadata the benchmark reads, since the form state is kept server-side), the benchmark submits it with a message and no quota, and the time runs from sending the submission to the fake Slack API receiving the \`chat.update\` of that list message. Every approval is of a different pending request and message. The bot: \`startBot\` (\`bench/support/bot-main.ts\`), HTTP Slack adapter, REST gateway to a fake Atmosphere API that answers the PATCH at once. The anchor: a Bolt app (\`bench/support/bare-edit-main.ts\`) that opens a one-field modal on the click and, on the submission, sends chat.update with the blocks the bot's own redraw sent (${(redrawBytes / 1024).toFixed(1)} KiB). ${warmup} warm-up approvals each, then ${repeats} repeats; in each repeat both apps run every concurrency, their order alternated between repeats. Closed loop: a new approval starts when one finishes. Load average before: ${loadBefore}; ${os.cpus().length} cores.`,
      '',
      '| In flight | App | Approvals per repeat | p50 (ms, median of repeats) | p95 (ms, median of repeats) | p95 spread over repeats (ms) | Verdict |',
      '| ---: | --- | ---: | ---: | ---: | ---: | --- |',
      ...rows,
      '',
      `The fake Atmosphere API received ${patches} resource-request PATCHes (one per bot approval: ${needed} expected); ${approved} of the bot's ${needed} answers said "Approved request #"${approved < needed ? ' (**the others were not approvals, so their edits are not what the target is about**)' : ''}.`,
    ].join('\n');
  } finally {
    for (const child of children.reverse()) await child.stop().catch(() => child.kill());
    await atmosphere?.close();
    await fresh.drop();
  }
}
