import type { KeyValueStore } from './key-value-store.js';
import { checkTtl } from './keys.js';

/** How often expired entries are dropped even if nobody reads them again, so the map stays small. */
const SWEEP_INTERVAL_MS = 60_000;

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * The in-process store for embedded mode and single-replica runs: the same contract as Redis
 * (TTL, set-if-absent, compare-and-delete), valid only inside this one process.
 * Entries expire lazily on access, and a periodic sweep (unref'd, so it never keeps the process
 * alive) removes the ones nobody reads again. `now` is injectable so tests control expiry.
 */
export function createMemoryStore(now: () => number = Date.now): KeyValueStore {
  const entries = new Map<string, Entry>();
  let closed = false;

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const sweep = setInterval(() => {
    const at = now();
    for (const [key, entry] of entries) {
      if (entry.expiresAt <= at) entries.delete(key);
    }
  }, SWEEP_INTERVAL_MS);
  sweep.unref();

  return {
    kind: 'memory',
    async get(key) {
      return live(key)?.value ?? null;
    },
    async set(key, value, ttlMs) {
      entries.set(key, { value, expiresAt: now() + checkTtl(ttlMs) });
    },
    async setIfAbsent(key, value, ttlMs) {
      const expiresAt = now() + checkTtl(ttlMs);
      if (live(key)) return false;
      entries.set(key, { value, expiresAt });
      return true;
    },
    async deleteIfEquals(key, value) {
      if (live(key)?.value !== value) return false;
      entries.delete(key);
      return true;
    },
    async delete(key) {
      entries.delete(key);
    },
    healthy() {
      return !closed;
    },
    async close() {
      closed = true;
      clearInterval(sweep);
      entries.clear();
    },
  };
}
