import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A load balancer on 127.0.0.1 that hands each HTTP request to the next target in turn (round
 * robin per request, not per connection, as an HTTP-aware balancer or ingress does), passing the
 * method, path, headers and raw body through untouched so signatures still verify. It records which
 * target took each request.
 */
export interface RoundRobinProxy {
  url: string;
  /** Every request forwarded: the target's index and the request body as text. */
  forwarded: { target: number; path: string; body: string; status: number }[];
  close(): Promise<void>;
}

export async function startRoundRobinProxy(targets: readonly string[]): Promise<RoundRobinProxy> {
  if (targets.length === 0) throw new Error('a proxy needs at least one target');
  const forwarded: RoundRobinProxy['forwarded'] = [];
  let next = 0;

  async function readAll(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  const server = createServer((req, res) => {
    const target = next;
    next = (next + 1) % targets.length;
    void readAll(req).then((body) => {
      const upstream = new URL(req.url ?? '/', targets[target]);
      const outgoing = httpRequest(upstream, { method: req.method, headers: { ...req.headers, host: upstream.host } }, (answer) => {
        forwarded.push({ target, path: upstream.pathname, body: body.toString('utf8'), status: answer.statusCode ?? 0 });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      outgoing.on('error', () => {
        if (!res.headersSent) res.writeHead(502).end();
      });
      outgoing.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
