import type { Logger } from '../../logger.js';
import { drainWork, type DrainReport } from './drain-work.js';
import type { WorkQueue } from './work-queue.js';

export interface GracefulStopParts {
  graceMs: number;
  log: Logger;
  /** Turns the HTTP listeners to 503 (draining). */
  startDraining(): void;
  /** Stops each source of new events: Socket Mode, the Discord gateway. */
  stopReceiving: (() => Promise<void>)[];
  queue: WorkQueue;
  /** Stops the scheduler, letting a running tick finish. */
  stopJobs(): Promise<void>;
  /** Closes the HTTP servers, the chat clients, Redis and the databases. */
  close(): Promise<void>;
}

/**
 * Of the grace period, this much (at most) is kept for telling the users of unfinished work and for
 * closing the connections; the rest is for finishing the work.
 */
const RESERVE_FRACTION = 0.1;
const MAX_RESERVE_MS = 2_000;

const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> =>
  Promise.race([promise, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref())]);

/**
 * A shutdown that drops nothing it acknowledged: new events are refused first (503, sockets closed),
 * then the accepted work and a running job tick are given the grace period to finish, then whatever
 * is left is reported to its users (drainWork), and only then are the connections closed.
 */
export async function stopGracefully(parts: GracefulStopParts): Promise<DrainReport> {
  const { log, graceMs } = parts;
  const reserveMs = Math.min(MAX_RESERVE_MS, Math.floor(graceMs * RESERVE_FRACTION));
  const startedAt = Date.now();
  parts.startDraining();
  for (const stop of parts.stopReceiving) await stop().catch((error: unknown) => log.warn({ err: error }, 'could not stop receiving events'));
  const waitMs = Math.max(0, graceMs - 2 * reserveMs - (Date.now() - startedAt));
  const [report, jobs] = await Promise.all([
    drainWork(parts.queue, { waitMs, noticeMs: reserveMs, log }),
    within(parts.stopJobs(), waitMs + reserveMs),
  ]);
  if (jobs === 'timeout') log.warn('shutdown: a scheduled job was still running when the grace period ran out');
  const closed = await within(
    parts.close().catch((error: unknown) => log.error({ err: error }, 'closing connections failed')),
    Math.max(reserveMs, graceMs - (Date.now() - startedAt)),
  );
  if (closed === 'timeout') log.warn('shutdown: connections did not close in time');
  log.info({ durationMs: Date.now() - startedAt, finished: report.finished, notStarted: report.notStarted.length, interrupted: report.interrupted.length }, 'stopped');
  return report;
}
