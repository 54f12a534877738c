import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BotMetrics } from '../bot/chat/metrics.js';
import type { Logger } from '../logger.js';

export interface PrometheusMetrics {
  /** What the bot reports to; pass it down as `deps.metrics`. */
  port: BotMetrics;
  /** The text exposition format's content type, for the `/metrics` response. */
  contentType: string;
  /** Every metric in Prometheus' text exposition format. */
  render(): Promise<string>;
}

export interface PrometheusOptions {
  /**
   * Open alert threads per subject, read when Prometheus scrapes. Every replica reports the same
   * rows (the threads live in Postgres), not only the replica that ran the last scan.
   */
  openAlertThreads?: () => Promise<Record<string, number>>;
  /** How long the alert-thread count may take before the scrape goes on without it. */
  collectTimeoutMs?: number;
  log: Logger;
}

/** Chat platforms allow 3 s for an acknowledgement; the buckets resolve the range around it. */
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];
/** Answers that wait on Atmosphere or a list query take longer; 30 s is Slack's response_url horizon. */
const REPLY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30];
const CALL_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60];

/**
 * The Prometheus side of `BotMetrics` (prom-client), on a registry of its own so that two bots in
 * one process (tests, benchmarks) never share or clash over counters. Also exports Node's process
 * metrics (CPU, memory, event-loop lag, handles) under their usual names.
 */
export function createPrometheusMetrics(options: PrometheusOptions): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const events = new Counter({
    name: 'atmobot_events_total',
    help: 'Chat events handled, by platform, kind (command, action, form) and audited outcome',
    labelNames: ['platform', 'kind', 'outcome'],
    registers,
  });
  const acks = new Histogram({
    name: 'atmobot_ack_seconds',
    help: 'Time from an event reaching the adapter to its acknowledgement (Slack ack, Discord first response)',
    labelNames: ['platform', 'kind'],
    buckets: ACK_BUCKETS,
    registers,
  });
  const replies = new Histogram({
    name: 'atmobot_reply_seconds',
    help: 'Time from an event arriving to its first answer reaching the user',
    labelNames: ['platform', 'kind'],
    buckets: REPLY_BUCKETS,
    registers,
  });
  const decisions = new Counter({
    name: 'atmobot_decisions_total',
    help: 'Decisions in the journal by subject, action and outcome (done, failed, held, already_decided, reconciled, released)',
    labelNames: ['subject', 'action', 'outcome'],
    registers,
  });
  const calls = new Histogram({
    name: 'atmobot_external_call_seconds',
    help: 'Calls to other services (Atmosphere API, Slack, Discord, GitHub, status.io), by service',
    labelNames: ['service'],
    buckets: CALL_BUCKETS,
    registers,
  });
  const callErrors = new Counter({
    name: 'atmobot_external_call_errors_total',
    help: 'Calls to other services that failed, by service',
    labelNames: ['service'],
    registers,
  });
  const jobRuns = new Counter({ name: 'atmobot_job_runs_total', help: 'Scheduled job runs on this replica, by job and outcome', labelNames: ['job', 'outcome'], registers });
  const jobSeconds = new Histogram({ name: 'atmobot_job_run_seconds', help: 'How long scheduled job runs took, by job', labelNames: ['job'], buckets: JOB_BUCKETS, registers });
  const jobSkips = new Counter({
    name: 'atmobot_job_skips_total',
    help: 'Job slots this replica did not run, by job and reason (not-elected, overlap, coordinator-error, stopped)',
    labelNames: ['job', 'reason'],
    registers,
  });
  const queueDepth = new Gauge({ name: 'atmobot_work_queue_depth', help: 'Events in the work queue, by state (waiting, running, outside)', labelNames: ['state'], registers });
  for (const state of ['waiting', 'running', 'outside']) queueDepth.set({ state }, 0);

  const { openAlertThreads } = options;
  if (openAlertThreads) {
    const timeoutMs = options.collectTimeoutMs ?? 500;
    new Gauge({
      name: 'atmobot_alert_threads_open',
      help: 'Alert threads open, by subject (machine_request, resource_request, instance)',
      labelNames: ['subject'],
      registers,
      // A hung database must not hang the scrape: past the deadline the last values stand.
      async collect() {
        const counts = await withDeadline(openAlertThreads(), timeoutMs).catch((error: unknown) => {
          options.log.warn({ err: error }, 'could not count the open alert threads for /metrics');
          return null;
        });
        if (!counts) return;
        this.reset();
        for (const [subject, count] of Object.entries(counts)) this.set({ subject }, count);
      },
    });
  }

  const refused = new Counter({
    name: 'atmobot_work_refused_total',
    help: 'Chat events turned away unstarted because the work queue held its bound of waiting events',
    registers,
  });

  const port: BotMetrics = {
    eventHandled: (platform, kind, outcome) => events.inc({ platform, kind, outcome }),
    acknowledged: (platform, kind, seconds) => acks.observe({ platform, kind }, seconds),
    replied: (platform, kind, seconds) => replies.observe({ platform, kind }, Math.max(0, seconds)),
    decision: (subject, action, outcome) => decisions.inc({ subject, action, outcome }),
    externalCall(service, seconds, ok) {
      calls.observe({ service }, seconds);
      if (!ok) callErrors.inc({ service });
    },
    jobRun(job, outcome, seconds) {
      jobRuns.inc({ job, outcome });
      jobSeconds.observe({ job }, seconds);
    },
    jobSkipped: (job, reason) => jobSkips.inc({ job, reason }),
    workQueue(depth) {
      queueDepth.set({ state: 'waiting' }, depth.waiting);
      queueDepth.set({ state: 'running' }, depth.running);
      queueDepth.set({ state: 'outside' }, depth.outside);
    },
    workRefused: () => refused.inc(),
  };
  // prom-client writes a NaN sample (the event-loop lag gauges before their first reading) as "Nan";
  // the text format spells it "NaN", and strict parsers refuse anything else.
  const render = async () => (await registry.metrics()).replace(/^([^#\n].*) Nan$/gm, '$1 NaN');
  return { port, contentType: registry.contentType, render };
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
