import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { jobRun } from '../../src/db/bot-schema/index.js';
import { openPglite, openPostgres, type DatabaseHandle } from '../../src/db/client.js';
import { migrateBotSchema } from '../../src/db/migrate.js';
import type { KeyValueStore } from '../../src/integrations/kv/key-value-store.js';
import { keys } from '../../src/integrations/kv/keys.js';
import { createMemoryStore } from '../../src/integrations/kv/memory-store.js';
import { createRedisStore } from '../../src/integrations/kv/redis-store.js';
import { createRunCoordinator, type RunCoordinator } from '../../src/jobs/run-coordinator.js';
import { createMemoryLogger } from '../../src/logger.js';
import { freePort, hasRedisServer, startRedisServer, type ThrowawayRedis } from '../integrations/kv/throwaway-redis.js';
import { createFreshDatabase } from './fresh-postgres.js';

const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const TTL = 60_000;

/** 20 distinct slot keys as node-cron builds them, one second apart, under a job name unique to the test. */
function slotKeys(job: string, count = 20): string[] {
  const start = Date.UTC(2026, 10, 21, 23, 0, 0);
  return Array.from({ length: count }, (_, i) => `${job}:${new Date(start + i * 1000).toISOString()}`);
}

/** Both replicas ask for the same slot at the same moment; returns who won. */
async function race(replicas: RunCoordinator[], key: string): Promise<boolean[]> {
  return Promise.all(replicas.map((replica) => replica.shouldRun(key, TTL)));
}

async function rowsFor(handle: DatabaseHandle, job: string) {
  const rows = await handle.db.select().from(jobRun);
  return rows.filter((row) => row.job === job);
}

describe('run coordinator on one process (memory store, PGlite)', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openPglite();
    await migrateBotSchema(handle);
  });
  afterAll(async () => {
    await handle.close();
  });

  it('elects exactly one of two replicas for each of 20 slots and records the winner', async () => {
    const kv = createMemoryStore();
    const { log } = createMemoryLogger();
    const a = createRunCoordinator({ kv, db: handle.db, runner: 'replica-a', log });
    const b = createRunCoordinator({ kv, db: handle.db, runner: 'replica-b', log });
    const winners = new Map<string, string>();
    for (const key of slotKeys('memory-race')) {
      const [aWon, bWon] = await race([a, b], key);
      expect(Number(aWon) + Number(bWon)).toBe(1);
      winners.set(key, aWon ? 'replica-a' : 'replica-b');
      expect(await kv.get(keys.cronSlot(key))).toBe(winners.get(key));
    }
    const rows = await rowsFor(handle, 'memory-race');
    expect(new Map(rows.map((row) => [row.slotKey, row.runner]))).toEqual(winners);
  });

  it('lets a Redis winner stand down when another replica already took the slot in Postgres', async () => {
    const key = 'cross-path:2026-11-21T23:00:00.000Z';
    await handle.db.insert(jobRun).values({ slotKey: key, job: 'cross-path', runner: 'replica-b', ranAt: new Date() });
    const kv = createMemoryStore();
    const { log, lines } = createMemoryLogger();
    const a = createRunCoordinator({ kv, db: handle.db, runner: 'replica-a', log });
    expect(await a.shouldRun(key, TTL)).toBe(false);
    expect(lines.some((line) => String(line.msg).includes('standing down'))).toBe(true);
  });

  it('does not run a slot twice on the same store, even for a replica that won it', async () => {
    const kv = createMemoryStore();
    const { log } = createMemoryLogger();
    const a = createRunCoordinator({ kv, db: handle.db, runner: 'replica-a', log });
    const key = 'again:2026-11-21T23:00:00.000Z';
    expect(await a.shouldRun(key, TTL)).toBe(true);
    expect(await a.shouldRun(key, TTL)).toBe(false);
  });

  it('decides in Postgres when the store is unhealthy', async () => {
    const kv = createMemoryStore();
    await kv.close();
    const { log } = createMemoryLogger();
    const a = createRunCoordinator({ kv, db: handle.db, runner: 'replica-a', log });
    const b = createRunCoordinator({ kv, db: handle.db, runner: 'replica-b', log });
    const winners = new Map<string, string>();
    for (const key of slotKeys('no-store', 5)) {
      const [aWon, bWon] = await race([a, b], key);
      expect(Number(aWon) + Number(bWon)).toBe(1);
      winners.set(key, aWon ? 'replica-a' : 'replica-b');
    }
    const rows = await rowsFor(handle, 'no-store');
    expect(new Map(rows.map((row) => [row.slotKey, row.runner]))).toEqual(winners);
    expect(await kv.get(keys.cronSlot(slotKeys('no-store', 1)[0]!))).toBeNull();
  });
});

describe('run coordinator when Postgres is unreachable', () => {
  let broken: DatabaseHandle;
  beforeAll(async () => {
    // Nothing listens on port 1: every query fails with ECONNREFUSED.
    broken = openPostgres('postgres://postgres@127.0.0.1:1/none', { max: 1 });
  });
  afterAll(async () => {
    await broken.close();
  });

  it('runs on the Redis election alone, still once per slot, and warns', async () => {
    const kv = createMemoryStore();
    const { log, lines } = createMemoryLogger();
    const a = createRunCoordinator({ kv, db: broken.db, runner: 'replica-a', log });
    const b = createRunCoordinator({ kv, db: broken.db, runner: 'replica-b', log });
    const [aWon, bWon] = await race([a, b], 'pg-down:2026-11-21T23:00:00.000Z');
    expect(Number(aWon) + Number(bWon)).toBe(1);
    expect(lines.some((line) => line.level === 40 && String(line.msg).includes('Redis election alone'))).toBe(true);
  });

  it('fails closed and logs an error when the store is down as well', async () => {
    const kv = createMemoryStore();
    await kv.close();
    const { log, lines } = createMemoryLogger();
    const a = createRunCoordinator({ kv, db: broken.db, runner: 'replica-a', log });
    expect(await a.shouldRun('both-down:2026-11-21T23:00:00.000Z', TTL)).toBe(false);
    const error = lines.find((line) => line.level === 50);
    expect(error).toMatchObject({ slot: 'both-down:2026-11-21T23:00:00.000Z', runner: 'replica-a' });
    expect(String(error?.msg)).toContain('neither Redis nor Postgres');
  });
});

describe.skipIf(!databaseUrl)('run coordinator across replicas (real Postgres)', () => {
  let fresh: { url: string; drop(): Promise<void> };
  let handle: DatabaseHandle;
  const stores: KeyValueStore[] = [];
  const servers: ThrowawayRedis[] = [];
  const prefix = `atmobot-test-${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    fresh = await createFreshDatabase(databaseUrl!);
    handle = openPostgres(fresh.url);
    await migrateBotSchema(handle);
  });
  afterAll(async () => {
    await handle.close();
    await fresh.drop();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await Promise.all(servers.splice(0).map((server) => server.kill()));
  });

  /** One replica: its own Redis connection (as a separate process would have) and its own coordinator. */
  async function replica(name: string, url: string, extra: { connectWaitMs?: number } = {}) {
    const kv = await createRedisStore(url, { log: createMemoryLogger().log, keyPrefix: prefix, maxReconnectDelayMs: 100, ...extra });
    stores.push(kv);
    const { log, lines } = createMemoryLogger();
    return { kv, lines, coordinator: createRunCoordinator({ kv, db: handle.db, runner: name, log }) };
  }

  function expectOneWinnerPerSlot(results: Map<string, boolean[]>) {
    for (const [key, wins] of results) {
      expect({ key, winners: wins.filter(Boolean).length }).toEqual({ key, winners: 1 });
    }
  }

  it.skipIf(!redisUrl)('elects exactly one runner per slot through Redis, and records it in Postgres', async () => {
    const a = await replica('replica-a', redisUrl!);
    const b = await replica('replica-b', redisUrl!);
    const results = new Map<string, boolean[]>();
    await Promise.all(slotKeys('redis-race').map(async (key) => results.set(key, await race([a.coordinator, b.coordinator], key))));
    expectOneWinnerPerSlot(results);
    const raw = new Redis(redisUrl!);
    try {
      for (const [key, [aWon]] of results) {
        expect(await raw.get(`${prefix}${keys.cronSlot(key)}`)).toBe(aWon ? 'replica-a' : 'replica-b');
      }
      await raw.del(...(await raw.keys(`${prefix}*`)));
    } finally {
      raw.disconnect();
    }
    const rows = await rowsFor(handle, 'redis-race');
    expect(rows).toHaveLength(20);
    for (const row of rows) expect(row.runner).toBe(results.get(row.slotKey)![0] ? 'replica-a' : 'replica-b');
  });

  it('elects exactly one runner per slot through Postgres while Redis is down', async () => {
    const deadUrl = `redis://127.0.0.1:${await freePort()}`;
    const a = await replica('replica-a', deadUrl, { connectWaitMs: 50 });
    const b = await replica('replica-b', deadUrl, { connectWaitMs: 50 });
    expect(a.kv.healthy() || b.kv.healthy()).toBe(false);
    const results = new Map<string, boolean[]>();
    await Promise.all(slotKeys('pg-race').map(async (key) => results.set(key, await race([a.coordinator, b.coordinator], key))));
    expectOneWinnerPerSlot(results);
    const rows = await rowsFor(handle, 'pg-race');
    expect(rows).toHaveLength(20);
    for (const row of rows) expect(row.runner).toBe(results.get(row.slotKey)![0] ? 'replica-a' : 'replica-b');
  });

  it.skipIf(!hasRedisServer)('elects exactly one when one replica reaches Redis and the other cannot', async () => {
    const port = await freePort();
    servers.push(await startRedisServer(port));
    const a = await replica('replica-a', `redis://127.0.0.1:${port}`);
    const b = await replica('replica-b', `redis://127.0.0.1:${await freePort()}`, { connectWaitMs: 50 });
    expect([a.kv.healthy(), b.kv.healthy()]).toEqual([true, false]);
    const results = new Map<string, boolean[]>();
    await Promise.all(slotKeys('split').map(async (key) => results.set(key, await race([a.coordinator, b.coordinator], key))));
    expectOneWinnerPerSlot(results);
    expect(await rowsFor(handle, 'split')).toHaveLength(20);
  });

  it.skipIf(!hasRedisServer)('runs every slot exactly once when Redis dies in the middle and comes back', async () => {
    const port = await freePort();
    servers.push(await startRedisServer(port));
    const url = `redis://127.0.0.1:${port}`;
    const a = await replica('replica-a', url);
    const b = await replica('replica-b', url);
    const results = new Map<string, boolean[]>();
    const paths: string[] = [];
    for (const [i, key] of slotKeys('redis-dies').entries()) {
      if (i === 7) {
        // Killed while this slot's election is in flight, not between two slots.
        const racing = race([a.coordinator, b.coordinator], key);
        await servers[0]!.kill();
        results.set(key, await racing);
        continue;
      }
      if (i === 14) {
        servers.push(await startRedisServer(port));
        await vi.waitFor(() => expect(a.kv.healthy() && b.kv.healthy()).toBe(true), { timeout: 20_000, interval: 25 });
      }
      paths.push(a.kv.healthy() ? 'redis' : 'postgres');
      results.set(key, await race([a.coordinator, b.coordinator], key));
    }
    expectOneWinnerPerSlot(results);
    expect(paths).toContain('redis');
    expect(paths).toContain('postgres');
    expect(await rowsFor(handle, 'redis-dies')).toHaveLength(20);
  });
});
