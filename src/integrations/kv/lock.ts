import { randomUUID } from 'node:crypto';
import type { KeyValueStore } from './key-value-store.js';
import { keys } from './keys.js';

export type LockResult<T> = { ran: true; value: T } | { ran: false };

/**
 * Runs `fn` only if this caller takes the lock `name`, and releases it afterwards, also when `fn`
 * throws. The lock holds a random token and is released by compare-and-delete, so a caller whose
 * lock expired mid-run (ttlMs too short) cannot release the next holder's lock. Returns
 * `{ ran: false }` when someone else holds it. A store failure while taking the lock rejects (the
 * caller decides between skipping and another fallback); a failure while releasing is ignored,
 * because the TTL frees the lock anyway and `fn`'s outcome is what the caller needs.
 * A TTL lock can expire under a slow `fn`: guard correctness-critical data in the database as well.
 */
export async function withLock<T>(
  store: KeyValueStore,
  name: string,
  ttlMs: number,
  fn: () => Promise<T>,
): Promise<LockResult<T>> {
  const key = keys.lock(name);
  const token = randomUUID();
  if (!(await store.setIfAbsent(key, token, ttlMs))) return { ran: false };
  try {
    return { ran: true, value: await fn() };
  } finally {
    await store.deleteIfEquals(key, token).catch(() => false);
  }
}
