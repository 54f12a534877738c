import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openPglite, type DatabaseHandle } from '../../src/db/client.js';
import { migrateBotSchema } from '../../src/db/migrate.js';
import { UserError } from '../../src/errors.js';
import type { KeyValueStore } from '../../src/integrations/kv/key-value-store.js';
import { createMemoryStore } from '../../src/integrations/kv/memory-store.js';
import { createRunCoordinator } from '../../src/jobs/run-coordinator.js';
import { startScheduler, type JobContext, type ScheduledJob, type Scheduler } from '../../src/jobs/scheduler.js';
import { createMemoryLogger } from '../../src/logger.js';
import { noMetrics, type BotMetrics } from '../../src/bot/chat/metrics.js';

/**
 * Two "replicas" of the bot in one process: each has its own scheduler and coordinator, and they
 * share the coordination back-end (one store, one database), as replicas share Redis and Postgres.
 */
describe('scheduler', () => {
  let handle: DatabaseHandle;
  let kv: KeyValueStore;
  const running: Scheduler[] = [];
  beforeAll(async () => {
    handle = await openPglite();
    await migrateBotSchema(handle);
  });
  afterAll(async () => {
    await handle.close();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((scheduler) => scheduler.stop()));
    await kv?.close();
  });

  function replicas(jobs: ScheduledJob[], now?: () => Date) {
    kv = createMemoryStore();
    const logged = createMemoryLogger();
    const reported: string[] = [];
    const start = (runner: string) => {
      const coordinator = createRunCoordinator({ kv, db: handle.db, runner, log: logged.log });
      // What each replica reports to its metrics, as `<runner> <run|skip> <job> <outcome|reason>`.
      const metrics: BotMetrics = {
        ...noMetrics,
        jobRun: (job, outcome) => void reported.push(`${runner} run ${job} ${outcome}`),
        jobSkipped: (job, reason) => void reported.push(`${runner} skip ${job} ${reason}`),
      };
      const scheduler = startScheduler({ jobs, coordinator, log: logged.log.child({ runner }), metrics, ...(now ? { now } : {}) });
      running.push(scheduler);
      return scheduler;
    };
    return { a: start('replica-a'), b: start('replica-b'), lines: logged.lines, reported };
  }

  it('reports each run with its outcome and each slot not run here with the reason', async () => {
    const at = new Date('2026-11-21T23:15:42.618Z');
    const { a, b, reported } = replicas(
      [
        { name: 'works', cron: '0 3 * * *', run: async () => {} },
        { name: 'breaks', cron: '0 3 * * *', run: async () => Promise.reject(new Error('broken')) },
      ],
      () => at,
    );
    expect(await a.runNow('works')).toBe('ok');
    expect(await b.runNow('works')).toBe('skipped');
    expect(await b.runNow('breaks')).toBe('failed');
    await a.stop();
    expect(await a.runNow('works')).toBe('skipped');
    expect(reported).toEqual([
      'replica-a run works ok',
      'replica-b skip works not-elected',
      'replica-b run breaks failed',
      'replica-a skip works stopped',
    ]);
  });

  it('runs a manual run once across two replicas asked at the same moment', async () => {
    const at = new Date('2026-11-21T23:15:42.618Z');
    const runs: JobContext[] = [];
    const { a, b } = replicas([{ name: 'manual', cron: '0 3 * * *', run: async (context) => void runs.push(context) }], () => at);
    const outcomes = await Promise.all([a.runNow('manual'), b.runNow('manual')]);
    expect(outcomes.sort()).toEqual(['ok', 'skipped']);
    expect(runs).toEqual([{ now: at, slot: '2026-11-21T23:15:42.000Z' }]);
  });

  it('runs an every-second job once per slot across two replicas, and stop() stops it', async () => {
    const slots: string[] = [];
    const failures: string[] = [];
    const jobs: ScheduledJob[] = [
      { name: 'tick', cron: '* * * * * *', run: async ({ slot }) => void slots.push(slot) },
      {
        name: 'always-fails',
        cron: '* * * * * *',
        run: async ({ slot }) => {
          failures.push(slot);
          throw new Error(`broken at ${slot}`);
        },
      },
    ];
    const { a, b, lines } = replicas(jobs);
    await vi.waitFor(() => expect(new Set(slots).size).toBeGreaterThanOrEqual(3), { timeout: 20_000, interval: 50 });
    await vi.waitFor(() => expect(failures.length).toBeGreaterThanOrEqual(3), { timeout: 20_000, interval: 50 });
    await Promise.all([a.stop(), b.stop()]);

    expect(slots).toHaveLength(new Set(slots).size);
    // Both replicas fired every slot: the one that lost the election logged that it stood aside.
    expect(lines.some((line) => line.msg === 'slot not run here' && line.reason === 'not-elected')).toBe(true);
    expect(failures).toHaveLength(new Set(failures).size);
    const finished = lines.filter((line) => line.msg === 'job run finished');
    expect(finished.length).toBe(slots.length);
    expect(finished[0]).toMatchObject({ job: 'tick', slot: slots[0], outcome: 'ok', durationMs: expect.any(Number) });
    // The failing job kept its schedule: every failure was logged with its stack, none escaped.
    const failed = lines.filter((line) => line.msg === 'job run failed');
    expect(failed.length).toBe(failures.length);
    expect(failed[0]).toMatchObject({ level: 50, job: 'always-fails', outcome: 'failed', slot: failures[0] });
    expect(String((failed[0]!.err as { stack?: string }).stack)).toContain(`broken at ${failures[0]}`);

    const ranBeforeStop = slots.length + failures.length;
    await sleep(2200);
    expect(slots.length + failures.length).toBe(ranBeforeStop);
  });

  it('captures a failing manual run: logged with its stack and reported as failed', async () => {
    const { a, lines } = replicas([
      {
        name: 'broken',
        cron: '0 3 * * *',
        run: async () => {
          throw new Error('database went away');
        },
      },
    ]);
    expect(await a.runNow('broken')).toBe('failed');
    const failed = lines.find((line) => line.msg === 'job run failed');
    expect(failed).toMatchObject({ job: 'broken', outcome: 'failed', runner: 'replica-a' });
    expect(String((failed!.err as { stack?: string }).stack)).toContain('database went away');
  });

  it('skips a manual run while the same job is still running on this replica', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    let tick = 0;
    const { a } = replicas(
      [
        {
          name: 'slow',
          cron: '0 3 * * *',
          run: async () => {
            started += 1;
            await gate;
          },
        },
      ],
      // Each call is a new second, so the second manual run is a new slot and only the overlap stops it.
      () => new Date(Date.UTC(2026, 10, 21, 23, 0, tick++)),
    );
    const first = a.runNow('slow');
    await vi.waitFor(() => expect(started).toBe(1));
    expect(await a.runNow('slow')).toBe('skipped');
    release();
    expect(await first).toBe('ok');
    expect(started).toBe(1);
  });

  it('waits in stop() for a run in progress, then refuses new runs', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    let finished = false;
    const { a } = replicas([
      {
        name: 'draining',
        cron: '0 3 * * *',
        run: async () => {
          started = true;
          await gate;
          finished = true;
        },
      },
    ]);
    const run = a.runNow('draining');
    await vi.waitFor(() => expect(started).toBe(true));
    let stopped = false;
    const stopping = a.stop().then(() => (stopped = true));
    await sleep(20);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
    expect(await run).toBe('ok');
    expect(await a.runNow('draining')).toBe('skipped');
  });

  it('refuses an unknown job name, a duplicate name and an invalid cron expression', async () => {
    const job: ScheduledJob = { name: 'nightly', cron: '0 3 * * *', run: async () => {} };
    const { a } = replicas([job]);
    await expect(a.runNow('nope')).rejects.toThrow(UserError);
    const coordinator = { shouldRun: async () => true };
    const { log } = createMemoryLogger();
    expect(() => startScheduler({ jobs: [job, job], coordinator, log })).toThrow(/named "nightly"/);
    expect(() => startScheduler({ jobs: [{ ...job, cron: '61 * * * *' }], coordinator, log })).toThrow(/invalid cron/);
  });
});
