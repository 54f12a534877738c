import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHealthServer, type HealthServer } from '../../../src/bot/http-server.js';
import { createMemoryLogger } from '../../../src/logger.js';

describe('startHealthServer', () => {
  let server: HealthServer;
  let state: 'up' | 'down' | 'throws' = 'up';
  let draining = false;
  const { log, lines } = createMemoryLogger('warn');

  beforeAll(async () => {
    server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      log,
      isDraining: () => draining,
      healthCheck: async () => {
        if (state === 'throws') throw new Error('database password=hunter2 rejected');
        return { ok: state === 'up', detail: { database: state } };
      },
    });
  });

  afterAll(() => server.close());

  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

  it('answers GET /healthz with 200 and the detail when healthy', async () => {
    state = 'up';
    const response = await fetch(url('/healthz?probe=k8s'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ ok: true, database: 'up' });
  });

  it('answers 503 when unhealthy', async () => {
    state = 'down';
    const response = await fetch(url('/healthz'));
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ok: false, database: 'down' });
  });

  it('answers 503 without the error text when the check throws, and logs it', async () => {
    state = 'throws';
    const response = await fetch(url('/healthz'));
    expect(response.status).toBe(503);
    const body = JSON.stringify(await response.json());
    expect(body).not.toContain('hunter2');
    expect(lines.some((line) => line['msg'] === 'health check failed')).toBe(true);
  });

  it('answers 404 for anything else', async () => {
    expect((await fetch(url('/'))).status).toBe(404);
    expect((await fetch(url('/healthz'), { method: 'POST' })).status).toBe(404);
    expect((await fetch(url('/slack/events'), { method: 'POST' })).status).toBe(404);
  });

  it('answers 503 "draining" to everything once a shutdown began, without running the check', async () => {
    state = 'throws';
    draining = true;
    try {
      const response = await fetch(url('/healthz'));
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ ok: false, draining: true, error: 'shutting down' });
      expect(lines.filter((line) => line['msg'] === 'health check failed')).toHaveLength(1);
    } finally {
      draining = false;
      state = 'up';
    }
    expect((await fetch(url('/healthz'))).status).toBe(200);
  });
});
