import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Argo Server on 127.0.0.1, the WorkflowService routes of its REST API (argo-workflows
 * api/openapi-spec/swagger.json): list with `listOptions.labelSelector` (`{"metadata": {...},
 * "items": [...]}`, `items` null when nothing matches), get one (404 `{"code": 5, "message":
 * "workflows.argoproj.io \"x\" not found"}`), pod logs as newline-separated `{"result": {"content",
 * "podName"}}` objects honouring `podName`, `logOptions.container` and `logOptions.tailLines`, and
 * `PUT …/resubmit` with `{name, namespace, memoized}` answering the new workflow. Every route needs
 * `Authorization: Bearer <token>` (else 401, gRPC code 16, as argo-server's auth interceptor answers).
 * Each pod has a `main` container (the playbook) and a `wait` container (Argo's sidecar).
 */
export interface FakeArgoNode {
  id: string;
  name: string;
  displayName: string;
  type: string;
  phase: string;
  message?: string;
  templateName?: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface FakeArgoWorkflow {
  name: string;
  labels: Record<string, string>;
  phase: string;
  message?: string;
  createdAt: string;
  nodes: FakeArgoNode[];
  /** Lines of the `main` container per pod name. */
  logs: Record<string, string[]>;
  annotations?: Record<string, string>;
  /** Set on a workflow made by resubmit: the one it came from. */
  resubmittedFrom?: string;
}

export interface FakeArgo {
  url: string;
  token: string;
  namespace: string;
  workflows: Map<string, FakeArgoWorkflow>;
  calls: { method: string; path: string; query: Record<string, string>; authorization: string | undefined; body: unknown; status: number }[];
  failNext(status: number): void;
  delayNext(ms: number): void;
  /** The next request answers 200 with a body that is not JSON (a proxy's error page). */
  malformNext(): void;
  close(): Promise<void>;
}

function matches(labels: Record<string, string>, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    return key !== undefined && labels[key.trim()] === value?.trim();
  });
}

export async function startFakeArgo(options: { namespace?: string; workflows?: FakeArgoWorkflow[] } = {}): Promise<FakeArgo> {
  const token = `eyJhbGciOi.${randomBytes(12).toString('hex')}`;
  const namespace = options.namespace ?? 'argo';
  const workflows = new Map((options.workflows ?? []).map((workflow) => [workflow.name, workflow]));
  const calls: FakeArgo['calls'] = [];
  const failures: number[] = [];
  const delays: number[] = [];
  let malformed = 0;

  const body = (workflow: FakeArgoWorkflow) => ({
    metadata: { name: workflow.name, namespace, uid: randomBytes(8).toString('hex'), creationTimestamp: workflow.createdAt, labels: workflow.labels, annotations: workflow.annotations ?? {} },
    spec: { entrypoint: 'deploy', arguments: { parameters: [] } },
    status: { phase: workflow.phase, startedAt: workflow.createdAt, ...(workflow.message ? { message: workflow.message } : {}), nodes: Object.fromEntries(workflow.nodes.map((node) => [node.id, node])) },
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const call = { method: request.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), authorization: request.headers.authorization, body: raw ? (JSON.parse(raw) as unknown) : undefined, status: 0 };
    calls.push(call);
    const json = (status: number, payload: unknown) => {
      call.status = status;
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(payload));
    };
    const delay = delays.shift();
    if (delay) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (response.destroyed) return;
    }
    if (request.headers.authorization !== `Bearer ${token}`) return json(401, { code: 16, message: 'token not valid. see https://argo-workflows.readthedocs.io/en/latest/faq/' });
    const failure = failures.shift();
    if (failure !== undefined) return json(failure, { code: 13, message: 'Injected failure' });
    if (malformed > 0) {
      malformed -= 1;
      call.status = 200;
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<html><body>Argo</body></html>');
      return;
    }
    const match = /^\/api\/v1\/workflows\/([^/]+)(?:\/([^/]+))?(?:\/(log|resubmit))?$/.exec(url.pathname);
    if (!match) return json(404, { code: 5, message: 'Not Found' });
    const [, ns, name, verb] = match;
    if (ns !== namespace) return json(403, { code: 7, message: `workflows.argoproj.io is forbidden in namespace "${ns}"` });
    if (!name) {
      if (call.method !== 'GET') return json(405, { code: 12, message: 'Method Not Allowed' });
      const items = [...workflows.values()].filter((workflow) => matches(workflow.labels, url.searchParams.get('listOptions.labelSelector'))).map(body);
      return json(200, { metadata: { resourceVersion: '4711' }, items: items.length > 0 ? items : null });
    }
    const workflow = workflows.get(decodeURIComponent(name));
    if (!workflow) return json(404, { code: 5, message: `workflows.argoproj.io "${name}" not found` });
    if (!verb) return call.method === 'GET' ? json(200, body(workflow)) : json(405, { code: 12, message: 'Method Not Allowed' });
    if (verb === 'log') {
      const pod = url.searchParams.get('podName');
      const container = url.searchParams.get('logOptions.container') ?? 'main';
      const lines = pod ? workflow.logs[pod] : undefined;
      if (!pod || !lines) return json(404, { code: 5, message: `pods "${pod ?? ''}" not found` });
      const own = container === 'main' ? lines : ['time="2026-11-30T14:05:00Z" level=info msg="Starting Workflow Executor"'];
      const tail = url.searchParams.get('logOptions.tailLines');
      const shown = tail ? own.slice(-Number(tail)) : own;
      call.status = 200;
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(shown.map((content) => `${JSON.stringify({ result: { content, podName: pod } })}\n`).join(''));
      return;
    }
    if (call.method !== 'PUT') return json(405, { code: 12, message: 'Method Not Allowed' });
    const asked = call.body as { name?: unknown; namespace?: unknown } | undefined;
    if (asked?.name !== workflow.name || asked.namespace !== namespace) return json(400, { code: 3, message: 'name and namespace in the body must match the path' });
    const created: FakeArgoWorkflow = { ...workflow, name: `${workflow.name.replace(/-[a-z0-9]{5}$/, '')}-${randomBytes(3).toString('hex').slice(0, 5)}`, phase: 'Pending', nodes: [], logs: {}, createdAt: new Date().toISOString(), resubmittedFrom: workflow.name };
    workflows.set(created.name, created);
    return json(200, body(created));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    namespace,
    workflows,
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
