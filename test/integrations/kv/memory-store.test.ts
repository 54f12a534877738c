import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../src/integrations/kv/memory-store.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('memory store', async () => {
  let clock = 1_000_000;
  return {
    store: createMemoryStore(() => clock),
    advance: async (ms) => {
      clock += ms;
    },
  };
});

describe('memory store', () => {
  it('says it is the memory kind', () => {
    expect(createMemoryStore().kind).toBe('memory');
  });

  it('expires an entry at exactly its TTL on the injected clock', async () => {
    let clock = 0;
    const store = createMemoryStore(() => clock);
    await store.set('k', 'v', 1000);
    clock = 999;
    expect(await store.get('k')).toBe('v');
    clock = 1000;
    expect(await store.get('k')).toBeNull();
    await store.close();
  });
});
