import { describe, expect, it } from 'vitest';
import { createHealthCheck, type ComponentState, type HealthOptions } from '../../../src/bot/chat/health-check.js';
import { createMemoryStore } from '../../../src/integrations/kv/memory-store.js';
import type { KeyValueStore } from '../../../src/integrations/kv/key-value-store.js';
import type { Database } from '../../../src/db/client.js';

/**
 * Stand-ins for the two databases: the report only runs `select 1` on each (pingDatabase), so one
 * that answers and one that never does cover what a real server can do here.
 */
const answering = { execute: async () => ({ rows: [{ '?column?': 1 }] }) } as unknown as Database;
const hung = { execute: () => new Promise(() => {}) } as unknown as Database;

describe('the readiness report: ready only while the bot can do its main job', () => {
  const check = (overrides: Partial<HealthOptions> = {}) =>
    createHealthCheck({
      mode: 'production',
      db: answering,
      troposphereDb: { ...answering } as Database,
      kv: createMemoryStore(),
      gateway: 'rest',
      connections: () => ({ slack: { state: 'up', detail: 'http' } }),
      ...overrides,
    })();

  it('is ready with both databases, a writing gateway and every connection up', async () => {
    const report = await check();
    expect(report.ok).toBe(true);
    expect(report.detail).toMatchObject({ failing: [], components: { atmosphereDb: { state: 'up' }, troposphereDb: { state: 'up' }, slack: { state: 'up' } } });
  });

  it('is not ready when approvals would be refused (no Atmosphere API on a real database)', async () => {
    const report = await check({ gateway: 'read-only' });
    expect(report.ok).toBe(false);
    expect(report.detail).toMatchObject({ failing: ['atmosphereApi'], components: { atmosphereApi: { state: 'down', detail: expect.stringContaining('ATMOSPHERE_API_URL') } } });
  });

  it('is not ready while a configured chat connection is down, and names it', async () => {
    const connections = (): Record<string, ComponentState> => ({ slack: { state: 'up' }, discord: { state: 'down', detail: 'gateway not ready' } });
    const report = await check({ connections });
    expect(report.ok).toBe(false);
    expect(report.detail['failing']).toEqual(['discord']);
  });

  it('is not ready when the Troposphere database does not answer within the budget', async () => {
    const report = await check({ troposphereDb: hung, budgetMs: 50 });
    expect(report.ok).toBe(false);
    expect(report.detail['failing']).toEqual(['troposphereDb']);
  });

  it('stays ready with Redis unreachable: locks and markers fall back, so it only degrades', async () => {
    const unreachable: KeyValueStore = { ...createMemoryStore(), kind: 'redis', healthy: () => false };
    const report = await check({ kv: unreachable });
    expect(report.ok).toBe(true);
    expect(report.detail).toMatchObject({ failing: [], components: { redis: { state: 'degraded' } } });
  });

  it('treats what is not configured as off, not as a fault', async () => {
    const report = await check({ troposphereDb: null, connections: () => ({}) });
    expect(report.ok).toBe(true);
    expect(report.detail).toMatchObject({ components: { troposphereDb: { state: 'off' }, redis: { state: 'off' } } });
  });
});
