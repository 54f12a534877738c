import { IntegrationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { createRedactor } from '../../model/redactor.js';
import { createInFlight } from '../kv/in-flight.js';
import { toWorkflow, type ArgoWorkflow } from './argo-workflow.js';

export interface ArgoClient {
  readonly namespace: string;
  /** The workflows whose labels match `selector` (`instance_uuid=<uuid>`), newest first. */
  listWorkflows(selector: string): Promise<ArgoWorkflow[]>;
  /** The workflow, or null when Argo answers 404. */
  getWorkflow(name: string): Promise<ArgoWorkflow | null>;
  /** The last `lines` lines of one pod's `main` container (the playbook's output). */
  mainLogTail(workflow: string, podName: string, lines: number): Promise<string[]>;
  /** `argo resubmit`: a new workflow with the same definition and parameters; returns its name. */
  resubmit(name: string): Promise<string>;
}

export interface ArgoOptions {
  /** Argo Server's base URL, e.g. `https://argo.example.org:2746`. */
  baseUrl: string;
  /** A service-account token (`argo auth token` prints it as `Bearer …`). */
  token: string;
  namespace: string;
  timeoutMs: number;
  log: Logger;
  fetch?: typeof fetch;
}

/**
 * Argo Server's REST API (argo-workflows `api/openapi-spec/swagger.json`, WorkflowService): list
 * `GET /api/v1/workflows/{namespace}?listOptions.labelSelector=…`, get `GET …/{name}`, pod logs
 * `GET …/{name}/log?podName=…&logOptions.container=main&logOptions.tailLines=N` (a stream of
 * newline-separated `{"result": {"content", "podName"}}` objects), and `PUT …/{name}/resubmit`.
 */
export function createArgoClient(options: ArgoOptions): ArgoClient {
  const send = options.fetch ?? globalThis.fetch;
  const token = options.token.replace(/^Bearer\s+/i, '');
  const redact = createRedactor([token]);
  const root = `${options.baseUrl.replace(/\/+$/, '')}/api/v1/workflows/${encodeURIComponent(options.namespace)}`;

  // The same GET under way at once (two views of one instance) is one request; a PUT is never shared.
  const inFlight = createInFlight();
  function call(method: 'GET' | 'PUT', path: string, label: string, body?: unknown): Promise<{ status: number; text: string }> {
    return method === 'GET' ? inFlight.share(path, () => request(method, path, label)) : request(method, path, label, body);
  }

  async function request(method: 'GET' | 'PUT', path: string, label: string, body?: unknown): Promise<{ status: number; text: string }> {
    let response: Response;
    try {
      response = await send(`${root}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const cause = error instanceof Error ? (error.cause as { code?: string } | undefined)?.code : undefined;
      const detail = timedOut ? `waited ${options.timeoutMs} ms` : redact(cause ?? (error instanceof Error ? error.message : String(error)));
      // Not logged here: whoever ends the failure (the dispatcher, a job, a handler that works around it) logs it once.
      throw new IntegrationError('argo', `could not reach Argo Server for ${label}: ${detail}`, { operation: label, code: timedOut ? 'timeout' : 'unreachable', detail, cause: error });
    }
    const text = await response.text().catch(() => '');
    options.log.info({ label, status: response.status }, 'argo call');
    if (response.status === 401 || response.status === 403) {
      throw new IntegrationError('argo', `Argo Server refused the token for ${label} (HTTP ${response.status})`, {
        operation: label,
        status: response.status,
        detail: `HTTP ${response.status}`,
        hint: `check ARGO_TOKEN and its role in namespace ${options.namespace}`,
      });
    }
    return { status: response.status, text };
  }

  function refused(label: string, answer: { status: number; text: string }): IntegrationError {
    const message = parse(answer.text) as { message?: unknown } | undefined;
    const said = typeof message?.message === 'string' ? `: ${redact(message.message).slice(0, 200)}` : '';
    return new IntegrationError('argo', `Argo Server answered ${label} with HTTP ${answer.status}${said}`, { operation: label, status: answer.status, detail: `HTTP ${answer.status}${said}` });
  }

  function malformed(label: string): IntegrationError {
    return new IntegrationError('argo', `Argo Server answered ${label} with a body that is not what its API returns`, { operation: label, status: 200, code: 'malformed', detail: 'unexpected body' });
  }

  return {
    namespace: options.namespace,
    async listWorkflows(selector) {
      const label = `GET /api/v1/workflows/${options.namespace}`;
      const answer = await call('GET', `?${new URLSearchParams({ 'listOptions.labelSelector': selector })}`, label);
      if (answer.status !== 200) throw refused(label, answer);
      const body = parse(answer.text) as { items?: unknown } | undefined;
      // Argo answers `"items": null` when nothing matches.
      if (!body || typeof body !== 'object' || (body.items !== null && body.items !== undefined && !Array.isArray(body.items))) throw malformed(label);
      const workflows = ((body.items as unknown[] | null | undefined) ?? []).map(toWorkflow);
      if (workflows.some((workflow) => workflow === null)) throw malformed(label);
      return (workflows as ArgoWorkflow[]).sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
    },
    async getWorkflow(name) {
      const label = `GET /api/v1/workflows/${options.namespace}/${name}`;
      const answer = await call('GET', `/${encodeURIComponent(name)}`, label);
      if (answer.status === 404) return null;
      if (answer.status !== 200) throw refused(label, answer);
      const workflow = toWorkflow(parse(answer.text));
      if (!workflow) throw malformed(label);
      return workflow;
    },
    async mainLogTail(workflow, podName, lines) {
      const label = `GET /api/v1/workflows/${options.namespace}/${workflow}/log`;
      const query = new URLSearchParams({ podName, 'logOptions.container': 'main', 'logOptions.tailLines': String(lines) });
      const answer = await call('GET', `/${encodeURIComponent(workflow)}/log?${query}`, label);
      if (answer.status !== 200) throw refused(label, answer);
      const entries = answer.text.split('\n').filter((line) => line.trim() !== '').map(parse) as ({ result?: { content?: unknown } } | undefined)[];
      if (entries.some((entry) => typeof entry?.result?.content !== 'string')) throw malformed(label);
      return entries.map((entry) => redact(String(entry!.result!.content))).slice(-lines);
    },
    async resubmit(name) {
      const label = `PUT /api/v1/workflows/${options.namespace}/${name}/resubmit`;
      const answer = await call('PUT', `/${encodeURIComponent(name)}/resubmit`, label, { name, namespace: options.namespace, memoized: false });
      if (answer.status !== 200) throw refused(label, answer);
      const created = toWorkflow(parse(answer.text));
      if (!created) throw malformed(label);
      return created.name;
    },
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
