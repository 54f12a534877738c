import { performance } from 'node:perf_hooks';
import cron, { type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import { UserError } from '../errors.js';
import { CRON_SLOT_TTL_MS } from '../integrations/kv/keys.js';
import type { Logger } from '../logger.js';
import type { RunCoordinator } from './run-coordinator.js';
import { noMetrics, secondsSince, type BotMetrics } from '../bot/chat/metrics.js';

export interface JobContext {
  /** When this run started (injected clock). */
  now: Date;
  /** The slot being run, as an ISO time: the cron fire time, or the second of a manual run. */
  slot: string;
}

/** One scheduled job: a cron expression (5 fields, or 6 with seconds) and the function it runs. */
export interface ScheduledJob {
  name: string;
  cron: string;
  run(context: JobContext): Promise<void>;
}

/** `skipped`: another replica took the slot, or the job was still running here. */
export type JobOutcome = 'ok' | 'failed' | 'skipped';

export interface Scheduler {
  /** Stops every schedule and waits for runs in progress to end. */
  stop(): Promise<void>;
  /** Runs a job now, through the same election, log line and error capture as a scheduled fire. */
  runNow(name: string): Promise<JobOutcome>;
}

export interface SchedulerOptions {
  jobs: ScheduledJob[];
  coordinator: RunCoordinator;
  log: Logger;
  /** IANA zone the cron expressions are read in; UTC keeps a steady interval across DST changes. */
  timezone?: string;
  now?: () => Date;
  /** Hears every run (with its outcome and duration) and every slot not run here (with why). */
  metrics?: BotMetrics;
}

/**
 * Starts one node-cron task per job. Every replica schedules every job; the coordinator lets exactly
 * one of them run each slot (`distributed: true`, key `<job>:<slot ISO>`). `noOverlap` skips a fire
 * while the previous run of that job is still busy on this replica. Each run is wrapped in a log line
 * (job, slot, duration, outcome) and error capture: a failing job is logged with its stack and the
 * schedule goes on. Throws at start-up on a duplicate job name or an invalid cron expression.
 */
export function startScheduler(options: SchedulerOptions): Scheduler {
  const { jobs, coordinator } = options;
  const now = options.now ?? (() => new Date());
  const log = options.log.child({ component: 'scheduler' });
  const metrics = options.metrics ?? noMetrics;
  const byName = new Map<string, ScheduledJob>();
  for (const job of jobs) {
    if (byName.has(job.name)) throw new Error(`Two scheduled jobs are named "${job.name}"; job names must be unique.`);
    if (!cron.validate(job.cron)) throw new Error(`Scheduled job "${job.name}" has an invalid cron expression "${job.cron}".`);
    byName.set(job.name, job);
  }

  const running = new Map<string, Promise<JobOutcome>>();
  let stopped = false;

  const runJob = (job: ScheduledJob, slot: string): Promise<JobOutcome> => {
    if (stopped) {
      metrics.jobSkipped(job.name, 'stopped');
      return Promise.resolve('skipped');
    }
    if (running.has(job.name)) {
      log.warn({ job: job.name, slot }, 'job still running on this replica; slot skipped');
      metrics.jobSkipped(job.name, 'overlap');
      return Promise.resolve('skipped');
    }
    const run = runWithCapture(job, slot, now(), log, metrics).finally(() => running.delete(job.name));
    running.set(job.name, run);
    return run;
  };

  const cronLogger = toCronLogger(options.log);
  const tasks: ScheduledTask[] = jobs.map((job) => {
    const task = cron.schedule(job.cron, async (context) => void (await runJob(job, context.date.toISOString())), {
      name: job.name,
      timezone: options.timezone ?? 'UTC',
      distributed: true,
      runCoordinator: coordinator,
      distributedLease: CRON_SLOT_TTL_MS,
      noOverlap: true,
      logger: cronLogger,
    });
    task.on('execution:skipped', (context) => {
      log.debug({ job: job.name, slot: context.date.toISOString(), reason: context.reason }, 'slot not run here');
      metrics.jobSkipped(job.name, String(context.reason ?? 'unknown'));
    });
    // node-cron's own noOverlap guard skips a fire while the previous run is still busy.
    task.on('execution:overlap', () => metrics.jobSkipped(job.name, 'overlap'));
    return task;
  });
  log.info({ jobs: jobs.map((job) => ({ name: job.name, cron: job.cron })) }, 'scheduler started');

  return {
    async runNow(name) {
      const job = byName.get(name);
      if (!job) throw new UserError('not_found', `There is no scheduled job named "${name}".`);
      if (stopped || running.has(name)) {
        log.warn({ job: name }, stopped ? 'scheduler stopped; manual run refused' : 'job already running on this replica; manual run skipped');
        metrics.jobSkipped(name, stopped ? 'stopped' : 'overlap');
        return 'skipped';
      }
      // A manual run takes the slot of the current second, under the same key as a cron fire would:
      // two replicas asked at once, or a manual run meeting a fire, still run it once.
      const at = now();
      const slot = new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString();
      if (!(await coordinator.shouldRun(`${name}:${slot}`, CRON_SLOT_TTL_MS))) {
        log.info({ job: name, slot }, 'manual run not elected; another replica has this slot');
        metrics.jobSkipped(name, 'not-elected');
        return 'skipped';
      }
      return runJob(job, slot);
    },
    async stop() {
      stopped = true;
      await Promise.all(tasks.map((task) => task.destroy()));
      await Promise.allSettled([...running.values()]);
      log.info('scheduler stopped');
    },
  };
}

/** Runs one job and reports its outcome; never rejects, so neither node-cron nor the process sees the error. */
async function runWithCapture(job: ScheduledJob, slot: string, now: Date, log: Logger, metrics: BotMetrics): Promise<JobOutcome> {
  const started = performance.now();
  try {
    await job.run({ now, slot });
    metrics.jobRun(job.name, 'ok', secondsSince(started));
    log.info({ job: job.name, slot, durationMs: Math.round(performance.now() - started), outcome: 'ok' }, 'job run finished');
    return 'ok';
  } catch (error) {
    metrics.jobRun(job.name, 'failed', secondsSince(started));
    log.error(
      { job: job.name, slot, durationMs: Math.round(performance.now() - started), outcome: 'failed', err: error },
      'job run failed',
    );
    return 'failed';
  }
}

/** node-cron logs through this instead of the console (missed fires, coordinator errors). */
function toCronLogger(log: Logger): CronLogger {
  const cronLog = log.child({ component: 'node-cron' });
  return {
    info: (message) => cronLog.info(message),
    warn: (message) => cronLog.warn(message),
    error: (message, err) =>
      message instanceof Error ? cronLog.error({ err: message }, message.message) : cronLog.error({ err }, message),
    debug: (message, err) =>
      message instanceof Error ? cronLog.debug({ err: message }, message.message) : cronLog.debug({ err }, message),
  };
}
