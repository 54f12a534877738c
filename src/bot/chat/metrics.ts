import type { Platform } from './chat-event.js';

/** How a decision in the journal ended up, as the journal itself saw it. */
export type DecisionOutcome =
  /** Atmosphere applied it and the bot recorded it. */
  | 'done'
  /** Atmosphere refused it clearly; the claim was given back. */
  | 'failed'
  /** No clear answer (timeout, 5xx): held, so it is never sent twice. */
  | 'held'
  /** Someone clicked after another person's decision: nothing was sent. */
  | 'already_decided'
  /** The reconciler recorded a decision whose reply was lost. */
  | 'reconciled'
  /** The reconciler gave a claim back: nothing landed, or it was decided outside the bot. */
  | 'released';

export interface WorkQueueDepth {
  /** Accepted, not started. */
  waiting: number;
  /** Holding a work slot. */
  running: number;
  /** Waiting on another service, slot given up. */
  outside: number;
}

/**
 * What the bot reports about itself, in its own words. The adapters, the dispatcher, the work queue,
 * the decision journal and the scheduler call it; none of them knows how it is exported (Prometheus,
 * in `src/metrics/`) or whether it is at all (`noMetrics`). Every method is cheap and never throws.
 */
export interface BotMetrics {
  /** One chat event finished in the dispatcher, with the outcome its audit row got. */
  eventHandled(platform: Platform, kind: 'command' | 'action' | 'form', outcome: string): void;
  /** How long the platform waited for its acknowledgement (Slack's 3 s, Discord's first response). */
  acknowledged(platform: Platform, kind: 'command' | 'action', seconds: number): void;
  /** How long from the event's arrival to its first answer reaching the user. */
  replied(platform: Platform, kind: 'command' | 'action', seconds: number): void;
  decision(subject: string, action: string, outcome: DecisionOutcome): void;
  /** One call to another service (`atmosphere`, `slack`, `discord`, `github`, `statusio`). */
  externalCall(service: string, seconds: number, ok: boolean): void;
  jobRun(job: string, outcome: 'ok' | 'failed', seconds: number): void;
  /** A slot this replica did not run: `not-elected`, `overlap`, `coordinator-error`, `stopped`. */
  jobSkipped(job: string, reason: string): void;
  workQueue(depth: WorkQueueDepth): void;
  /** An event was turned away because the queue held its bound of waiting work. */
  workRefused(): void;
}

/** For tests and tools that do not export metrics. */
export const noMetrics: BotMetrics = {
  eventHandled() {},
  acknowledged() {},
  replied() {},
  decision() {},
  externalCall() {},
  jobRun() {},
  jobSkipped() {},
  workQueue() {},
  workRefused() {},
};

/** Seconds since a `performance.now()` reading. */
export function secondsSince(startedMs: number): number {
  return (performance.now() - startedMs) / 1000;
}
