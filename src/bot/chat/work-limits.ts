/** The bounds the work queue (work-queue.ts) runs with, and what an event it turns away is told. */

/**
 * How many admitted events run their own code at once, between their waits. At 50 requests in
 * flight, 3 or 4 put the acknowledgement p99 of `/atmo requests` at about twice a bare Bolt app's
 * (bench/ack-latency.ts). What it costs in time to answer under a burst is in bench/slow-work.ts.
 */
export const DEFAULT_WORK_CONCURRENCY = 2;

/**
 * How many events are under way at once, each holding at most one Postgres connection while it waits
 * on a statement. Below the pool's 10, so the scheduled jobs and the imaging lock's session still find
 * a connection without waiting behind a burst of chat events.
 */
export const DEFAULT_MAX_IN_PROGRESS = 8;

/**
 * How many events may wait to be admitted before new ones are turned away with a reply saying so. A
 * waiting event is a closure over its payload (a few kB), so the bound keeps a flood from growing the
 * heap without end; at the rate the bot clears list renders (a few ms each) the last of 1,000 waits
 * a few seconds, well inside the 30 minutes a response_url stays valid, and bench/slow-work.ts's
 * burst of 500 queued at once fits under it. Work back from another service never counts: it started.
 */
export const DEFAULT_MAX_WAITING = 1_000;

/** What an event turned away by the bound is told; it never started, so it changed nothing. */
export function busyText(maxWaiting: number): string {
  return `The bot is too busy to take this now: ${maxWaiting.toLocaleString('en')} requests are already waiting, so this one was not started and nothing was changed. Try it again in a minute.`;
}

/**
 * Events admitted beyond `maxInProgress` when they must beat a platform timer. Without it a click that
 * opens a form, arriving while a burst of list commands fills every admitted place, would wait for one
 * of them to finish and then behind the ones already admitted: it goes ahead only among events that
 * hold no slot yet, so it needs to be admitted to be first. One place keeps the Postgres callers at
 * most `maxInProgress + 1`, still under the pool's 10; a second deadline event waits in the deadline
 * lane and is admitted first.
 */
export const DEADLINE_ADMISSION_RESERVE = 1;
