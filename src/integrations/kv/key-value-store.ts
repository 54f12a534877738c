/**
 * The small key-value surface the bot needs from Redis: cache entries, first-time markers and
 * compare-and-delete locks. `createRedisStore` and `createMemoryStore` both implement it.
 * Keys are built by `keys.ts`; callers never spell them by hand.
 */
export interface KeyValueStore {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets only when absent (`SET NX PX`). True when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes only while the key still holds `value` (lock release). True when deleted. */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Whether the store can answer now (Redis connected); the memory store always can. */
  healthy(): boolean;
  close(): Promise<void>;
}
