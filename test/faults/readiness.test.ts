import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { startFakeAtmosphereApi, type FakeAtmosphereApi } from '../fakes/atmosphere-api.js';
import { productionEnv, startE2eBot, waitFor, type E2eBot } from '../e2e/e2e-support.js';

interface Readiness {
  ok: boolean;
  failing: string[];
  components: Record<string, { state: string; detail?: string }>;
}

/**
 * Kubernetes' default probe timeout is one second (timeoutSeconds: 1): an answer later than that is a
 * failed probe, whatever it says. So this is the probe's own deadline, not a speed measurement.
 */
const PROBE_TIMEOUT_MS = 1_000;

describe.skipIf(!process.env.TEST_DATABASE_URL)('liveness and readiness of the real bot with its Postgres hung (TCP proxy in front)', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let atmosphere: FakeAtmosphereApi;
  let running: E2eBot;
  const probe = (path: string) => fetch(`http://127.0.0.1:${running.bot.port}${path}`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });

  beforeAll(async () => {
    database = await createTestDatabase('postgres', { troposphere: true, demo: true });
    const target = new URL(database.url!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    atmosphere = await startFakeAtmosphereApi();
    // Only Atmosphere's database goes through the proxy; statements time out soon after the heal.
    const env = productionEnv(database, atmosphere, { DATABASE_URL: proxy.rewrite(database.url!), DATABASE_STATEMENT_TIMEOUT_MS: '2000', LOG_LEVEL: 'warn' });
    running = await startE2eBot(env);
  });

  afterAll(async () => {
    proxy?.heal();
    await running?.bot.stop();
    await proxy?.close();
    await atmosphere?.close();
    await database?.drop();
  });

  it('is live and ready while every component answers', async () => {
    const ready = await probe('/readyz');
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as Readiness;
    expect(body).toMatchObject({ ok: true, failing: [] });
    expect(body.components).toMatchObject({ atmosphereDb: { state: 'up' }, troposphereDb: { state: 'up' }, atmosphereApi: { state: 'up', detail: 'rest' } });
    expect((await probe('/healthz')).status).toBe(200);
  });

  it('answers /readyz 503 within the probe timeout while the database hangs, and /healthz stays 200', async () => {
    proxy.hang();
    try {
      const ready = await probe('/readyz');
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as Readiness;
      expect(body.ok).toBe(false);
      expect(body.failing).toEqual(['atmosphereDb']);
      expect(body.components['atmosphereDb']).toEqual({ state: 'down', detail: 'no answer within 800 ms' });
      expect(body.components['troposphereDb']).toEqual({ state: 'up' });

      const live = await probe('/healthz');
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ ok: true, live: true });
      // A second readiness probe while the first ping still hangs answers as quickly.
      expect((await probe('/readyz')).status).toBe(503);
    } finally {
      proxy.heal();
    }
    await waitFor('the bot to be ready again', async () => (await probe('/readyz')).status === 200);
  });
});
