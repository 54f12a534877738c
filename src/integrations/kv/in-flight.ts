/**
 * Concurrent identical reads sharing one call. Two views of the same instance opened at once both
 * miss the evidence cache (neither answer is in it yet); without this each would make its own HTTP
 * call. The promise is forgotten as soon as it settles, so nothing (a failure least of all) is kept
 * here: keeping answers for a while is the evidence cache's job (EVIDENCE_TTL_MS).
 */
export interface InFlight {
  /** `run()`, or the promise of the identical call (`key`) still under way. */
  share<T>(key: string, run: () => Promise<T>): Promise<T>;
  /** How many calls are under way; for tests. */
  size(): number;
}

/** One client's calls under way, per key (the client is already one provider's). */
export function createInFlight(): InFlight {
  const pending = new Map<string, Promise<unknown>>();
  return {
    share<T>(key: string, run: () => Promise<T>): Promise<T> {
      const under = pending.get(key);
      if (under) return under as Promise<T>;
      const started = run().finally(() => pending.delete(key));
      pending.set(key, started);
      return started;
    },
    size: () => pending.size,
  };
}
