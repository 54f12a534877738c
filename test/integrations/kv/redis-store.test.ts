import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { IntegrationError } from '../../../src/errors.js';
import type { KeyValueStore } from '../../../src/integrations/kv/key-value-store.js';
import { createRedisStore } from '../../../src/integrations/kv/redis-store.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { describeStoreContract } from './store-contract.js';
import { freePort, hasRedisServer, startRedisServer, type ThrowawayRedis } from './throwaway-redis.js';

const redisUrl = process.env.REDIS_URL;
const suitePrefix = `atmobot-test-${randomBytes(4).toString('hex')}:`;

describeStoreContract(
  'redis store',
  async () => {
    const store = await createRedisStore(redisUrl!, { log: createMemoryLogger().log, keyPrefix: suitePrefix });
    return { store, advance: (ms) => sleep(ms) };
  },
  Boolean(redisUrl),
);

describe.skipIf(!redisUrl)('redis store on the shared Redis', () => {
  let raw: Redis;
  let store: KeyValueStore;
  beforeAll(async () => {
    raw = new Redis(redisUrl!);
    store = await createRedisStore(redisUrl!, { log: createMemoryLogger().log, keyPrefix: suitePrefix });
  });
  afterAll(async () => {
    const leftovers = await raw.keys(`${suitePrefix}*`);
    if (leftovers.length > 0) await raw.del(...leftovers);
    await store.close();
    raw.disconnect();
  });

  it('keeps every key under its prefix, with a millisecond TTL', async () => {
    expect(store.kind).toBe('redis');
    await store.set('cron:nightly', 'replica-a', 60_000);
    expect(await raw.get(`${suitePrefix}cron:nightly`)).toBe('replica-a');
    expect(await raw.get('cron:nightly')).toBeNull();
    const ttl = await raw.pttl(`${suitePrefix}cron:nightly`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('compare-and-deletes under the prefix too', async () => {
    await raw.set(`${suitePrefix}lock:x`, 'token-1');
    expect(await store.deleteIfEquals('lock:x', 'token-2')).toBe(false);
    expect(await store.deleteIfEquals('lock:x', 'token-1')).toBe(true);
    expect(await raw.exists(`${suitePrefix}lock:x`)).toBe(0);
  });
});

describe.skipIf(!hasRedisServer)('redis store when Redis goes away', () => {
  const stores: KeyValueStore[] = [];
  const servers: ThrowawayRedis[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await Promise.all(servers.splice(0).map((server) => server.kill()));
  });
  const waitFor = (check: () => void) => vi.waitFor(check, { timeout: 20_000, interval: 25 });

  it('fails commands fast while Redis is down, reports unhealthy, and recovers when it returns', async () => {
    const port = await freePort();
    servers.push(await startRedisServer(port));
    const { log, lines } = createMemoryLogger();
    const store = await createRedisStore(`redis://127.0.0.1:${port}`, { log, maxReconnectDelayMs: 100 });
    stores.push(store);
    expect(store.healthy()).toBe(true);
    await store.set('k', 'before', 60_000);

    await servers[0]!.kill();
    await waitFor(() => expect(store.healthy()).toBe(false));
    // With ioredis defaults this call would sit in the offline queue for ~73 s before failing.
    const failure = await store.setIfAbsent('k2', 'v', 60_000).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(IntegrationError);
    expect(failure).toMatchObject({ service: 'redis' });
    await expect(store.get('k')).rejects.toThrow(IntegrationError);
    expect(lines.some((line) => line.level === 40 && String(line.msg).includes('redis unavailable'))).toBe(true);

    servers.push(await startRedisServer(port));
    await waitFor(() => expect(store.healthy()).toBe(true));
    expect(await store.setIfAbsent('k2', 'after', 60_000)).toBe(true);
    expect(await store.get('k2')).toBe('after');
    expect(lines.some((line) => line.msg === 'redis connection restored')).toBe(true);
  });

  it('starts without Redis, never logs the password, and connects once Redis comes up', async () => {
    const port = await freePort();
    const { log, lines } = createMemoryLogger();
    const url = `redis://:s3cret-pw@127.0.0.1:${port}`;
    const store = await createRedisStore(url, { log, connectWaitMs: 300, maxReconnectDelayMs: 100 });
    stores.push(store);
    expect(store.healthy()).toBe(false);
    await expect(store.set('k', 'v', 60_000)).rejects.toThrow(IntegrationError);
    expect(lines.some((line) => line.level === 40 && String(line.msg).includes('start-up'))).toBe(true);

    servers.push(await startRedisServer(port, ['--requirepass', 's3cret-pw']));
    await waitFor(() => expect(store.healthy()).toBe(true));
    await store.set('k', 'v', 60_000);
    expect(await store.get('k')).toBe('v');
    expect(JSON.stringify(lines)).not.toContain('s3cret-pw');
    expect(JSON.stringify(lines)).toContain(`127.0.0.1:${port}`);
  });
});
