import { AsyncLocalStorage } from 'node:async_hooks';
import { noMetrics, secondsSince, type BotMetrics } from './metrics.js';
import type { Logger } from '../../logger.js';

/**
 * Adapters acknowledge an event at once and hand the rest of its work here. At most `concurrency`
 * events run their own code (dispatch, database queries, rendering) at a time: under a burst the
 * waiting work sits in this queue instead of in the event loop, so the acknowledgement of the next
 * event is not stuck behind the database calls of fifty earlier ones, and Postgres sees a bounded
 * number of callers (Slack and Discord both allow 3 s to acknowledge).
 *
 * An event that waits on another service (the Atmosphere API, GitHub, status.io, the chat platform's
 * own API, and Postgres itself: each statement and each wait for a connection) gives its slot up for
 * that wait, through `outside`: a hung API call then holds only its own
 * event, never the other users' (head-of-line blocking). When the call returns, the event takes a slot
 * again ahead of events that have not started yet.
 */

/**
 * How many events run their own code at once, between their waits. Since statements are waited on
 * outside the slot, this bounds the event loop's own work (rendering, row mapping), not the round
 * trips; the Postgres pool (10, shared with the imaging lock and the scheduled jobs) bounds how many
 * statements are out. At 50 requests in flight, 3 or 4 slots put the acknowledgement p99 of
 * `/atmo requests` at about twice a bare Bolt app's (bench/ack-latency.ts). What it costs in time to
 * answer under a burst is measured in bench/slow-work.ts.
 */
export const DEFAULT_WORK_CONCURRENCY = 2;

/**
 * How many events may wait for a slot before new ones are turned away with a reply saying so. A
 * waiting event is a closure over its payload (a few kB), so the bound keeps a flood from growing the
 * heap without end; at the rate two slots clear list renders (a few ms each) the last of 1,000 waits
 * a few seconds, well inside the 30 minutes a response_url stays valid, and bench/slow-work.ts's
 * burst of 500 queued at once fits under it. Work back from another service never counts: it started.
 */
export const DEFAULT_MAX_WAITING = 1_000;

/** What an event turned away by the bound is told; it never started, so it changed nothing. */
export function busyText(maxWaiting: number): string {
  return `The bot is too busy to take this now: ${maxWaiting.toLocaleString('en')} requests are already waiting, so this one was not started and nothing was changed. Try it again in a minute.`;
}

/** `deadline`: the work must beat a platform timer, such as opening a modal within a trigger_id's 3 s. */
export type WorkPriority = 'deadline' | 'normal';

export interface WorkItem {
  /** The event's id, for the log lines of a shutdown. */
  eventId: string;
  priority?: WorkPriority;
  run(): Promise<void>;
  /** Tells the event's user something (used by a shutdown for work it cannot finish). */
  notify?(text: string): Promise<void>;
}

/** `waiting`: not started; `running`: holds a slot; `outside`: waiting on another service. */
export type WorkState = 'waiting' | 'running' | 'outside';

export interface PendingWork {
  item: WorkItem;
  state: WorkState;
}

export interface WorkQueue {
  /**
   * Runs the item when a slot is free; resolves when it is done, or when `takeWaiting` took it out.
   * With the bound of waiting items reached, the item is not run: it is told so (`notify`) instead.
   */
  run(item: WorkItem): Promise<void>;
  /**
   * Runs `call` (a request to another service) without holding the caller's slot meanwhile. With
   * `service`, its duration and failure are reported as that service's call.
   */
  outside<T>(call: () => Promise<T>, service?: string): Promise<T>;
  /** Items waiting for a slot that have not started. */
  readonly waiting: number;
  /** Every item accepted and not yet finished. */
  pending(): PendingWork[];
  /** Resolves once nothing is pending. */
  idle(): Promise<void>;
  /** Removes the items that have not started, so they never run, and returns them. */
  takeWaiting(): WorkItem[];
}

/** Event coming back from another service go before new events; deadline work goes before both. */
type Lane = 'deadline' | 'resume' | 'normal';
const LANE_ORDER: readonly Lane[] = ['deadline', 'resume', 'normal'];

interface Ticket {
  item: WorkItem;
  state: WorkState;
  holding: boolean;
}

interface Waiter {
  ticket: Ticket;
  grant(granted: boolean): void;
}

/** `metrics` hears the queue's depth after every change and each service call made through `outside`. */
export function createWorkQueue(concurrency: number, metrics: BotMetrics = noMetrics, options: { maxWaiting?: number; log?: Pick<Logger, 'warn'> } = {}): WorkQueue {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a whole number of at least 1');
  const maxWaiting = options.maxWaiting ?? DEFAULT_MAX_WAITING;
  if (!Number.isInteger(maxWaiting) || maxWaiting < 1) throw new RangeError('maxWaiting must be a whole number of at least 1');
  let lastRefusalLog = -Infinity;
  let busy = 0;
  const lanes: Record<Lane, Waiter[]> = { deadline: [], resume: [], normal: [] };
  const tickets = new Set<Ticket>();
  let idleWaiters: (() => void)[] = [];
  const current = new AsyncLocalStorage<Ticket>();
  const report = () => {
    let outside = 0;
    for (const ticket of tickets) if (ticket.state === 'outside') outside += 1;
    // Items back from a service call wait in the resume lane; they count as outside until they hold a slot.
    metrics.workQueue({ waiting: lanes.deadline.length + lanes.normal.length, running: busy, outside });
  };
  const measured = <T>(call: () => Promise<T>, service: string | undefined): Promise<T> => {
    if (!service) return call();
    const started = performance.now();
    return call().then(
      (value) => {
        metrics.externalCall(service, secondsSince(started), true);
        return value;
      },
      (error: unknown) => {
        metrics.externalCall(service, secondsSince(started), false);
        throw error;
      },
    );
  };

  const acquire = (ticket: Ticket, lane: Lane): Promise<boolean> => {
    if (busy < concurrency) {
      busy++;
      ticket.holding = true;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => lanes[lane].push({ ticket, grant: resolve }));
  };

  const release = (ticket: Ticket) => {
    ticket.holding = false;
    busy--;
    for (const lane of LANE_ORDER) {
      const next = lanes[lane].shift();
      if (!next) continue;
      busy++;
      next.ticket.holding = true;
      // Handed over on the next turn of the event loop, not in this one's microtasks: requests that
      // arrived meanwhile are read and acknowledged first, instead of after a chain of waiting work.
      setImmediate(() => next.grant(true));
      return;
    }
  };

  const finished = (ticket: Ticket) => {
    tickets.delete(ticket);
    if (tickets.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  };

  return {
    get waiting() {
      return lanes.deadline.length + lanes.normal.length;
    },
    async run(item) {
      if (busy >= concurrency && lanes.deadline.length + lanes.normal.length >= maxWaiting) {
        metrics.workRefused();
        // One line a minute, not one per refused event: a flood must not become a flood of logs.
        if (performance.now() - lastRefusalLog > 60_000) {
          lastRefusalLog = performance.now();
          options.log?.warn({ maxWaiting, eventId: item.eventId }, 'the work queue is full; turning new events away until it drains');
        }
        await item.notify?.(busyText(maxWaiting)).catch(() => {});
        return;
      }
      const ticket: Ticket = { item, state: 'waiting', holding: false };
      tickets.add(ticket);
      try {
        const started = acquire(ticket, item.priority ?? 'normal');
        report();
        if (!(await started)) return;
        ticket.state = 'running';
        report();
        await current.run(ticket, () => item.run());
      } finally {
        if (ticket.holding) release(ticket);
        finished(ticket);
        report();
      }
    },
    async outside(call, service) {
      const ticket = current.getStore();
      // Outside any item (a scheduled job), or while the item already gave its slot up (calls in parallel).
      if (!ticket?.holding) return measured(call, service);
      release(ticket);
      ticket.state = 'outside';
      report();
      try {
        return await measured(call, service);
      } finally {
        await acquire(ticket, 'resume');
        ticket.state = 'running';
        report();
      }
    },
    pending: () => [...tickets].map((ticket) => ({ item: ticket.item, state: ticket.state })),
    idle: () => (tickets.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    takeWaiting() {
      const taken: WorkItem[] = [];
      for (const lane of ['deadline', 'normal'] as const) {
        for (const waiter of lanes[lane].splice(0)) {
          taken.push(waiter.ticket.item);
          waiter.grant(false);
        }
      }
      return taken;
    },
  };
}
