import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Flower on 127.0.0.1 behind `--url_prefix=flower --basic_auth=user:password`, as the staff guide's
 * `ps aux | grep flower` shows it started. Routes and shapes from flower/api/tasks.py: `GET /api/tasks`
 * (`search`, `limit`, `offset`, `state`, `workername`, `taskname`; an object keyed by task id, `args`
 * and `kwargs` as reprs, times as Unix seconds, `worker` the hostname) and `GET /api/queues/length`
 * (`{"active_queues": [{"name", "messages"}]}`). Search is Flower's plain-term search: the term
 * anywhere in args, kwargs or result (docs/tasks_filter.rst). A wrong or missing basic auth is 401 with
 * `WWW-Authenticate: Basic realm="flower"`, as Tornado's basic-auth handler answers.
 */
export interface FakeFlowerTask {
  uuid: string;
  name: string;
  state: string;
  worker: string;
  args: string;
  kwargs?: string;
  result?: string | null;
  exception?: string | null;
  traceback?: string | null;
  /** Unix seconds. */
  received: number;
  started?: number | null;
}

export interface FakeFlower {
  /** What FLOWER_URL holds: the base with the url prefix. */
  url: string;
  user: string;
  password: string;
  tasks: FakeFlowerTask[];
  queues: { name: string; messages: number }[];
  calls: { path: string; query: Record<string, string>; authorization: string | undefined; status: number }[];
  /** The next request answers `status` (0: closes the connection without an answer). */
  failNext(status: number): void;
  delayNext(ms: number): void;
  malformNext(): void;
  close(): Promise<void>;
}

export async function startFakeFlower(options: { tasks?: FakeFlowerTask[]; queues?: { name: string; messages: number }[] } = {}): Promise<FakeFlower> {
  const user = 'flower-staff';
  const password = 'flower-pass-7d1e9b';
  const fake = { tasks: options.tasks ?? [], queues: options.queues ?? [{ name: 'celery', messages: 0 }, { name: 'imaging', messages: 0 }] };
  const calls: FakeFlower['calls'] = [];
  const failures: number[] = [];
  const delays: number[] = [];
  let malformed = 0;
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  async function handle(request: IncomingMessage, response: import('node:http').ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const call = { path: url.pathname, query: Object.fromEntries(url.searchParams), authorization: request.headers.authorization, status: 0 };
    calls.push(call);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      response.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', ...headers });
      response.end(JSON.stringify(body));
    };
    const delay = delays.shift();
    if (delay) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (response.destroyed) return;
    }
    if (request.headers.authorization !== expected) {
      call.status = 401;
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="flower"', 'Content-Type': 'text/html; charset=UTF-8' });
      response.end('<html><title>401: Unauthorized</title><body>401: Unauthorized</body></html>');
      return;
    }
    const failure = failures.shift();
    if (failure !== undefined) {
      if (failure === 0) return void response.destroy();
      return json(failure, { error: 'Injected failure' });
    }
    if (malformed > 0) {
      malformed -= 1;
      call.status = 200;
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<html><body>Flower</body></html>');
      return;
    }
    if (request.method !== 'GET') return json(405, { error: 'Method Not Allowed' });
    if (url.pathname === '/flower/api/queues/length') return json(200, { active_queues: fake.queues });
    if (url.pathname !== '/flower/api/tasks') return json(404, { error: 'Not Found' });
    const search = url.searchParams.get('search');
    const limit = url.searchParams.get('limit');
    if (limit !== null && !/^\d+$/.test(limit)) return json(400, { error: `invalid limit ${limit}` });
    const matching = fake.tasks.filter((task) => !search || [task.args, task.kwargs ?? '{}', task.result ?? ''].some((field) => field.includes(search)));
    // Flower iterates its in-memory state oldest event first and cuts at `limit`.
    const cut = limit === null ? matching : matching.slice(0, Number(limit));
    json(
      200,
      Object.fromEntries(
        cut.map((task) => [
          task.uuid,
          {
            args: task.args,
            client: null,
            clock: 1042,
            eta: null,
            exception: task.exception ?? null,
            exchange: null,
            expires: null,
            failed: task.state === 'FAILURE' ? (task.started ?? task.received) + 30 : null,
            kwargs: task.kwargs ?? '{}',
            name: task.name,
            received: task.received,
            result: task.result ?? null,
            retried: null,
            retries: 0,
            revoked: null,
            routing_key: null,
            runtime: null,
            sent: null,
            started: task.started ?? null,
            state: task.state,
            succeeded: null,
            timestamp: task.received,
            traceback: task.traceback ?? null,
            uuid: task.uuid,
            worker: task.worker,
          },
        ]),
      ),
    );
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/flower`,
    user,
    password,
    get tasks() {
      return fake.tasks;
    },
    set tasks(value) {
      fake.tasks = value;
    },
    get queues() {
      return fake.queues;
    },
    set queues(value) {
      fake.queues = value;
    },
    calls,
    failNext: (status) => void failures.push(status),
    delayNext: (ms) => void delays.push(ms),
    malformNext: () => void (malformed += 1),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
