import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server (the shared Postgres, a throwaway Redis), for
 * fault tests: `cut()` resets every open connection as a failover or `pg_terminate_backend` would,
 * `hang()` keeps connections open but stops passing bytes (a hung server or a dead network path),
 * `refuse()` makes new connections fail at once. The real server is never touched.
 */
export interface TcpProxy {
  port: number;
  /** `postgres://…@127.0.0.1:<proxy port>/…` for a URL that pointed at the target. */
  rewrite(url: string): string;
  cut(): void;
  hang(): void;
  refuse(): void;
  /** Back to passing bytes and accepting connections (connections cut earlier stay closed). */
  heal(): void;
  /** Connections open through the proxy now. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  type Mode = 'pass' | 'hang' | 'refuse';
  let mode: Mode = 'pass';
  const pairs = new Set<{ client: Socket; upstream: Socket; held: { from: Socket; to: Socket; chunk: Buffer }[] }>();

  const server = createServer((client) => {
    if (mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair = { client, upstream, held: [] as { from: Socket; to: Socket; chunk: Buffer }[] };
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (mode === 'hang') pair.held.push({ from, to, chunk });
        else if (!to.destroyed) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const cut = () => {
    for (const pair of pairs) {
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    rewrite(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    cut,
    hang() {
      mode = 'hang';
    },
    refuse() {
      mode = 'refuse';
    },
    heal() {
      mode = 'pass';
      for (const pair of pairs) {
        for (const { to, chunk } of pair.held.splice(0)) if (!to.destroyed) to.write(chunk);
      }
    },
    get connections() {
      return pairs.size;
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
