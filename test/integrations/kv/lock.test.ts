import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../../src/integrations/kv/key-value-store.js';
import { keys } from '../../../src/integrations/kv/keys.js';
import { withLock } from '../../../src/integrations/kv/lock.js';
import { createMemoryStore } from '../../../src/integrations/kv/memory-store.js';
import { createRedisStore } from '../../../src/integrations/kv/redis-store.js';
import { createMemoryLogger } from '../../../src/logger.js';

const redisUrl = process.env.REDIS_URL;

const backends: { name: string; enabled: boolean; open: () => Promise<KeyValueStore> }[] = [
  { name: 'memory store', enabled: true, open: async () => createMemoryStore() },
  {
    name: 'redis store',
    enabled: Boolean(redisUrl),
    open: () =>
      createRedisStore(redisUrl!, {
        log: createMemoryLogger().log,
        keyPrefix: `atmobot-test-${randomBytes(4).toString('hex')}:`,
      }),
  },
];

for (const backend of backends) {
  describe.skipIf(!backend.enabled)(`withLock on the ${backend.name}`, () => {
    let store: KeyValueStore;
    beforeAll(async () => {
      store = await backend.open();
    });
    afterAll(async () => {
      await store.close();
    });

    it('lets only one of many concurrent callers in, and each gets in once the holder leaves', async () => {
      let inside = 0;
      let mostInside = 0;
      const entered: number[] = [];
      const worker = async (id: number) => {
        for (;;) {
          const result = await withLock(store, 'exclusive', 10_000, async () => {
            inside += 1;
            mostInside = Math.max(mostInside, inside);
            entered.push(id);
            await sleep(5);
            inside -= 1;
            return id;
          });
          if (result.ran) return result.value;
          await sleep(2);
        }
      };
      const results = await Promise.all(Array.from({ length: 8 }, (_, id) => worker(id)));
      expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(mostInside).toBe(1);
      expect([...entered].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    });

    it('turns a caller away while the lock is held, without running its function', async () => {
      let secondRan = false;
      const outcome = await withLock(store, 'held', 10_000, async () =>
        withLock(store, 'held', 10_000, async () => {
          secondRan = true;
        }),
      );
      expect(outcome).toEqual({ ran: true, value: { ran: false } });
      expect(secondRan).toBe(false);
    });

    it('releases the lock when the function throws, and passes the error on', async () => {
      await expect(
        withLock(store, 'throws', 10_000, async () => {
          throw new Error('job broke');
        }),
      ).rejects.toThrow('job broke');
      expect(await store.get(keys.lock('throws'))).toBeNull();
      expect(await withLock(store, 'throws', 10_000, async () => 'again')).toEqual({ ran: true, value: 'again' });
    });
  });
}

describe('withLock when its TTL runs out mid-run', () => {
  it('does not release the lock a newer holder took', async () => {
    let clock = 0;
    const store = createMemoryStore(() => clock);
    const result = await withLock(store, 'slow', 1000, async () => {
      clock += 1500;
      return store.setIfAbsent(keys.lock('slow'), 'newer-holder', 60_000);
    });
    expect(result).toEqual({ ran: true, value: true });
    expect(await store.get(keys.lock('slow'))).toBe('newer-holder');
    await store.close();
  });
});
