import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpRouter, healthRoutes, startHealthServer, type HealthServer } from '../../../src/bot/http-server.js';
import { createMemoryLogger } from '../../../src/logger.js';

describe('startHealthServer with the health routes', () => {
  let server: HealthServer;
  let state: 'up' | 'down' | 'throws' = 'up';
  let draining = false;
  let checks = 0;
  const { log, lines } = createMemoryLogger('warn');

  beforeAll(async () => {
    const isDraining = () => draining;
    const router = createHttpRouter({ log, isDraining });
    const healthCheck = async () => {
      checks += 1;
      if (state === 'throws') throw new Error('database password=hunter2 rejected');
      return { ok: state === 'up', detail: { database: state } };
    };
    for (const route of healthRoutes({ healthCheck, log, isDraining })) router.add(route);
    router.add({ method: 'POST', path: '/boom', handle: () => Promise.reject(new Error('route broke')) });
    server = await startHealthServer({ port: 0, host: '127.0.0.1', router, log, isDraining });
  });

  afterAll(() => server.close());

  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

  it('answers GET /readyz with 200 and the detail when ready', async () => {
    state = 'up';
    const response = await fetch(url('/readyz?probe=k8s'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ ok: true, database: 'up' });
  });

  it('answers /readyz 503 when not ready, while /healthz (liveness) stays 200 without running the check', async () => {
    state = 'down';
    const response = await fetch(url('/readyz'));
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ok: false, database: 'down' });
    const before = checks;
    const live = await fetch(url('/healthz'));
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ ok: true, live: true });
    expect(checks).toBe(before);
  });

  it('answers HEAD like GET', async () => {
    state = 'up';
    expect((await fetch(url('/readyz'), { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(url('/healthz'), { method: 'HEAD' })).status).toBe(200);
  });

  it('answers /readyz 503 without the error text when the check throws, and logs it', async () => {
    state = 'throws';
    const response = await fetch(url('/readyz'));
    expect(response.status).toBe(503);
    const body = JSON.stringify(await response.json());
    expect(body).not.toContain('hunter2');
    expect(lines.some((line) => line['msg'] === 'health check failed')).toBe(true);
  });

  it('answers 500 when a route fails, and 404 for anything not routed', async () => {
    expect((await fetch(url('/boom'), { method: 'POST' })).status).toBe(500);
    expect(lines.some((line) => line['msg'] === 'HTTP route failed')).toBe(true);
    expect((await fetch(url('/'))).status).toBe(404);
    expect((await fetch(url('/healthz'), { method: 'POST' })).status).toBe(404);
    expect((await fetch(url('/slack/events'), { method: 'POST' })).status).toBe(404);
  });

  it('once a shutdown began: 503 "draining" on /readyz and everything else without running the check, /healthz still 200', async () => {
    state = 'throws';
    draining = true;
    try {
      const failures = lines.filter((line) => line['msg'] === 'health check failed').length;
      const response = await fetch(url('/readyz'));
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ ok: false, draining: true, error: 'shutting down' });
      expect(lines.filter((line) => line['msg'] === 'health check failed')).toHaveLength(failures);
      expect((await fetch(url('/anything'))).status).toBe(503);
      const live = await fetch(url('/healthz'));
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ ok: true, live: true, draining: true });
    } finally {
      draining = false;
      state = 'up';
    }
    expect((await fetch(url('/readyz'))).status).toBe(200);
  });
});
