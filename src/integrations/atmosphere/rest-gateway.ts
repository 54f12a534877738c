import { createRedactor } from '../../model/redactor.js';
import { IntegrationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { QUOTA_KEYS, type AtmosphereGateway } from './gateway.js';
import { isMaintenanceBody, maintenanceDetail } from './maintenance-detail.js';

export interface RestGatewayOptions {
  /** The API base, ending in `/api/v2` (a trailing slash is tolerated). */
  baseUrl: string;
  /** A staff token, sent as `Authorization: Token <key>`. */
  token: string;
  /** Resolves a `status_type` id by name; ids differ between Atmosphere databases. */
  statusId(name: string): Promise<number>;
  fetch?: typeof fetch;
  timeoutMs?: number;
  log: Logger;
}

/** Long enough for Atmosphere to save and queue its e-mail task, short enough for a chat reply. */
const DEFAULT_TIMEOUT_MS = 15_000;
/** Validation messages are short; anything longer is a stack trace or a page we do not want in chat. */
const MAX_DETAIL_LENGTH = 300;

interface ApiCall {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  query?: Record<string, string>;
  /** Not sent on a GET. */
  body?: unknown;
  /** Names the record for a 404, e.g. "machine request 12". */
  what: string;
}

/**
 * The production gateway: Atmosphere's REST API (reference §4), which sends the e-mails, sets the
 * OpenStack quota and starts imaging. Each write is sent once with a timeout and never retried,
 * because a repeated approval could e-mail the user twice or queue a second imaging chain.
 */
export function createRestGateway(options: RestGatewayOptions): AtmosphereGateway {
  const base = options.baseUrl.replace(/\/+$/, '');
  const origin = new URL(base).origin;
  const send = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { log } = options;

  /**
   * Drops the token, and any credentials in a URL (fetch quotes the URL it refused), from anything
   * the API or the client says before it reaches a message or a log line.
   */
  const redact = createRedactor(options.token === '' ? [] : [options.token]);
  function scrub(text: string): string {
    return options.token === '' ? redact(text) : redact(text.split(options.token).join('[redacted]'));
  }

  async function call(request: ApiCall): Promise<{ status: number; body: unknown }> {
    const url = new URL(base + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
    const label = `${request.method} ${request.path}`;
    let status: number;
    let text: string;
    let location: string | null;
    try {
      const response = await send(url, {
        method: request.method,
        headers: {
          Authorization: `Token ${options.token}`,
          Accept: 'application/json',
          'Content-Type': 'application/json',
        },
        ...(request.method === 'GET' ? {} : { body: JSON.stringify(request.body) }),
        // A redirect would be followed without the Authorization header (or as a GET); report it instead.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      location = response.headers.get('location');
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const detail = timedOut ? `waited ${timeoutMs} ms` : scrub(networkReason(error));
      // Not logged here: whoever ends the failure (the dispatcher, a job) logs it once, with these facts.
      throw new IntegrationError(
        'atmosphere',
        timedOut ? `Atmosphere did not answer ${label} within ${timeoutMs} ms` : `could not reach the Atmosphere API at ${origin} for ${label}: ${detail}`,
        { operation: label, code: timedOut ? 'timeout' : 'unreachable', detail, cause: error },
      );
    }
    const body = parseBody(text);
    if (status >= 200 && status < 300) {
      log.info({ method: request.method, path: request.path, status }, 'atmosphere API call');
      return { status, body };
    }
    throw errorFor(status, body, request, label, location);
  }

  /** The facts of a refusal; what to tell people is the chat core's renderer's business. */
  function errorFor(status: number, body: unknown, request: ApiCall, label: string, location: string | null) {
    const said = drfDetail(body, scrub);
    const fail = (message: string, facts: { detail: string | undefined; code?: string; notApplied?: boolean }) =>
      new IntegrationError('atmosphere', message, { operation: label, status, ...facts });
    if (status >= 300 && status < 400) {
      const target = location === null ? 'elsewhere' : scrub(location.split('?')[0] ?? location);
      return fail(`Atmosphere redirected ${label} to ${target} (HTTP ${status})`, { code: 'redirect', detail: `it points to ${target}` });
    }
    if (status === 401) {
      return fail(`the Atmosphere API did not accept the token for ${label} (HTTP 401${said ? `: ${said}` : ''})`, { detail: said ?? 'the token was not accepted' });
    }
    if (status === 403 && request.path.endsWith('/actions') && said !== undefined) {
      // post_instance_action answers 403 for any exception while running the action, not for permissions.
      return fail(`Atmosphere could not run ${label} (HTTP 403): ${said}`, { code: 'action_failed', detail: said });
    }
    if (status === 403) {
      return fail(`the Atmosphere API refused ${label} (HTTP 403${said ? `: ${said}` : ''})`, { detail: said ?? 'the token is not allowed to do this' });
    }
    if (status === 404) {
      const detail = said === undefined || /^not found\.?$/i.test(said) ? request.what : `${request.what}: ${said}`;
      return fail(`${request.what} does not exist in Atmosphere (${label} answered HTTP 404)`, { detail });
    }
    if (status === 503 && isMaintenanceBody(body)) {
      const detail = scrub(maintenanceDetail(body));
      // Atmosphere's InMaintenance permission refuses before the view runs: nothing was applied.
      return fail(`Atmosphere is in maintenance (${label} answered HTTP 503): ${detail}`, { code: 'maintenance', detail, notApplied: true });
    }
    if (status >= 500) {
      return fail(`Atmosphere is unavailable: ${label} answered HTTP ${status}${said ? ` (${said})` : ''}`, { detail: status === 503 ? undefined : said });
    }
    return fail(`the Atmosphere API rejected ${label} (HTTP ${status}): ${said ?? 'no reason given'}`, { detail: said });
  }

  return {
    kind: 'rest',

    // The API itself decides; a refusal (maintenance 503, 403) is mapped where the write is made.
    async checkWritable() {},

    async findOrCreateQuota(values) {
      const body = Object.fromEntries(QUOTA_KEYS.map((key) => [key, values[key]]));
      const answer = await call({ method: 'POST', path: '/quotas', body, what: 'quota' });
      const id = isRecord(answer.body) ? answer.body.id : undefined;
      if (typeof id !== 'number') {
        throw new IntegrationError('atmosphere', 'the Atmosphere API answered POST /quotas without a quota id', {
          operation: 'POST /quotas',
          code: 'malformed',
          status: answer.status,
          detail: 'the answer had no quota id',
        });
      }
      // The API answers 200 with the existing identical row and 201 when it made a new one (reference §4.1).
      return { id, created: answer.status === 201 };
    },

    async assignQuota({ identityUuid, username, quotaId }) {
      await call({
        method: 'PATCH',
        path: `/identities/${encodeURIComponent(identityUuid)}`,
        query: { username },
        body: { quota: { id: quotaId } },
        what: `identity ${identityUuid} of ${username}`,
      });
    },

    async setAllocationComputeAllowed({ uuid, name, computeAllowed }) {
      // AllocationSourceViewSet.update looks the source up with `filter(uuid=pk)` (atmosphere
      // api/v2/views/allocation_source.py), and Troposphere's model addresses it by uuid and patches
      // only `compute_allowed` (troposphere models/AllocationSource.js, admin ResourceRequest.jsx
      // onAllocationSave). Refusals come back as failure_response bodies.
      await call({
        method: 'PATCH',
        path: `/allocation_sources/${encodeURIComponent(uuid)}`,
        body: { compute_allowed: computeAllowed },
        what: `allocation source ${name}`,
      });
    },

    async setResourceRequestStatus({ id, status, adminMessage }) {
      const statusId = await options.statusId(status);
      await call({
        method: 'PATCH',
        path: `/admin/resource_requests/${id}`,
        body: { status: { id: statusId }, admin_message: adminMessage },
        what: `resource request ${id}`,
      });
    },

    async setMachineRequestStatus({ id, status }) {
      const statusId = await options.statusId(status);
      // A bare id: the view reads `initial_data['status']` directly, so `{"id": n}` is a 400 (reference §4.2).
      await call({
        method: 'PATCH',
        path: `/machine_requests/${id}`,
        body: { status: statusId },
        what: `machine request ${id}`,
      });
    },

    async listInstanceActions({ uuid }) {
      // `actions` is a detail route of InstanceViewSet; `filter_by_instance(pk)` looks a string pk up by
      // provider_alias (core/models/instance_action.py), and answers a list of InstanceActionSerializer.
      const answer = await call({ method: 'GET', path: `/instances/${encodeURIComponent(uuid)}/actions`, what: `instance ${uuid}` });
      const rows = Array.isArray(answer.body) ? answer.body : isRecord(answer.body) && Array.isArray(answer.body.results) ? answer.body.results : null;
      if (!rows) {
        throw new IntegrationError('atmosphere', `the Atmosphere API answered GET /instances/${uuid}/actions without a list of actions`, {
          operation: `GET /instances/${uuid}/actions`,
          code: 'malformed',
          status: answer.status,
          detail: 'the answer was not a list',
        });
      }
      return rows.flatMap((row: unknown) => (isRecord(row) && typeof row.key === 'string' ? [row.key] : []));
    },

    async instanceAction(input) {
      // post_instance_action pops `action` and hands the rest to run_instance_action, which reads
      // `reboot_type` (default SOFT) for a reboot (api/v2/views/instance.py, service/instance.py).
      const body = input.action === 'reboot' ? { action: 'reboot', reboot_type: input.rebootType } : { action: 'redeploy' };
      await call({ method: 'POST', path: `/instances/${encodeURIComponent(input.uuid)}/actions`, body, what: `instance ${input.uuid}` });
    },

    async moveImageVersion({ versionId, applicationId, name }) {
      // ImageVersionSerializer's `image` is a ModelRelatedField on `application` looked up by pk
      // (core/serializers/fields/base.py), and the model's unique_together ('application', 'name')
      // makes DRF answer a clash with a 400 (api/v2/serializers/details/image_version.py).
      await call({
        method: 'PATCH',
        path: `/image_versions/${encodeURIComponent(versionId)}`,
        body: { image: applicationId, name },
        what: `image version ${versionId}`,
      });
    },

    async setApplicationPublic({ applicationId }) {
      // `is_public` is a SwapBooleanField on `private` (api/v2/serializers/details/image.py); staff
      // pass CanEditOrReadOnly and ApplicationMemberOrReadOnly (api/permissions.py).
      await call({ method: 'PATCH', path: `/images/${applicationId}`, body: { is_public: true }, what: `application ${applicationId}` });
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * What a Django REST Framework error body says, as one short line: `{"detail": "..."}`, field errors
 * (`{"status": ["Invalid pk ..."]}`, nested for `{"quota": {"id": [...]}}`) or a list. HTML error pages
 * and other non-JSON bodies give nothing, since they would only clutter a chat reply.
 */
function drfDetail(body: unknown, scrub: (text: string) => string): string | undefined {
  const parts: string[] = [];
  // Atmosphere's v2 failure_response: {"errors": [{"code": 409, "message": "..."}]} (api/v2/exceptions.py).
  if (isRecord(body) && Array.isArray(body.errors) && body.errors.every((item) => isRecord(item) && typeof item.message === 'string')) {
    body = body.errors.map((item) => (item as { message: string }).message);
  }
  const walk = (value: unknown, field: string) => {
    if (typeof value === 'string' || typeof value === 'number') {
      parts.push(field === '' || field === 'detail' || field === 'non_field_errors' ? `${value}` : `${field}: ${value}`);
    } else if (Array.isArray(value)) {
      for (const item of value) walk(item, field);
    } else if (isRecord(value)) {
      for (const [key, item] of Object.entries(value)) walk(item, field === '' ? key : `${field}.${key}`);
    }
  };
  if (isRecord(body) || Array.isArray(body)) walk(body, '');
  else if (typeof body === 'string' && !body.trimStart().startsWith('<')) parts.push(body.trim());
  const text = scrub(parts.join('; ').replace(/\s+/g, ' ').trim());
  if (text === '') return undefined;
  return text.length > MAX_DETAIL_LENGTH ? `${text.slice(0, MAX_DETAIL_LENGTH - 1)}…` : text;
}

/** Node's fetch hides the reason (ECONNREFUSED, ENOTFOUND, ...) in `cause`. */
function networkReason(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (isRecord(cause) && typeof cause.code === 'string') return cause.code;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
