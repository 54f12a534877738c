import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';

export type HealthCheck = () => Promise<{ ok: boolean; detail: Record<string, unknown> }>;

const NO_STORE = { 'content-type': 'application/json', 'cache-control': 'no-store' } as const;

/**
 * Answers a readiness probe: 200 with `{ ok: true, ... }` when ready, 503 otherwise. A check that
 * throws counts as not ready; its message is logged, not shown, since probes are often public.
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
  res.writeHead(ok ? 200 : 503, NO_STORE);
  res.end(JSON.stringify(body));
}

/**
 * Answers a liveness probe: the process got the request and its event loop answered it, which is all
 * liveness asks. Nothing it depends on is consulted, so a database outage never makes Kubernetes
 * restart a bot that would only come back to the same outage; /readyz reports those instead.
 */
export function writeLiveness(res: ServerResponse, draining: boolean): void {
  res.writeHead(200, NO_STORE);
  res.end(JSON.stringify({ ok: true, live: true, ...(draining ? { draining: true } : {}) }));
}

/**
 * While the bot shuts down every request but the liveness probe is answered 503 without doing
 * anything: a load balancer takes the replica out of rotation on the failing /readyz, and Slack,
 * given no acknowledgement, retries an event elsewhere instead of having it accepted by a process
 * about to exit.
 */
export function writeDraining(res: ServerResponse): void {
  res.writeHead(503, { ...NO_STORE, connection: 'close' });
  res.end(JSON.stringify({ ok: false, draining: true, error: 'shutting down' }));
}

export function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://localhost').pathname;
}

/** One route of the bot's HTTP listener beside Slack's `/slack/events`. */
export interface HttpRoute {
  method: 'GET' | 'POST';
  path: string;
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
  /** Served during a shutdown too (the liveness probe); every other route answers `writeDraining`. */
  whileDraining?: boolean;
}

/**
 * The routes the bot serves on `PORT` besides Slack's: probes, metrics, Discord's interactions
 * endpoint. The Slack receiver and the plain server both ask it first; adapters add their routes
 * while they are built, before anything listens.
 */
export interface HttpRouter {
  add(route: HttpRoute): void;
  /** True when the request was one of the routes (and is being answered). */
  dispatch(req: IncomingMessage, res: ServerResponse): boolean;
}

export function createHttpRouter(options: { log: Logger; isDraining?: () => boolean }): HttpRouter {
  const routes = new Map<string, HttpRoute>();
  const keyOf = (method: string, path: string) => `${method} ${path}`;
  return {
    add(route) {
      const key = keyOf(route.method, route.path);
      if (routes.has(key)) throw new Error(`two HTTP routes for ${key}`);
      routes.set(key, route);
    },
    dispatch(req, res) {
      const path = pathOf(req);
      // HEAD is answered like GET (Node drops the body), as probes sometimes use it.
      const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
      const route = routes.get(keyOf(method, path));
      if (!route) return false;
      if (options.isDraining?.() && !route.whileDraining) {
        writeDraining(res);
        return true;
      }
      Promise.resolve()
        .then(() => route.handle(req, res))
        .catch((error: unknown) => {
          options.log.error({ err: error, path }, 'HTTP route failed');
          if (!res.headersSent) res.writeHead(500, NO_STORE).end(JSON.stringify({ ok: false, error: 'internal error' }));
        });
      return true;
    },
  };
}

/** `GET /healthz` (liveness) and `GET /readyz` (readiness, per component). */
export function healthRoutes(options: { healthCheck: HealthCheck; log: Logger; isDraining?: () => boolean }): HttpRoute[] {
  return [
    { method: 'GET', path: '/healthz', whileDraining: true, handle: (_req, res) => writeLiveness(res, options.isDraining?.() ?? false) },
    { method: 'GET', path: '/readyz', handle: (_req, res) => writeHealth(res, options.healthCheck, options.log) },
  ];
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The plain listener for when Slack does not serve HTTP itself (console only, Discord only, Socket
 * Mode): the router's routes, and a 404 for everything else (503 while draining).
 */
export async function startHealthServer(options: {
  port: number;
  host: string;
  router: HttpRouter;
  log: Logger;
  /** True once a shutdown began: every request but the liveness probe then gets `writeDraining`. */
  isDraining?: () => boolean;
}): Promise<HealthServer> {
  const { router, log } = options;
  const server = createServer((req, res) => {
    if (router.dispatch(req, res)) return;
    if (options.isDraining?.()) {
      writeDraining(res);
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
  log.info({ port, host: options.host }, 'HTTP endpoint listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
