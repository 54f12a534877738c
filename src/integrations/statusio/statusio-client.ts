import { z } from 'zod';
import { IntegrationError, UserError } from '../../errors.js';
import type { Logger } from '../../logger.js';

/**
 * status.io public API v2: scheduled maintenance and incident notices on the public status page.
 * Routes and body shapes follow the vendor's own clients (statusio/statusio-go); the API answers
 * `{ status: { error: "no"|"yes", message }, result }`, so an error can arrive with HTTP 200.
 *
 * Every write is protected against duplicate notices: when a request may have reached status.io
 * (5xx, timeout, dropped connection) the client looks the change up before sending it again.
 */

export type IncidentStatus =
  | 'operational'
  | 'planned-maintenance'
  | 'degraded-performance'
  | 'partial-disruption'
  | 'service-disruption'
  | 'security-event';

export type IncidentState = 'investigating' | 'identified' | 'monitoring';

/** The one place status and state names meet status.io's numeric codes. */
export const INCIDENT_STATUS_CODES = {
  operational: 100,
  'planned-maintenance': 200,
  'degraded-performance': 300,
  'partial-disruption': 400,
  'service-disruption': 500,
  'security-event': 600,
} as const satisfies Record<IncidentStatus, number>;

export const INCIDENT_STATE_CODES = {
  investigating: 100,
  identified: 200,
  monitoring: 300,
} as const satisfies Record<IncidentState, number>;

export interface MaintenanceSummary {
  id: string;
  name: string;
  plannedStart: Date | null;
  plannedEnd: Date | null;
  /** The text of the newest message, if status.io sent the messages. */
  latestDetails: string | null;
}

export interface IncidentSummary {
  id: string;
  name: string;
  openedAt: Date | null;
  latestDetails: string | null;
}

export interface StatusComponent {
  id: string;
  name: string;
  containers: { id: string; name: string }[];
}

export interface MaintenanceNotify {
  now?: boolean;
  hr72?: boolean;
  hr24?: boolean;
  hr1?: boolean;
}

/** What the bot does on a status page. */
export interface StatusPage {
  scheduleMaintenance(input: {
    title: string;
    details: string;
    start: Date;
    end: Date;
    /** "<component>-<container>" pairs; defaults to the configured list, empty = all infrastructure. */
    components?: string[];
    notify?: MaintenanceNotify;
    /** true lets status.io start and finish the window on its own. */
    automation?: boolean;
  }): Promise<{ id: string }>;
  startMaintenance(id: string, details: string): Promise<void>;
  updateMaintenance(id: string, details: string): Promise<void>;
  finishMaintenance(id: string, details: string): Promise<void>;
  listMaintenances(): Promise<{ active: MaintenanceSummary[]; upcoming: MaintenanceSummary[]; resolved: MaintenanceSummary[] }>;
  createIncident(input: {
    title: string;
    details: string;
    status: IncidentStatus;
    state: IncidentState;
    components?: string[];
  }): Promise<{ id: string }>;
  updateIncident(id: string, input: { details: string; status: IncidentStatus; state: IncidentState }): Promise<void>;
  resolveIncident(id: string, details: string): Promise<void>;
  listIncidents(): Promise<{ active: IncidentSummary[]; resolved: IncidentSummary[] }>;
  components(): Promise<StatusComponent[]>;
}

/** status.io's API base; STATUSIO_API_URL overrides it (tests point it at a local server). */
export const STATUSIO_DEFAULT_URL = 'https://api.status.io/v2/';

// "<component id>-<container id>", as in the vendor's Go client test fixtures.
const INFRASTRUCTURE_PAIR = /^[^-\s]+-[^-\s]+$/;

export interface StatusIoOptions {
  baseUrl: string;
  apiId: string;
  apiKey: string;
  pageId: string;
  components: string[];
  fetch?: typeof fetch;
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  log: Logger;
}

/**
 * Formats an instant the way status.io's schedule call wants it: `MM/DD/YYYY` and `HH:MM`, in UTC.
 * Which zone status.io reads these in is not documented where we could check (the Ansible module says
 * UTC, the Go client's test formats local time); UTC keeps the bot independent of the host's zone.
 * Seconds are dropped: status.io plans to the minute.
 */
export function formatStatusIoDateTime(instant: Date): { date: string; time: string } {
  if (Number.isNaN(instant.getTime())) throw new RangeError('formatStatusIoDateTime needs a valid date');
  const two = (n: number) => String(n).padStart(2, '0');
  return {
    date: `${two(instant.getUTCMonth() + 1)}/${two(instant.getUTCDate())}/${instant.getUTCFullYear()}`,
    time: `${two(instant.getUTCHours())}:${two(instant.getUTCMinutes())}`,
  };
}

/** Wait before retry `attempt` (1-based): base × 2^(attempt-1), plus up to a quarter more as jitter. */
export function backoffDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  return Math.round(baseMs * 2 ** (attempt - 1) * (1 + random() * 0.25));
}

const message = z.object({ details: z.string().default(''), datetime: z.string().optional() });
const record = z.object({
  _id: z.string(),
  name: z.string().default(''),
  datetime_open: z.string().optional(),
  datetime_planned_start: z.string().optional(),
  datetime_planned_end: z.string().optional(),
  messages: z.array(message).default([]),
});
type StatusRecord = z.infer<typeof record>;
const maintenanceList = z.object({
  active_maintenances: z.array(record).default([]),
  upcoming_maintenances: z.array(record).default([]),
  resolved_maintenances: z.array(record).default([]),
});
const incidentList = z.object({
  active_incidents: z.array(record).default([]),
  resolved_incidents: z.array(record).default([]),
});
// One maintenance is an object per the API table; the Go client reads one incident as an array of one.
const single = z.union([record, z.array(record).transform((items) => items[0])]);
const componentList = z.array(
  z.object({
    _id: z.string(),
    name: z.string(),
    containers: z.array(z.object({ _id: z.string(), name: z.string() })).default([]),
  }),
);
const envelope = z.object({
  status: z.object({ error: z.string(), message: z.string().default('') }),
  result: z.unknown(),
});

/** A failure after which the request may be sent again (it may or may not have reached status.io). */
class RetryableFailure extends Error {
  constructor(
    readonly reason: string,
    readonly status: number | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(reason, options);
  }
}

/**
 * Builds the status.io client. Failures become `IntegrationError('statusio', ...)`; the API id and key
 * are sent as headers only and never appear in a message or a log line.
 */
export function createStatusIo(options: StatusIoOptions): StatusPage {
  const malformed = options.components.find((pair) => !INFRASTRUCTURE_PAIR.test(pair));
  if (malformed !== undefined) {
    throw new IntegrationError('statusio', `STATUSIO_COMPONENTS entry "${malformed}" is not <component id>-<container id>; see GET component/list`);
  }
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 500;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const log = options.log.child({ service: 'statusio' });
  const page = encodeURIComponent(options.pageId);

  const scrub = (text: string): string => {
    let out = text;
    for (const secret of [options.apiKey, options.apiId]) if (secret) out = out.split(secret).join('[redacted]');
    return out.slice(0, 300);
  };

  /** One HTTP exchange; returns `result` or throws IntegrationError (final) / RetryableFailure. */
  async function send(operation: string, path: string, body?: Record<string, unknown>): Promise<unknown> {
    const headers: Record<string, string> = { 'x-api-id': options.apiId, 'x-api-key': options.apiKey, accept: 'application/json' };
    if (body) headers['content-type'] = 'application/json';
    let status: number;
    let text: string;
    try {
      const response = await doFetch(new URL(path, base), {
        method: body ? 'POST' : 'GET',
        headers,
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new RetryableFailure(timedOut ? `no answer within ${timeoutMs} ms` : 'could not reach status.io', undefined, { cause: error });
    }
    if (status >= 500) throw new RetryableFailure(`status.io answered HTTP ${status}`, status);
    const parsed = envelope.safeParse(safeJson(text));
    if (parsed.success && parsed.data.status.error !== 'no') {
      const detail = scrub(parsed.data.status.message);
      if (detail === 'Authentication failed' || status === 401 || status === 403) {
        throw new IntegrationError('statusio', 'status.io refused the credentials: check STATUSIO_API_ID and STATUSIO_API_KEY', { status, detail });
      }
      throw new IntegrationError('statusio', `status.io refused to ${operation}: ${detail || 'no reason given'}`, { status, detail });
    }
    if (status === 401 || status === 403) {
      throw new IntegrationError('statusio', 'status.io refused the credentials: check STATUSIO_API_ID and STATUSIO_API_KEY', { status });
    }
    if (status < 200 || status >= 300 || !parsed.success) {
      throw new IntegrationError('statusio', `status.io gave an unexpected answer (HTTP ${status}) to ${operation}`, { status, detail: scrub(text) });
    }
    return parsed.data.result;
  }

  /**
   * Sends with retries. `alreadyDone` runs before any re-send that follows an unclear failure: if it
   * finds the change on status.io, its answer is returned and nothing is sent again, so subscribers
   * never get the same notice twice.
   */
  async function withRetries<T>(operation: string, attemptOnce: () => Promise<T>, alreadyDone?: () => Promise<T | undefined>): Promise<T> {
    let unclear = false;
    let last: RetryableFailure | undefined;
    for (let attempt = 0; attempt <= retries; attempt += 1) {
      if (attempt > 0) {
        const delayMs = backoffDelay(attempt, backoffMs);
        log.warn({ operation, attempt, status: last?.status, reason: last?.reason, delayMs }, 'status.io call failed, retrying');
        await sleep(delayMs);
      }
      try {
        if (unclear && alreadyDone) {
          const found = await alreadyDone();
          if (found !== undefined) {
            log.info({ operation, attempt }, 'status.io had applied the earlier attempt; not sending it again');
            return found;
          }
        }
        return await attemptOnce();
      } catch (error) {
        if (!(error instanceof RetryableFailure)) throw error;
        last = error;
        unclear = true;
      }
    }
    const hint = alreadyDone ? '; it may or may not have been applied, check the status page' : '';
    throw new IntegrationError('statusio', `could not ${operation} after ${retries + 1} attempts: ${last?.reason ?? 'unknown failure'}${hint}`, {
      status: last?.status,
      cause: last,
    });
  }

  function parse<T>(schema: z.ZodType<T>, value: unknown, operation: string): T {
    const result = schema.safeParse(value);
    if (!result.success) throw new IntegrationError('statusio', `status.io answered ${operation} in an unexpected shape`, { cause: result.error });
    return result.data;
  }

  const get = async <T>(operation: string, path: string, schema: z.ZodType<T>): Promise<T> =>
    withRetries(operation, async () => parse(schema, await send(operation, path), operation));

  const newId = (value: unknown, operation: string): { id: string } => ({ id: parse(z.string().min(1), value, operation) });

  const infrastructure = (components: string[] | undefined) => {
    const pairs = components ?? options.components;
    const bad = pairs.find((pair) => !INFRASTRUCTURE_PAIR.test(pair));
    if (bad !== undefined) throw new UserError('invalid_value', `"${bad}" is not a status.io <component>-<container> pair`);
    return pairs.length > 0 ? { infrastructure_affected: pairs } : { infrastructure_affected: [], all_infrastructure_affected: '1' };
  };

  // Subscribers get e-mail and webhooks; SMS and social posts stay a choice made on the dashboard.
  const notifyFlags = { notify_email: '1', notify_sms: '0', notify_webhook: '1', social: '0' };

  // Single attempts: inside a write's retry loop, the loop itself retries a failed look-up.
  const lookUp = async <T>(operation: string, path: string, schema: z.ZodType<T>): Promise<T> =>
    parse(schema, await send(operation, path), operation);
  const maintenancesOnce = () => lookUp('list maintenances', `maintenance/list/${page}`, maintenanceList);
  const incidentsOnce = () => lookUp('list incidents', `incident/list/${page}`, incidentList);
  const maintenanceOnce = (id: string) => lookUp(`read maintenance ${id}`, `maintenance/${page}/${encodeURIComponent(id)}`, single);
  const incidentOnce = (id: string) => lookUp(`read incident ${id}`, `incident/${page}/${encodeURIComponent(id)}`, single);

  /** A write without a result; `applied` says whether status.io already shows it. */
  async function write(operation: string, route: string, body: Record<string, unknown>, applied: () => Promise<boolean>): Promise<void> {
    await withRetries<true>(
      operation,
      async () => {
        await send(operation, route, body);
        return true;
      },
      async () => ((await applied()) ? true : undefined),
    );
  }

  const maintenanceControl = (verb: 'start' | 'update' | 'finish', id: string, details: string, applied: () => Promise<boolean>) =>
    write(
      `${verb} maintenance ${id}`,
      `maintenance/${verb}`,
      { statuspage_id: options.pageId, maintenance_id: id, maintenance_details: details, ...notifyFlags },
      applied,
    );

  return {
    async scheduleMaintenance(input) {
      if (!(input.end.getTime() > input.start.getTime())) throw new UserError('invalid_value', 'a maintenance window must end after it starts');
      const start = formatStatusIoDateTime(input.start);
      const end = formatStatusIoDateTime(input.end);
      const flag = (value: boolean | undefined, fallback: boolean) => ((value ?? fallback) ? '1' : '0');
      const body = {
        statuspage_id: options.pageId,
        ...infrastructure(input.components),
        // Off by default: the bot starts and finishes the window when staff start and stop Atmosphere maintenance.
        automation: flag(input.automation, false),
        maintenance_name: input.title,
        maintenance_details: input.details,
        date_planned_start: start.date,
        time_planned_start: start.time,
        date_planned_end: end.date,
        time_planned_end: end.time,
        maintenance_notify_now: flag(input.notify?.now, false),
        maintenance_notify_72_hr: flag(input.notify?.hr72, false),
        maintenance_notify_24_hr: flag(input.notify?.hr24, true),
        maintenance_notify_1_hr: flag(input.notify?.hr1, true),
      };
      const operation = `schedule maintenance "${input.title}"`;
      // status.io lists the planned start as an ISO instant; matching it on the minute relies on status.io
      // reading our times as UTC (see formatStatusIoDateTime).
      const plannedMinute = Math.floor(input.start.getTime() / 60_000);
      return withRetries(
        operation,
        async () => newId(await send(operation, 'maintenance/schedule', body), operation),
        async () => {
          const lists = await maintenancesOnce();
          const found = [...lists.upcoming_maintenances, ...lists.active_maintenances].find(
            (item) => item.name === input.title && minuteOf(item.datetime_planned_start) === plannedMinute,
          );
          return found ? { id: found._id } : undefined;
        },
      );
    },

    async startMaintenance(id, details) {
      // Started (or already over) is the state to reach; status.io refuses to start a window twice.
      await maintenanceControl('start', id, details, async () => {
        const lists = await maintenancesOnce();
        return [...lists.active_maintenances, ...lists.resolved_maintenances].some((item) => item._id === id);
      });
    },

    async updateMaintenance(id, details) {
      // An update changes no state, so its trace is the newest message; an older identical message
      // followed by others does not count, and the update is posted again.
      await maintenanceControl('update', id, details, async () => latestDetails(await maintenanceOnce(id)) === details);
    },

    async finishMaintenance(id, details) {
      await maintenanceControl('finish', id, details, async () =>
        (await maintenancesOnce()).resolved_maintenances.some((item) => item._id === id),
      );
    },

    async listMaintenances() {
      const lists = await get('list maintenances', `maintenance/list/${page}`, maintenanceList);
      return {
        active: lists.active_maintenances.map(toMaintenance),
        upcoming: lists.upcoming_maintenances.map(toMaintenance),
        resolved: lists.resolved_maintenances.map(toMaintenance),
      };
    },

    async createIncident(input) {
      const operation = `create incident "${input.title}"`;
      const body = {
        statuspage_id: options.pageId,
        ...infrastructure(input.components),
        incident_name: input.title,
        incident_details: input.details,
        current_status: INCIDENT_STATUS_CODES[input.status],
        current_state: INCIDENT_STATE_CODES[input.state],
        ...notifyFlags,
      };
      return withRetries(
        operation,
        async () => newId(await send(operation, 'incident/create', body), operation),
        async () => {
          const lists = await incidentsOnce();
          // Name alone could match an older open incident; its first message tells ours apart.
          const found = lists.active_incidents.find(
            (item) => item.name === input.title && (item.messages.length === 0 || item.messages.some((m) => m.details === input.details)),
          );
          return found ? { id: found._id } : undefined;
        },
      );
    },

    async updateIncident(id, input) {
      const body = {
        statuspage_id: options.pageId,
        incident_id: id,
        incident_details: input.details,
        current_status: INCIDENT_STATUS_CODES[input.status],
        current_state: INCIDENT_STATE_CODES[input.state],
        ...notifyFlags,
      };
      await write(`update incident ${id}`, 'incident/update', body, async () => latestDetails(await incidentOnce(id)) === input.details);
    },

    async resolveIncident(id, details) {
      const body = { statuspage_id: options.pageId, incident_id: id, incident_details: details, ...notifyFlags };
      await write(`resolve incident ${id}`, 'incident/resolve', body, async () =>
        (await incidentsOnce()).resolved_incidents.some((item) => item._id === id),
      );
    },

    async listIncidents() {
      const lists = await get('list incidents', `incident/list/${page}`, incidentList);
      return { active: lists.active_incidents.map(toIncident), resolved: lists.resolved_incidents.map(toIncident) };
    },

    async components() {
      const list = await get('list components', `component/list/${page}`, componentList);
      return list.map((item) => ({ id: item._id, name: item.name, containers: item.containers.map((c) => ({ id: c._id, name: c.name })) }));
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function toDate(value: string | undefined): Date | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time);
}

function minuteOf(value: string | undefined): number | null {
  const date = toDate(value);
  return date ? Math.floor(date.getTime() / 60_000) : null;
}

/** The newest message by `datetime`; array order breaks ties and covers messages without one. */
function latestDetails(item: StatusRecord | undefined): string | null {
  if (!item) return null;
  let best: { details: string; at: number } | null = null;
  for (const m of item.messages) {
    const parsed = Date.parse(m.datetime ?? '');
    const at = Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed;
    if (!best || at >= best.at) best = { details: m.details, at };
  }
  return best?.details ?? null;
}

function toMaintenance(item: StatusRecord): MaintenanceSummary {
  return {
    id: item._id,
    name: item.name,
    plannedStart: toDate(item.datetime_planned_start),
    plannedEnd: toDate(item.datetime_planned_end),
    latestDetails: latestDetails(item),
  };
}

function toIncident(item: StatusRecord): IncidentSummary {
  return { id: item._id, name: item.name, openedAt: toDate(item.datetime_open), latestDetails: latestDetails(item) };
}
