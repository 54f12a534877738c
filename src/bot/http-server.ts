import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';

export type HealthCheck = () => Promise<{ ok: boolean; detail: Record<string, unknown> }>;

/**
 * Answers a health probe: 200 with `{ ok: true, ... }` when healthy, 503 otherwise. A check that throws
 * counts as unhealthy; its message is logged, not shown, since probes are often public.
 */
export async function writeHealth(res: ServerResponse, healthCheck: HealthCheck, log: Logger): Promise<void> {
  let body: Record<string, unknown>;
  let ok: boolean;
  try {
    const result = await healthCheck();
    ok = result.ok;
    body = { ...result.detail, ok };
  } catch (error) {
    log.error({ err: error }, 'health check failed');
    ok = false;
    body = { ok, error: 'health check failed' };
  }
  res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * While the bot shuts down every request is answered 503 without doing anything: a load balancer
 * takes the replica out of rotation on the failing /healthz, and Slack, given no acknowledgement,
 * retries an event elsewhere instead of having it accepted by a process about to exit.
 */
export function writeDraining(res: ServerResponse): void {
  res.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store', connection: 'close' });
  res.end(JSON.stringify({ ok: false, draining: true, error: 'shutting down' }));
}

/** Liveness and readiness report the same components; both are 503 while the bot cannot do its main job. */
const HEALTH_PATHS = new Set(['/healthz', '/readyz']);

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://localhost').pathname;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The plain `GET /healthz` and `GET /readyz` server for when Slack does not serve HTTP itself (console only, Discord only,
 * Socket Mode). Everything else is a 404.
 */
export async function startHealthServer(options: {
  port: number;
  host: string;
  healthCheck: HealthCheck;
  log: Logger;
  /** True once a shutdown began: every request then gets `writeDraining`. */
  isDraining?: () => boolean;
}): Promise<HealthServer> {
  const { healthCheck, log } = options;
  const server = createServer((req, res) => {
    if (options.isDraining?.()) {
      writeDraining(res);
      return;
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && HEALTH_PATHS.has(pathOf(req))) {
      void writeHealth(res, healthCheck, log);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: false, error: 'not found' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : options.port;
  log.info({ port, host: options.host }, 'health endpoint listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
