import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

/**
 * A status.io API v2 on 127.0.0.1 for tests. It checks what the real service needs (auth headers,
 * JSON bodies, "0"/"1" string flags, MM/DD/YYYY and HH:MM dates, the page id, "<component>-<container>"
 * pairs), keeps maintenances and incidents with their messages, and can be told to fail a route
 * either before or after applying a request.
 */

export type FakeRoute =
  | 'component/list'
  | 'maintenance/schedule'
  | 'maintenance/start'
  | 'maintenance/update'
  | 'maintenance/finish'
  | 'maintenance/delete'
  | 'maintenance/list'
  | 'maintenance/one'
  | 'incident/create'
  | 'incident/update'
  | 'incident/resolve'
  | 'incident/list'
  | 'incident/one';

export interface FakeMessage {
  _id: string;
  details: string;
  datetime: string;
  status?: number;
  state?: number;
}

export interface FakeMaintenance {
  _id: string;
  name: string;
  phase: 'upcoming' | 'active' | 'resolved';
  plannedStart: string;
  plannedEnd: string;
  automation: boolean;
  notify: { now: boolean; hr72: boolean; hr24: boolean; hr1: boolean };
  infrastructure: string[] | 'all';
  messages: FakeMessage[];
}

export interface FakeIncident {
  _id: string;
  name: string;
  resolved: boolean;
  openedAt: string;
  status: number;
  state: number;
  infrastructure: string[] | 'all';
  messages: FakeMessage[];
}

export interface FakeComponent {
  _id: string;
  name: string;
  containers: { _id: string; name: string; location: string }[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  route: FakeRoute | null;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface FakeStatusIo {
  /** Base URL ending in `/`, like https://api.status.io/v2/. */
  url: string;
  state: { maintenances: FakeMaintenance[]; incidents: FakeIncident[]; components: FakeComponent[] };
  requests: RecordedRequest[];
  /**
   * The next request (or `times` requests) to `route` is answered with this HTTP status and the error
   * envelope carrying `message`, and NOT applied. A status of 200 gives an envelope-only error.
   */
  failNext(route: FakeRoute, failure: { status: number; message?: string; times?: number }): void;
  /** The next request to `route` is applied, then answered with an error, or never answered. */
  failAfterApplying(route: FakeRoute, failure: { status: number } | { hang: true }): void;
  /** While on, incident and maintenance listings carry no messages; reading one record still does. */
  omitListMessages(on: boolean): void;
  close(): Promise<void>;
}

class Refusal extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
}

const objectId = () => randomBytes(12).toString('hex');
const MESSAGE_STATUS_MAINTENANCE = 200;
const STATUS_CODES = [100, 200, 300, 400, 500, 600];
const STATE_CODES = [100, 200, 300];

export async function startFakeStatusIo(options: { apiId: string; apiKey: string; pageId: string }): Promise<FakeStatusIo> {
  const state: FakeStatusIo['state'] = {
    maintenances: [],
    incidents: [],
    components: [
      { _id: objectId(), name: 'Atmosphere API', containers: [{ _id: objectId(), name: 'CyVerse', location: 'Tucson, AZ' }] },
      {
        _id: objectId(),
        name: 'Web portal',
        containers: [
          { _id: objectId(), name: 'CyVerse', location: 'Tucson, AZ' },
          { _id: objectId(), name: 'Jetstream', location: 'Bloomington, IN' },
        ],
      },
    ],
  };
  const requests: RecordedRequest[] = [];
  const before = new Map<FakeRoute, { status: number; message?: string; times?: number }>();
  const after = new Map<FakeRoute, { status: number } | { hang: true }>();
  const sockets = new Set<Socket>();
  let listsWithoutMessages = false;

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://fake').pathname.replace(/^\/v2\//, '');
    const resolved = resolveRoute(req.method ?? 'GET', path);
    let body: unknown = raw;
    try {
      body = raw ? (JSON.parse(raw) as unknown) : undefined;
    } catch {
      // recorded as the raw text; the POST check below refuses it
    }
    requests.push({ method: req.method ?? 'GET', path, route: resolved?.route ?? null, headers: { ...req.headers }, body });

    const answer = (status: number, error: string | null, result: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: { error: error ? 'yes' : 'no', message: error ?? 'OK' }, result }));
    };
    try {
      if (req.headers['x-api-id'] !== options.apiId || req.headers['x-api-key'] !== options.apiKey) {
        throw new Refusal(401, 'Authentication failed');
      }
      if (!resolved) throw new Refusal(404, `No route ${req.method} ${path}`);
      const injected = before.get(resolved.route);
      if (injected) {
        const left = (injected.times ?? 1) - 1;
        if (left > 0) before.set(resolved.route, { ...injected, times: left });
        else before.delete(resolved.route);
        answer(injected.status, injected.message ?? 'Internal Server Error', null);
        return;
      }
      let input: Record<string, unknown> = {};
      if (req.method === 'POST') {
        if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) throw new Refusal(415, 'Content-Type must be application/json');
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Refusal(400, 'Body must be a JSON object');
        input = body as Record<string, unknown>;
        if (input.statuspage_id !== options.pageId) throw new Refusal(400, 'Invalid statuspage_id');
      } else if (resolved.page !== options.pageId) {
        throw new Refusal(404, 'Status page not found');
      }
      const result = apply(resolved.route, input, resolved.id);
      const failure = after.get(resolved.route);
      if (failure) {
        after.delete(resolved.route);
        if ('hang' in failure) return; // applied, but the answer never comes
        res.writeHead(failure.status, { 'content-type': 'text/html' });
        res.end('<html><body>Bad Gateway</body></html>');
        return;
      }
      answer(200, null, result);
    } catch (error) {
      if (error instanceof Refusal) answer(error.httpStatus, error.message, null);
      else answer(500, 'Internal Server Error', null);
    }
  }

  function apply(route: FakeRoute, input: Record<string, unknown>, id: string | undefined): unknown {
    const now = new Date().toISOString();
    switch (route) {
      case 'component/list':
        return state.components;
      case 'maintenance/list':
        return {
          active_maintenances: state.maintenances.filter((m) => m.phase === 'active').map(listed(renderMaintenance)),
          upcoming_maintenances: state.maintenances.filter((m) => m.phase === 'upcoming').map(listed(renderMaintenance)),
          resolved_maintenances: state.maintenances.filter((m) => m.phase === 'resolved').map(listed(renderMaintenance)),
        };
      case 'maintenance/one':
        return renderMaintenance(findMaintenance(id));
      case 'maintenance/schedule': {
        const name = text(input, 'maintenance_name');
        const details = text(input, 'maintenance_details');
        const start = dateTime(input, 'planned_start');
        const end = dateTime(input, 'planned_end');
        if (end <= start) throw new Refusal(400, 'Planned end must be after planned start');
        const maintenance: FakeMaintenance = {
          _id: objectId(),
          name,
          phase: 'upcoming',
          plannedStart: start,
          plannedEnd: end,
          automation: flag(input, 'automation'),
          notify: {
            now: flag(input, 'maintenance_notify_now'),
            hr72: flag(input, 'maintenance_notify_72_hr'),
            hr24: flag(input, 'maintenance_notify_24_hr'),
            hr1: flag(input, 'maintenance_notify_1_hr'),
          },
          infrastructure: infrastructure(input),
          messages: [{ _id: objectId(), details, datetime: now, status: MESSAGE_STATUS_MAINTENANCE }],
        };
        state.maintenances.push(maintenance);
        return maintenance._id;
      }
      case 'maintenance/start':
      case 'maintenance/update':
      case 'maintenance/finish':
      case 'maintenance/delete': {
        const maintenance = findMaintenance(text(input, 'maintenance_id'));
        const details = route === 'maintenance/delete' ? '' : text(input, 'maintenance_details');
        for (const key of ['notify_email', 'notify_sms', 'notify_webhook', 'social']) flag(input, key);
        if (route === 'maintenance/delete') {
          state.maintenances.splice(state.maintenances.indexOf(maintenance), 1);
          return true;
        }
        if (route === 'maintenance/start' && maintenance.phase !== 'upcoming') throw new Refusal(400, 'Maintenance already started');
        if (route === 'maintenance/finish' && maintenance.phase !== 'active') throw new Refusal(400, 'Maintenance is not in progress');
        if (route === 'maintenance/update' && maintenance.phase === 'resolved') throw new Refusal(400, 'Maintenance is already resolved');
        if (route === 'maintenance/start') maintenance.phase = 'active';
        if (route === 'maintenance/finish') maintenance.phase = 'resolved';
        maintenance.messages.push({ _id: objectId(), details, datetime: now, status: MESSAGE_STATUS_MAINTENANCE });
        return true;
      }
      case 'incident/list':
        return {
          active_incidents: state.incidents.filter((i) => !i.resolved).map(listed(renderIncident)),
          resolved_incidents: state.incidents.filter((i) => i.resolved).map(listed(renderIncident)),
        };
      case 'incident/one':
        return [renderIncident(findIncident(id))];
      case 'incident/create': {
        const incident: FakeIncident = {
          _id: objectId(),
          name: text(input, 'incident_name'),
          resolved: false,
          openedAt: now,
          status: code(input, 'current_status', STATUS_CODES),
          state: code(input, 'current_state', STATE_CODES),
          infrastructure: infrastructure(input),
          messages: [],
        };
        notifyFlags(input);
        incident.messages.push({ _id: objectId(), details: text(input, 'incident_details'), datetime: now, status: incident.status, state: incident.state });
        state.incidents.push(incident);
        return incident._id;
      }
      case 'incident/update':
      case 'incident/resolve': {
        const incident = findIncident(text(input, 'incident_id'));
        const details = text(input, 'incident_details');
        notifyFlags(input);
        if (incident.resolved) throw new Refusal(400, 'Incident is already resolved');
        if (route === 'incident/update') {
          incident.status = code(input, 'current_status', STATUS_CODES);
          incident.state = code(input, 'current_state', STATE_CODES);
        } else {
          incident.resolved = true;
          incident.status = 100;
        }
        incident.messages.push({ _id: objectId(), details, datetime: now, status: incident.status, state: incident.state });
        return true;
      }
    }
  }

  function findMaintenance(id: string | undefined): FakeMaintenance {
    const found = state.maintenances.find((m) => m._id === id);
    if (!found) throw new Refusal(404, 'Maintenance not found');
    return found;
  }

  function findIncident(id: string | undefined): FakeIncident {
    const found = state.incidents.find((i) => i._id === id);
    if (!found) throw new Refusal(404, 'Incident not found');
    return found;
  }

  function infrastructure(input: Record<string, unknown>): string[] | 'all' {
    const list = input.infrastructure_affected;
    const all = input.all_infrastructure_affected;
    if (all !== undefined && all !== '0' && all !== '1') throw new Refusal(400, 'all_infrastructure_affected must be "0" or "1"');
    if (list !== undefined && (!Array.isArray(list) || !list.every((item) => typeof item === 'string'))) {
      throw new Refusal(400, 'infrastructure_affected must be an array of strings');
    }
    const pairs = (list ?? []) as string[];
    const known = new Set(state.components.flatMap((c) => c.containers.map((k) => `${c._id}-${k._id}`)));
    for (const pair of pairs) {
      if (!/^[^-]+-[^-]+$/.test(pair)) throw new Refusal(400, `infrastructure_affected entry "${pair}" is not <component>-<container>`);
      if (!known.has(pair)) throw new Refusal(400, `Unknown infrastructure ${pair}`);
    }
    if (all === '1') {
      if (pairs.length > 0) throw new Refusal(400, 'Give either infrastructure_affected or all_infrastructure_affected, not both');
      return 'all';
    }
    if (pairs.length === 0) throw new Refusal(400, 'No infrastructure affected');
    return pairs;
  }

  /** A record as a listing shows it: with no `messages` field while `omitListMessages` is on. */
  function listed<T, R extends object>(render: (item: T) => R) {
    // JSON.stringify drops an undefined field, so the answer lacks `messages` altogether.
    return (item: T) => (listsWithoutMessages ? { ...render(item), messages: undefined } : render(item));
  }

  function renderMaintenance(m: FakeMaintenance) {
    return {
      _id: m._id,
      name: m.name,
      statuspage: options.pageId,
      datetime_planned_start: m.plannedStart,
      datetime_planned_end: m.plannedEnd,
      ...affected(m.infrastructure),
      messages: m.messages.map((msg) => ({ ...msg, statuspage: options.pageId, maintenance: m._id })),
    };
  }

  function renderIncident(i: FakeIncident) {
    return {
      _id: i._id,
      name: i.name,
      statuspage: options.pageId,
      datetime_open: i.openedAt,
      ...affected(i.infrastructure),
      messages: i.messages.map((msg) => ({ ...msg, statuspage: options.pageId, incident: i._id })),
    };
  }

  function affected(infra: string[] | 'all') {
    const pairs = infra === 'all' ? state.components.flatMap((c) => c.containers.map((k) => `${c._id}-${k._id}`)) : infra;
    const componentIds = new Set(pairs.map((p) => p.split('-')[0]));
    const containerIds = new Set(pairs.map((p) => p.split('-')[1]));
    return {
      components_affected: state.components.filter((c) => componentIds.has(c._id)).map((c) => ({ _id: c._id, name: c.name })),
      containers_affected: state.components.flatMap((c) => c.containers).filter((k, i, all) => containerIds.has(k._id) && all.indexOf(k) === i),
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v2/`,
    state,
    requests,
    failNext(route, failure) {
      before.set(route, failure);
    },
    failAfterApplying(route, failure) {
      after.set(route, failure);
    },
    omitListMessages(on) {
      listsWithoutMessages = on;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function resolveRoute(method: string, path: string): { route: FakeRoute; page?: string; id?: string } | null {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [a, b, c] = parts;
  if (method === 'POST' && parts.length === 2) {
    const route = `${a}/${b}`;
    const posts: FakeRoute[] = [
      'maintenance/schedule',
      'maintenance/start',
      'maintenance/update',
      'maintenance/finish',
      'maintenance/delete',
      'incident/create',
      'incident/update',
      'incident/resolve',
    ];
    const match = posts.find((r) => r === route);
    return match ? { route: match } : null;
  }
  if (method !== 'GET') return null;
  if (parts.length === 3 && b === 'list' && (a === 'component' || a === 'maintenance' || a === 'incident')) {
    return { route: `${a}/list`, page: c };
  }
  if (parts.length === 3 && a === 'maintenance') return { route: 'maintenance/one', page: b, id: c };
  if (parts.length === 3 && a === 'incident') return { route: 'incident/one', page: b, id: c };
  return null;
}

function text(input: Record<string, unknown>, key: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value.trim() === '') throw new Refusal(400, `${key} is required`);
  return value;
}

function flag(input: Record<string, unknown>, key: string): boolean {
  const value = input[key];
  if (value !== '0' && value !== '1') throw new Refusal(400, `${key} must be "0" or "1"`);
  return value === '1';
}

function notifyFlags(input: Record<string, unknown>): void {
  for (const key of ['notify_email', 'notify_sms', 'notify_webhook', 'social']) flag(input, key);
}

function code(input: Record<string, unknown>, key: string, allowed: number[]): number {
  const value = input[key];
  if (typeof value !== 'number' || !allowed.includes(value)) throw new Refusal(400, `${key} must be one of ${allowed.join(', ')}`);
  return value;
}

/** Reads date_<which> (MM/DD/YYYY) and time_<which> (HH:MM) as UTC, like the client sends them. */
function dateTime(input: Record<string, unknown>, which: string): string {
  const date = input[`date_${which}`];
  const time = input[`time_${which}`];
  const d = typeof date === 'string' ? /^(0[1-9]|1[0-2])\/(0[1-9]|[12]\d|3[01])\/(\d{4})$/.exec(date) : null;
  if (!d) throw new Refusal(400, `date_${which} must be MM/DD/YYYY`);
  const t = typeof time === 'string' ? /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time) : null;
  if (!t) throw new Refusal(400, `time_${which} must be HH:MM`);
  const instant = new Date(Date.UTC(Number(d[3]), Number(d[1]) - 1, Number(d[2]), Number(t[1]), Number(t[2])));
  if (instant.getUTCDate() !== Number(d[2])) throw new Refusal(400, `date_${which} is not a calendar date`);
  return instant.toISOString();
}
