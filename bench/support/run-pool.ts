/**
 * Runs `total` tasks with at most `concurrency` in flight (a closed loop: a new one starts as soon as
 * one finishes) and returns each task's own duration in milliseconds, in completion order.
 */
export async function runPool(total: number, concurrency: number, task: (index: number) => Promise<void>): Promise<number[]> {
  const durations: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const started = performance.now();
      await task(index);
      durations.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return durations;
}
