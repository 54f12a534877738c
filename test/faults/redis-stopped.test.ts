import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../src/logger.js';
import { createRedisStore } from '../../src/integrations/kv/redis-store.js';
import type { KeyValueStore } from '../../src/integrations/kv/key-value-store.js';
import { createReplayGuard } from '../../src/bot/chat/replay-guard.js';
import { createHealthCheck } from '../../src/bot/chat/health-check.js';
import { openPglite, type DatabaseHandle } from '../../src/db/client.js';
import { waitFor } from '../e2e/e2e-support.js';
import { freePort, hasRedisServer, startRedisServer, type ThrowawayRedis } from '../integrations/kv/throwaway-redis.js';

describe.skipIf(!hasRedisServer)('replay markers and health with Redis stopped (a throwaway redis-server)', () => {
  let redis: ThrowawayRedis;
  let store: KeyValueStore;
  let pglite: DatabaseHandle;
  const memory = createMemoryLogger('debug');

  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedisServer(port);
    store = await createRedisStore(`redis://127.0.0.1:${port}`, { log: memory.log, keyPrefix: `replay-test-${port}:`, maxReconnectDelayMs: 100 });
    pglite = await openPglite();
  });

  afterAll(async () => {
    await store?.close();
    await redis?.kill();
    await pglite?.close();
  });

  it('catches a replay before and after Redis dies, and takes new requests meanwhile', async () => {
    const guard = createReplayGuard({ kv: store, log: memory.log });
    const health = createHealthCheck({ mode: 'production', db: pglite.db, troposphereDb: null, kv: store, gateway: 'rest', connections: () => ({}) });
    expect(await guard.firstTime('slack-request', 'v0=before')).toBe(true);
    expect(await guard.firstTime('slack-request', 'v0=before')).toBe(false);
    expect((await health()).detail['components']).toMatchObject({ redis: { state: 'up' } });

    await redis.kill();
    // A marker set while Redis was up is still known to this process.
    expect(await guard.firstTime('slack-request', 'v0=before')).toBe(false);
    expect(await guard.firstTime('slack-request', 'v0=during')).toBe(true);
    expect(await guard.firstTime('slack-request', 'v0=during')).toBe(false);
    expect(await guard.firstTime('slack-event', 'Ev1')).toBe(true);
    expect(await guard.firstTime('slack-event', 'Ev1')).toBe(false);
    const fallbacks = memory.lines.filter((line) => line['msg'] === 'replay markers fall back to this process while the store is unavailable');
    expect(fallbacks).toHaveLength(1);

    await waitFor('the store to notice Redis is gone', () => !store.healthy());
    const report = await health();
    // Redis down degrades the bot (locks and markers are per process) but does not stop its main job.
    expect(report.ok).toBe(true);
    expect(report.detail['components']).toMatchObject({ redis: { state: 'degraded' }, atmosphereDb: { state: 'up' } });
  });
});
