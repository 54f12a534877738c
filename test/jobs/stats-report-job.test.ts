import { afterEach, describe, expect, it } from 'vitest';
import { replyAsText } from '../../src/bot/chat/deliver-reply.js';
import { createMemoryStore } from '../../src/integrations/kv/memory-store.js';
import { createRunCoordinator } from '../../src/jobs/run-coordinator.js';
import { startScheduler } from '../../src/jobs/scheduler.js';
import { createStatsReportJob, runStatsReport, STATS_REPORT_JOB } from '../../src/jobs/stats-report-job.js';
import { dbKinds, TEST_NOW } from '../support/databases.js';
import { readPngHeader } from '../support/png-header.js';
import { createTestContext, type TestContext } from '../support/test-deps.js';
import { insertStatsScenario } from '../handlers/stats/stats-scenario.js';

const NOW = new Date(TEST_NOW.getTime() + 365 * 24 * 3_600_000);
const context = { now: NOW, slot: NOW.toISOString() };

describe.each(dbKinds())('the weekly service report on %s', (kind) => {
  let t: TestContext | undefined;
  afterEach(async () => {
    await t?.database.drop();
    t = undefined;
  });

  it('posts the report with its four charts to STATS_CHANNEL, for everyone in the channel', async () => {
    t = await createTestContext(kind, { env: { STATS_CHANNEL: 'slack:CSTATS', ANNOUNCE_CHANNEL: 'slack:CANNOUNCE' } });
    await insertStatsScenario(t.deps.db, NOW);
    expect(await runStatsReport(t.deps, context)).toBe(true);
    expect(t.chat.posts).toHaveLength(1);
    const [post] = t.chat.posts;
    expect(post!.channel).toEqual({ platform: 'slack', channel: 'CSTATS' });
    expect(post!.reply.visibility).toBe('channel');
    expect(post!.reply.title).toMatch(/^Service report, last 8 week\(s\)/);
    // Eight weeks take in the scenario's request from before its two weeks too.
    expect(replyAsText(post!.reply)).toContain('4 approved, 1 denied, 2 still pending');
    expect(post!.reply.files).toHaveLength(4);
    for (const file of post!.reply.files!) expect(readPngHeader(file.data).width).toBeGreaterThan(400);
  });

  it('falls back to ANNOUNCE_CHANNEL, and posts nothing when neither is set', async () => {
    t = await createTestContext(kind, { env: { ANNOUNCE_CHANNEL: 'discord:123456789012345678' } });
    expect(await runStatsReport(t.deps, context)).toBe(true);
    expect(t.chat.posts[0]!.channel).toEqual({ platform: 'discord', channel: '123456789012345678' });
    await t.database.drop();

    t = await createTestContext(kind);
    expect(await runStatsReport(t.deps, context)).toBe(false);
    expect(t.chat.posts).toEqual([]);
  });

  it('posts once when two replicas run the same slot', async () => {
    t = await createTestContext(kind, { env: { STATS_CHANNEL: 'slack:CSTATS', STATS_REPORT_CRON: '0 15 * * 1' } });
    const job = createStatsReportJob(t.deps);
    expect(job.cron).toBe('0 15 * * 1');
    const kv = createMemoryStore();
    const schedulers = ['replica-a', 'replica-b'].map((runner) =>
      startScheduler({ jobs: [job], coordinator: createRunCoordinator({ kv, db: t!.deps.db, runner, log: t!.deps.log }), log: t!.deps.log, now: () => NOW }),
    );
    try {
      const outcomes = await Promise.all(schedulers.map((scheduler) => scheduler.runNow(STATS_REPORT_JOB)));
      expect(outcomes.sort()).toEqual(['ok', 'skipped']);
      expect(t.chat.posts).toHaveLength(1);
    } finally {
      await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    }
  });
});
