import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../../src/integrations/kv/key-value-store.js';

export interface StoreUnderTest {
  store: KeyValueStore;
  /** Lets `ms` of store time pass: moves a fake clock, or really waits for Redis. */
  advance(ms: number): Promise<void>;
}

/** The behaviour every `KeyValueStore` must share, run against the memory store and against Redis. */
export function describeStoreContract(name: string, open: () => Promise<StoreUnderTest>, enabled = true): void {
  describe.skipIf(!enabled)(`${name} (KeyValueStore contract)`, () => {
    let subject: StoreUnderTest;
    let store: KeyValueStore;
    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });
    afterEach(async () => {
      await store.close();
    });

    it('returns null for a missing key and the last value set otherwise', async () => {
      expect(await store.get('missing')).toBeNull();
      await store.set('k', 'one', 60_000);
      await store.set('k', 'two', 60_000);
      expect(await store.get('k')).toBe('two');
    });

    it('forgets an entry once its TTL has passed and keeps one whose TTL has not', async () => {
      await store.set('short', 'gone-soon', 300);
      await store.set('long', 'stays', 60_000);
      expect(await store.get('short')).toBe('gone-soon');
      await subject.advance(400);
      expect(await store.get('short')).toBeNull();
      expect(await store.get('long')).toBe('stays');
    });

    it('sets only an absent key with setIfAbsent, and again after the key expired', async () => {
      expect(await store.setIfAbsent('slot', 'first', 300)).toBe(true);
      expect(await store.setIfAbsent('slot', 'second', 300)).toBe(false);
      expect(await store.get('slot')).toBe('first');
      await subject.advance(400);
      expect(await store.setIfAbsent('slot', 'third', 60_000)).toBe(true);
      expect(await store.get('slot')).toBe('third');
    });

    it('lets exactly one of many concurrent setIfAbsent calls win', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.setIfAbsent('race', `c${i}`, 60_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.get('race')).toBe(`c${results.indexOf(true)}`);
    });

    it('deletes with deleteIfEquals only while the key holds that value', async () => {
      await store.set('lock', 'mine', 60_000);
      expect(await store.deleteIfEquals('lock', 'theirs')).toBe(false);
      expect(await store.get('lock')).toBe('mine');
      expect(await store.deleteIfEquals('lock', 'mine')).toBe(true);
      expect(await store.get('lock')).toBeNull();
      expect(await store.deleteIfEquals('lock', 'mine')).toBe(false);
    });

    it('does not let deleteIfEquals remove an expired value that was taken again', async () => {
      await store.set('lock', 'old-holder', 300);
      await subject.advance(400);
      expect(await store.setIfAbsent('lock', 'new-holder', 60_000)).toBe(true);
      expect(await store.deleteIfEquals('lock', 'old-holder')).toBe(false);
      expect(await store.get('lock')).toBe('new-holder');
    });

    it('deletes a key, and deleting a missing key is harmless', async () => {
      await store.set('k', 'v', 60_000);
      await store.delete('k');
      await store.delete('never-set');
      expect(await store.get('k')).toBeNull();
    });

    it('refuses a TTL that is not a positive number', async () => {
      await expect(store.set('k', 'v', 0)).rejects.toThrow(RangeError);
      await expect(store.setIfAbsent('k', 'v', -5)).rejects.toThrow(RangeError);
      await expect(store.set('k', 'v', Number.NaN)).rejects.toThrow(RangeError);
      expect(await store.get('k')).toBeNull();
    });

    it('reports healthy while open and unhealthy once closed', async () => {
      expect(store.healthy()).toBe(true);
      await store.close();
      expect(store.healthy()).toBe(false);
    });
  });
}
