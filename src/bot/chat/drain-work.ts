import type { Logger } from '../../logger.js';
import type { WorkQueue } from './work-queue.js';

/** Said to the user of an acknowledged event whose work never started before the bot stopped. */
export const NOT_STARTED_TEXT = 'The bot restarted before it could do this; nothing was done. Please try again.';
/**
 * Said when the work had started but was still going when the grace period ran out. It may have
 * reached Atmosphere, so "nothing was done" would not be true; a decision's claim is kept in the
 * bot's database for the bot to settle once it is back.
 */
export const INTERRUPTED_TEXT = 'The bot restarted while it was working on this, before it could tell you the outcome. It may have been done: look before you try again.';

export interface DrainReport {
  /** Everything finished within the wait. */
  finished: boolean;
  /** Event ids that never started (their users were told nothing was done). */
  notStarted: string[];
  /** Event ids still running or waiting on another service when the wait ended. */
  interrupted: string[];
}

const sleep = (ms: number) =>
  new Promise<'timeout'>((resolve) => {
    setTimeout(() => resolve('timeout'), Math.max(0, ms)).unref();
  });

/**
 * Waits up to `waitMs` for the queue's accepted work to finish (work that arrives meanwhile is
 * accepted too: it was acknowledged). If time runs out, work that never started is taken out and its
 * users are told nothing was done; work still going is logged with its event id and its users told
 * it may have been done. Telling them is bounded by `noticeMs`. Nothing acknowledged is dropped
 * without a log line.
 */
export async function drainWork(queue: WorkQueue, options: { waitMs: number; noticeMs: number; log: Logger }): Promise<DrainReport> {
  const { log } = options;
  const before = queue.pending();
  if (before.length > 0) log.info({ pending: before.length, waiting: queue.waiting }, 'finishing acknowledged work before exiting');
  if ((await Promise.race([queue.idle().then(() => 'idle' as const), sleep(options.waitMs)])) === 'idle') {
    return { finished: true, notStarted: [], interrupted: [] };
  }
  const notStarted = queue.takeWaiting();
  const interrupted = queue.pending().filter((work) => work.state !== 'waiting');
  for (const item of notStarted) log.warn({ eventId: item.eventId }, 'shutdown: acknowledged event never started; telling the user nothing was done');
  for (const work of interrupted) {
    log.warn({ eventId: work.item.eventId, state: work.state }, 'shutdown: grace period over while this event was still being worked on');
  }
  const notices = [
    ...notStarted.map((item) => ({ eventId: item.eventId, send: item.notify?.(NOT_STARTED_TEXT) })),
    ...interrupted.map((work) => ({ eventId: work.item.eventId, send: work.item.notify?.(INTERRUPTED_TEXT) })),
  ];
  const settled = Promise.all(
    notices.map(({ eventId, send }) =>
      Promise.resolve(send).catch((error: unknown) => log.warn({ err: error, eventId }, 'shutdown: could not tell the user')),
    ),
  );
  if ((await Promise.race([settled.then(() => 'sent' as const), sleep(options.noticeMs)])) === 'timeout') {
    log.warn('shutdown: not every user could be told in time');
  }
  return { finished: false, notStarted: notStarted.map((item) => item.eventId), interrupted: interrupted.map((work) => work.item.eventId) };
}
