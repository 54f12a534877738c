import { z } from 'zod';
import { IntegrationError, UserError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { INCIDENT_STATE_CODES, INCIDENT_STATUS_CODES, type StatusPage } from './status-page.js';
import { formatStatusIoDateTime } from './statusio-dates.js';
import {
  componentList,
  incidentList,
  latestDetails,
  maintenanceList,
  minuteOf,
  parseStatusIoResult,
  singleRecord,
  toIncident,
  toMaintenance,
  type StatusRecord,
} from './statusio-records.js';
import { createStatusIoRequest } from './statusio-request.js';

/**
 * status.io public API v2: scheduled maintenance and incident notices on the public status page.
 * Routes and body shapes follow the vendor's own clients (statusio/statusio-go); HTTP, envelope checks
 * and retries live in `statusio-request.ts`.
 *
 * Every write is protected against duplicate notices: when a request may have reached status.io
 * (5xx, timeout, dropped connection) the client looks the change up before sending it again.
 */

// Callers import the whole status.io surface from here.
export {
  INCIDENT_STATE_CODES,
  INCIDENT_STATUS_CODES,
  type IncidentState,
  type IncidentStatus,
  type IncidentSummary,
  type MaintenanceNotify,
  type MaintenanceSummary,
  type StatusComponent,
  type StatusPage,
} from './status-page.js';
export { formatStatusIoDateTime } from './statusio-dates.js';
export { backoffDelay } from './statusio-request.js';

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
 * Builds the status.io client. Failures become `IntegrationError('statusio', ...)`; the API id and key
 * are sent as headers only and never appear in a message or a log line.
 */
export function createStatusIo(options: StatusIoOptions): StatusPage {
  const malformed = options.components.find((pair) => !INFRASTRUCTURE_PAIR.test(pair));
  if (malformed !== undefined) {
    throw new IntegrationError('statusio', `STATUSIO_COMPONENTS entry "${malformed}" is not <component id>-<container id>; see GET component/list`);
  }
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const { send, withRetries } = createStatusIoRequest({
    base,
    apiId: options.apiId,
    apiKey: options.apiKey,
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? 10_000,
    retries: options.retries ?? 3,
    backoffMs: options.backoffMs ?? 500,
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    log: options.log.child({ service: 'statusio' }),
  });
  const page = encodeURIComponent(options.pageId);

  const get = async <T>(operation: string, path: string, schema: z.ZodType<T>): Promise<T> =>
    withRetries(operation, async () => parseStatusIoResult(schema, await send(operation, path), operation));

  const newId = (value: unknown, operation: string): { id: string } => ({ id: parseStatusIoResult(z.string().min(1), value, operation) });

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
    parseStatusIoResult(schema, await send(operation, path), operation);
  const maintenancesOnce = () => lookUp('list maintenances', `maintenance/list/${page}`, maintenanceList);
  const incidentsOnce = () => lookUp('list incidents', `incident/list/${page}`, incidentList);
  const maintenanceOnce = (id: string) => lookUp(`read maintenance ${id}`, `maintenance/${page}/${encodeURIComponent(id)}`, singleRecord);
  const incidentOnce = (id: string) => lookUp(`read incident ${id}`, `incident/${page}/${encodeURIComponent(id)}`, singleRecord);

  /** The messages of one incident; one deleted since the listing has none, so it cannot be ours. */
  async function incidentMessages(id: string): Promise<StatusRecord['messages']> {
    try {
      return (await incidentOnce(id))?.messages ?? [];
    } catch (error) {
      if (error instanceof IntegrationError && error.status === 404) return [];
      throw error;
    }
  }

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

    async deleteMaintenance(id) {
      // Gone from every list is the state to reach; a retry after an unclear failure looks first.
      await write(
        `delete maintenance ${id}`,
        'maintenance/delete',
        { statuspage_id: options.pageId, maintenance_id: id, maintenance_details: '', notify_email: '0', notify_sms: '0', notify_webhook: '0', social: '0' },
        async () => {
          const lists = await maintenancesOnce();
          return ![...lists.upcoming_maintenances, ...lists.active_maintenances, ...lists.resolved_maintenances].some((item) => item._id === id);
        },
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
          // Name alone could match an older open incident, so ours is the one carrying our message. A
          // listing without messages proves nothing: read that incident itself before deciding.
          for (const item of lists.active_incidents) {
            if (item.name !== input.title) continue;
            const messages = item.messages.length > 0 ? item.messages : await incidentMessages(item._id);
            if (messages.some((m) => m.details === input.details)) return { id: item._id };
          }
          return undefined;
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
