import { AsyncLocalStorage } from 'node:async_hooks';
import { noMetrics, secondsSince, type BotMetrics } from './metrics.js';
import type { Logger } from '../../logger.js';
import { busyText, DEADLINE_ADMISSION_RESERVE, DEFAULT_MAX_IN_PROGRESS, DEFAULT_MAX_WAITING } from './work-limits.js';

/**
 * Adapters acknowledge an event at once and hand the rest of its work here, which bounds it twice:
 *
 * - At most `maxInProgress` events are under way at once (admitted). Under a burst the rest wait in
 *   this queue instead of in the event loop and in the Postgres pool, whose connection wait would
 *   otherwise fail them after its timeout; past `maxWaiting` new ones are turned away, told so.
 * - Of those, at most `concurrency` run their own code (dispatch, rendering, row mapping) at a time
 *   (hold a slot), so the acknowledgement of the next event is not stuck behind the work of fifty
 *   earlier ones (Slack and Discord both allow 3 s to acknowledge).
 *
 * An event waiting on Postgres (a statement, or a connection: `waitOnDatabase`) gives its slot up and
 * stays admitted, so round trips overlap while the number of callers Postgres sees stays bounded. An
 * event waiting on another service (the Atmosphere API, GitHub, status.io, the chat platform's own
 * API: `outside`) gives up both: a hung API call then holds only its own event, never the other
 * users' (head-of-line blocking). Back from a call, an event goes ahead of events not yet started.
 */

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
  /**
   * Runs `call` (a statement sent to Postgres, or the wait for a connection) with the caller's slot
   * given up meanwhile but the event still admitted, so Postgres sees at most `maxInProgress` events.
   */
  waitOnDatabase<T>(call: () => Promise<T>): Promise<T>;
  /** Items waiting to be admitted that have not started. */
  readonly waiting: number;
  /** Every item accepted and not yet finished. */
  pending(): PendingWork[];
  /** Resolves once nothing is pending. */
  idle(): Promise<void>;
  /** Removes the items that have not started, so they never run, and returns them. */
  takeWaiting(): WorkItem[];
}

/** Events coming back from another service go before new events; deadline work goes before both. */
type Lane = 'deadline' | 'resume' | 'normal';
const LANE_ORDER: readonly Lane[] = ['deadline', 'resume', 'normal'];

interface Ticket {
  item: WorkItem;
  state: WorkState;
  /** Counted among the events under way. */
  admitted: boolean;
  /** Holds one of the `concurrency` slots. */
  holding: boolean;
  /** Its item has finished: whatever it is granted after that is given straight back. */
  done: boolean;
}

interface Waiter {
  ticket: Ticket;
  grant(granted: boolean): void;
}

/**
 * Counted places with waiters in priority lanes; a freed place goes to the first waiter of the first
 * lane. `reserve` places above the limit are for deadline work only.
 */
interface Places {
  used: number;
  readonly limit: number;
  readonly reserve: number;
  readonly lanes: Record<Lane, Waiter[]>;
}

const places = (limit: number, reserve = 0): Places => ({ used: 0, limit, reserve, lanes: { deadline: [], resume: [], normal: [] } });
const capacity = (pool: Places, lane: Lane) => pool.limit + (lane === 'deadline' ? pool.reserve : 0);


export interface WorkQueueOptions {
  /** Events under way at once (DEFAULT_MAX_IN_PROGRESS). */
  maxInProgress?: number;
  /** Events waiting to be admitted before new ones are turned away (DEFAULT_MAX_WAITING). */
  maxWaiting?: number;
  log?: Pick<Logger, 'warn'>;
}

function wholeAtLeastOne(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number of at least 1`);
  return value;
}

/** `metrics` hears the queue's depth after every change and each service call made through `outside`. */
export function createWorkQueue(concurrency: number, metrics: BotMetrics = noMetrics, options: WorkQueueOptions = {}): WorkQueue {
  const slots = places(wholeAtLeastOne(concurrency, 'concurrency'));
  const admission = places(wholeAtLeastOne(options.maxInProgress ?? DEFAULT_MAX_IN_PROGRESS, 'maxInProgress'), DEADLINE_ADMISSION_RESERVE);
  const maxWaiting = wholeAtLeastOne(options.maxWaiting ?? DEFAULT_MAX_WAITING, 'maxWaiting');
  let lastRefusalLog = -Infinity;
  const tickets = new Set<Ticket>();
  let idleWaiters: (() => void)[] = [];
  const current = new AsyncLocalStorage<Ticket>();
  // Not started: waiting to be admitted, or admitted and waiting for its first slot (at most maxInProgress).
  const waitingCount = () => {
    let count = admission.lanes.deadline.length + admission.lanes.normal.length;
    for (const lane of ['deadline', 'normal'] as const) for (const waiter of slots.lanes[lane]) if (waiter.ticket.state === 'waiting') count += 1;
    return count;
  };
  const report = () => {
    let outside = 0;
    for (const ticket of tickets) if (ticket.state === 'outside') outside += 1;
    // Items back from a call wait in a resume lane; they count as outside until they hold a slot.
    metrics.workQueue({ waiting: waitingCount(), running: slots.used, outside });
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

  const mark = (ticket: Ticket, pool: Places, value: boolean) => {
    if (pool === slots) ticket.holding = value;
    else ticket.admitted = value;
  };

  const acquire = (pool: Places, ticket: Ticket, lane: Lane): Promise<boolean> => {
    if (pool.used < capacity(pool, lane)) {
      pool.used++;
      mark(ticket, pool, true);
      // Even a free slot is taken up on the next turn of the event loop (see release): the work
      // would otherwise run in the callback that admitted it or brought its rows back, ahead of the
      // requests already read from the sockets and waiting for their acknowledgement.
      if (pool === slots) return new Promise<boolean>((resolve) => setImmediate(() => resolve(true)));
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => pool.lanes[lane].push({ ticket, grant: resolve }));
  };

  const release = (pool: Places, ticket: Ticket) => {
    mark(ticket, pool, false);
    pool.used--;
    for (const lane of LANE_ORDER) {
      if (pool.used >= capacity(pool, lane)) continue;
      const next = pool.lanes[lane].shift();
      if (!next) continue;
      pool.used++;
      mark(next.ticket, pool, true);
      // A slot is handed over on the next turn of the event loop (setImmediate runs after the poll
      // phase), not in this one's microtasks: requests that arrived meanwhile are read and
      // acknowledged first, instead of after a chain of waiting work. Measured in
      // bench/ack-latency.ts against granting a free slot at once (18 rounds each, interleaved): the
      // p99 ratio to a bare Bolt app fell from 1.56 to 1.33 for the slash command and from 1.88 to
      // 1.51 for the button; what it costs in time to answer is in bench/slow-work.ts. Admission only
      // leads on to the wait for a slot, so it is handed over at once.
      if (pool === slots) setImmediate(() => next.grant(true));
      else next.grant(true);
      return;
    }
  };

  /** Back from a wait: retakes what `needs` names, and gives it straight back if the item ended meanwhile. */
  const retake = async (ticket: Ticket, needs: readonly Places[]) => {
    for (const pool of needs) await acquire(pool, ticket, 'resume');
    ticket.state = 'running';
    if (ticket.done) for (const pool of [...needs].reverse()) release(pool, ticket);
  };

  const finished = (ticket: Ticket) => {
    tickets.delete(ticket);
    if (tickets.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  };

  const refuse = async (item: WorkItem) => {
    metrics.workRefused();
    // One line a minute, not one per refused event: a flood must not become a flood of logs.
    if (performance.now() - lastRefusalLog > 60_000) {
      lastRefusalLog = performance.now();
      options.log?.warn({ maxWaiting, eventId: item.eventId }, 'the work queue is full; turning new events away until it drains');
    }
    await item.notify?.(busyText(maxWaiting)).catch(() => {});
  };

  return {
    get waiting() {
      return waitingCount();
    },
    async run(item) {
      if (waitingCount() >= maxWaiting) return refuse(item);
      const ticket: Ticket = { item, state: 'waiting', admitted: false, holding: false, done: false };
      tickets.add(ticket);
      try {
        const admitted = acquire(admission, ticket, item.priority ?? 'normal');
        report();
        if (!(await admitted)) return;
        if (!(await acquire(slots, ticket, item.priority ?? 'normal'))) return;
        ticket.state = 'running';
        report();
        await current.run(ticket, () => item.run());
      } finally {
        ticket.done = true;
        if (ticket.holding) release(slots, ticket);
        if (ticket.admitted) release(admission, ticket);
        finished(ticket);
        report();
      }
    },
    async outside(call, service) {
      const ticket = current.getStore();
      // Outside any item (a scheduled job), or while the item already gave its slot up (calls in parallel).
      if (!ticket?.holding) return measured(call, service);
      release(slots, ticket);
      release(admission, ticket);
      ticket.state = 'outside';
      report();
      try {
        return await measured(call, service);
      } finally {
        await retake(ticket, [admission, slots]);
        report();
      }
    },
    async waitOnDatabase(call) {
      const ticket = current.getStore();
      if (!ticket?.holding) return call();
      release(slots, ticket);
      ticket.state = 'outside';
      try {
        return await call();
      } finally {
        await retake(ticket, [slots]);
      }
    },
    pending: () => [...tickets].map((ticket) => ({ item: ticket.item, state: ticket.state })),
    idle: () => (tickets.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    takeWaiting() {
      const taken: WorkItem[] = [];
      const notStarted = (waiter: Waiter) => waiter.ticket.state === 'waiting';
      for (const pool of [admission, slots]) {
        for (const lane of ['deadline', 'normal'] as const) {
          const keep: Waiter[] = [];
          for (const waiter of pool.lanes[lane].splice(0)) {
            if (!notStarted(waiter)) {
              keep.push(waiter);
              continue;
            }
            taken.push(waiter.ticket.item);
            waiter.grant(false);
          }
          pool.lanes[lane].push(...keep);
        }
      }
      report();
      return taken;
    },
  };
}
