import type { KeyValueStore } from '../../integrations/kv/key-value-store.js';
import { EVIDENCE_TTL_MS } from '../../integrations/kv/keys.js';
import type { Logger } from '../../logger.js';

/**
 * A source's answer through the shared store: a recent answer is reused (EVIDENCE_TTL_MS), a new one
 * is kept when `keep` says so (answers, not failures: a failure is asked again next time). The store
 * is a cache only: when it cannot answer, the source is asked directly.
 */
export async function readCached<T>(kv: KeyValueStore, key: string, log: Logger, read: () => Promise<T>, keep: (value: T) => boolean): Promise<T> {
  const cached = await kv.get(key).catch((error: unknown) => {
    log.warn({ err: error, key }, 'evidence cache unreadable');
    return null;
  });
  if (cached !== null) {
    try {
      return JSON.parse(cached) as T;
    } catch {
      // A value this version cannot read (written by another release): ask the source again.
    }
  }
  const value = await read();
  if (keep(value)) await kv.set(key, JSON.stringify(value), EVIDENCE_TTL_MS).catch((error: unknown) => log.warn({ err: error, key }, 'evidence cache not written'));
  return value;
}
