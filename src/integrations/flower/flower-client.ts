import { IntegrationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { createRedactor } from '../../model/redactor.js';
import { createInFlight } from '../kv/in-flight.js';

/**
 * One Celery task as Flower's `GET /api/tasks` lists it (flower/api/tasks.py `ListTasks`: an object
 * keyed by task id, each value the task's `as_dict()` with `worker` replaced by the worker's hostname;
 * `args` and `kwargs` are the reprs Celery sent, times are Unix seconds). Times are kept as ISO text
 * so the answer survives the evidence cache as it is.
 */
export interface FlowerTask {
  uuid: string;
  name: string | null;
  /** `PENDING`, `RECEIVED`, `STARTED`, `SUCCESS`, `FAILURE`, `RETRY`, `REVOKED`. */
  state: string;
  worker: string | null;
  args: string | null;
  kwargs: string | null;
  exception: string | null;
  traceback: string | null;
  received: string | null;
  started: string | null;
}

/** One queue's length from `GET /api/queues/length` (`{"active_queues": [{"name", "messages"}]}`). */
export interface FlowerQueue {
  name: string;
  messages: number;
}

export interface FlowerClient {
  /** The tasks whose args, kwargs or result contain `term` (Flower's search box), newest received first. */
  searchTasks(term: string, limit: number): Promise<FlowerTask[]>;
  /** The broker's active queues and how many messages each holds. */
  queueLengths(): Promise<FlowerQueue[]>;
}

export interface FlowerOptions {
  /** Flower's base URL including its `--url_prefix`, e.g. `https://atmo.example.org/flower`. */
  baseUrl: string;
  user: string;
  password: string;
  timeoutMs: number;
  log: Logger;
  fetch?: typeof fetch;
}

/** Flower's HTTP API with the `--basic_auth` user and password the guide's `ps aux | grep flower` shows. */
export function createFlowerClient(options: FlowerOptions): FlowerClient {
  const send = options.fetch ?? globalThis.fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`;
  const redact = createRedactor([options.password, authorization]);
  const log = options.log;

  // Every call is a GET: the same one under way at once (two views of one instance) is one request.
  const inFlight = createInFlight();
  function get(path: string, label: string): Promise<unknown> {
    return inFlight.share(path, () => request(path, label));
  }

  async function request(path: string, label: string): Promise<unknown> {
    let response: Response;
    try {
      response = await send(`${base}${path}`, { headers: { Authorization: authorization, Accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const detail = timedOut ? `waited ${options.timeoutMs} ms` : redact(reasonOf(error));
      // Not logged here: whoever ends the failure (the dispatcher, a job, a handler that works around it) logs it once.
      throw new IntegrationError('flower', `could not reach Flower for ${label}: ${detail}`, { operation: label, code: timedOut ? 'timeout' : 'unreachable', detail, cause: error });
    }
    const text = await response.text().catch(() => '');
    log.info({ label, status: response.status }, 'flower call');
    if (response.status === 401 || response.status === 403) {
      throw new IntegrationError('flower', `Flower refused the credentials for ${label} (HTTP ${response.status})`, { operation: label, status: response.status, detail: `HTTP ${response.status}` });
    }
    if (response.status !== 200) {
      const said = text.trimStart().startsWith('<') ? '' : `: ${redact(text.replace(/\s+/g, ' ').slice(0, 200))}`;
      throw new IntegrationError('flower', `Flower answered ${label} with HTTP ${response.status}${said}`, { operation: label, status: response.status, detail: `HTTP ${response.status}` });
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new IntegrationError('flower', `Flower answered ${label} with a body that is not JSON (is FLOWER_URL Flower's address, with its url prefix?)`, { status: 200, detail: 'not JSON', cause: error });
    }
  }

  return {
    async searchTasks(term, limit) {
      const label = 'GET /api/tasks';
      const body = await get(`/api/tasks?${new URLSearchParams({ search: term, limit: String(limit) })}`, label);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw malformed(label);
      const tasks = Object.entries(body as Record<string, unknown>).map(([id, value]) => toTask(id, value));
      if (tasks.some((task) => task === null)) throw malformed(label);
      return (tasks as FlowerTask[]).sort((a, b) => (b.received ?? '').localeCompare(a.received ?? ''));
    },
    async queueLengths() {
      const label = 'GET /api/queues/length';
      const body = (await get('/api/queues/length', label)) as { active_queues?: unknown } | null;
      const queues = Array.isArray(body?.active_queues) ? body.active_queues : null;
      if (!queues) throw malformed(label);
      return queues.map((queue: unknown) => {
        const { name, messages } = (queue ?? {}) as { name?: unknown; messages?: unknown };
        if (typeof name !== 'string' || typeof messages !== 'number') throw malformed(label);
        return { name, messages };
      });
    },
  };
}

function malformed(label: string): IntegrationError {
  return new IntegrationError('flower', `Flower answered ${label} with a body that is not what its API returns`, { status: 200, detail: 'unexpected body' });
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const time = (value: unknown): string | null => (typeof value === 'number' && Number.isFinite(value) ? new Date(value * 1000).toISOString() : null);

function toTask(id: string, value: unknown): FlowerTask | null {
  if (typeof value !== 'object' || value === null) return null;
  const task = value as Record<string, unknown>;
  const state = text(task.state);
  if (!state) return null;
  return {
    uuid: text(task.uuid) ?? id,
    name: text(task.name),
    state,
    worker: text(task.worker),
    args: text(task.args),
    kwargs: text(task.kwargs),
    exception: text(task.exception),
    traceback: text(task.traceback),
    received: time(task.received),
    started: time(task.started),
  };
}

/** Node's fetch hides the reason (ECONNREFUSED, ENOTFOUND, ...) in `cause`. */
function reasonOf(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (typeof cause === 'object' && cause !== null && typeof (cause as { code?: unknown }).code === 'string') return (cause as { code: string }).code;
  return error instanceof Error ? error.message : String(error);
}
