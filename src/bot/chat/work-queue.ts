/**
 * Runs at most `concurrency` jobs at a time, in arrival order. Adapters acknowledge an event at once
 * and hand the rest of its work here: under a burst, the waiting work sits in this queue instead of in
 * the event loop, so the acknowledgement of the next event is not stuck behind the database calls of
 * fifty earlier ones (Slack and Discord both allow 3 s to acknowledge).
 */
export interface WorkQueue {
  run(job: () => Promise<void>): Promise<void>;
  /** Jobs waiting for a free slot (not counting those running). */
  readonly waiting: number;
}

export function createWorkQueue(concurrency: number): WorkQueue {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a whole number of at least 1');
  let running = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    running--;
    queue.shift()?.();
  };
  return {
    get waiting() {
      return queue.length;
    },
    async run(job) {
      if (running >= concurrency) await new Promise<void>((resolve) => queue.push(resolve));
      running++;
      try {
        await job();
      } finally {
        next();
      }
    },
  };
}
