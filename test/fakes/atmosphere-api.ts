import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QUOTA_KEYS, type QuotaValues } from '../../src/integrations/atmosphere/gateway.js';

/**
 * A fake Atmosphere REST API (`/api/v2`) on 127.0.0.1 for the writes the bot makes and the instance actions it lists. It checks
 * what the real API requires (token header, exact path without trailing slash, JSON content type,
 * body shapes, maintenance 503s) and answers in Django REST Framework's shapes, so the real
 * gateway's error handling runs against realistic bodies.
 */

export interface FakeQuota extends QuotaValues {
  id: number;
  uuid: string;
}

/** What an accepted write changed, so a test can mirror it into a database. */
export type FakeAtmosphereChange =
  | { kind: 'quota'; quota: FakeQuota; created: boolean }
  | { kind: 'identity_quota'; identityUuid: string; username: string; quotaId: number }
  | { kind: 'resource_request_status'; id: number; statusId: number; statusName: string; adminMessage: string | undefined }
  | { kind: 'machine_request_status'; id: number; statusId: number; statusName: string }
  | { kind: 'allocation_compute'; uuid: string; name: string; computeAllowed: number }
  | { kind: 'instance_action'; uuid: string; action: 'redeploy' | 'reboot'; rebootType: 'SOFT' | 'HARD' | null }
  | { kind: 'image_version'; versionId: string; applicationId: number; name: string }
  | { kind: 'application_public'; applicationId: number };

/**
 * The images the fake's `image_versions` and `images` routes know: versions by uuid (with whether
 * ImageVersionViewSet's queryset shows them to the token, `visible`, default true) and applications by id.
 */
export interface FakeImageCatalogue {
  versions: Map<string, { applicationId: number; name: string; visible?: boolean }>;
  applications: Map<number, { name: string; private: boolean }>;
}

/** An allocation source as the fake API sees it: its allowance and what has been used (AU). */
export interface FakeAllocationSource {
  id: number;
  name: string;
  computeAllowed: number;
  computeUsed: number;
  renewalStrategy?: string;
}

/** An instance as the fake API sees it: its current status and activity, and its provider's disabled actions. */
export interface FakeInstance {
  status: string;
  activity: string | null;
  /** `provider_instance_action.enabled = false` keys, e.g. `Redeploy`. */
  disabled?: string[];
}

export interface RecordedCall {
  method: string;
  /** The full path as received, without the query string, e.g. `/api/v2/machine_requests/12`. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** The status the fake answered with. */
  status: number;
  /** Set on accepted writes. */
  change?: FakeAtmosphereChange;
}

export type RecordKind = 'identity' | 'resource_request' | 'machine_request';

export interface FakeAtmosphereOptions {
  token?: string;
  /** status_type ids the API knows, by id. */
  statusNames?: Record<number, string>;
  /** Quota rows that already exist. */
  quotas?: (QuotaValues & { id: number; uuid?: string })[];
  /** When given, records it denies answer 404 like a missing row; otherwise every id exists. */
  exists?: (kind: RecordKind, id: string) => boolean | Promise<boolean>;
  /** Allocation sources by uuid; without it, every `/allocation_sources/<uuid>` is unknown. */
  allocationSources?: (uuid: string) => FakeAllocationSource | null | Promise<FakeAllocationSource | null>;
  /** Instances by provider_alias; without it, `/instances/<id>/actions` answers 404 for every id. */
  instances?: (uuid: string) => FakeInstance | null | Promise<FakeInstance | null>;
  /** Versions and applications; without it, `image_versions` and `images` answer 404 for every id. */
  catalogue?: FakeImageCatalogue;
}

export interface FakeAtmosphereApi {
  /** The API base, ending in `/api/v2`. */
  url: string;
  token: string;
  calls: RecordedCall[];
  quotas: FakeQuota[];
  identities: Map<string, { username: string; quotaId: number }>;
  resourceRequests: Map<number, { statusId: number; adminMessage: string | undefined }>;
  machineRequests: Map<number, { statusId: number }>;
  catalogue: FakeImageCatalogue;
  /** The next request matching `match` (path prefix full or relative to `/api/v2`) gets this answer instead. */
  failNext(match: { method?: string; pathPrefix?: string }, status: number, body?: unknown): void;
  /** While set, maintenance-gated routes answer 503 `{"detail": detail}`, as Atmosphere's InMaintenance does; give `detail` its shape, `title: message` per record joined by " | ". */
  setMaintenance(detail: string | null): void;
  /**
   * Holds every later request this long before handling it (0 to stop). A client that gives up
   * meanwhile does not undo the request: it is still applied, as on a slow real server.
   */
  delay(ms: number): void;
  /**
   * The next accepted write matching `match` is applied (and `onChange` runs) but its answer is lost:
   * a 5xx status, a reset connection, or no answer at all until the client gives up (`hang`). This is
   * what a proxy timeout, a worker crash after the commit or a dropped link looks like to the bot.
   */
  failAfterApplying(match: { method?: string; pathPrefix?: string }, outcome: number | 'reset' | 'hang'): void;
  /** Called after each accepted write, before the answer is sent. */
  onChange: ((call: RecordedCall) => Promise<void> | void) | undefined;
  close(): Promise<void>;
}

export const DEFAULT_STATUS_NAMES: Record<number, string> = {
  1: 'pending',
  2: 'approved',
  3: 'denied',
  4: 'closed',
  5: 'started',
  6: 'failed',
};

const BASE = '/api/v2';
/** Django's own 404 page for a URL no route matches (DEBUG off); DRF routes have no trailing slash. */
const DJANGO_NOT_FOUND = '<h1>Not Found</h1><p>The requested resource was not found on this server.</p>';
const DEFAULT_FAILURES: Record<number, unknown> = {
  400: { detail: 'Bad request.' },
  401: { detail: 'Invalid token.' },
  403: { detail: 'You do not have permission to perform this action.' },
  404: { detail: 'Not found.' },
  500: '<h1>Server Error (500)</h1>',
  502: '<html><body><h1>502 Bad Gateway</h1></body></html>',
  503: { detail: 'Service temporarily unavailable, try again later.' },
};

interface Answer {
  status: number;
  body: unknown;
  change?: FakeAtmosphereChange;
}

interface Route {
  pattern: RegExp;
  method: string;
  /** Whether Atmosphere's InMaintenance permission guards the viewset (reference §4). */
  gated: boolean;
  handle(match: RegExpExecArray, body: unknown, query: Record<string, string>): Promise<Answer> | Answer;
}

const json = (status: number, body: unknown, change?: FakeAtmosphereChange): Answer => ({ status, body, change });
/** Atmosphere's v2 `failure_response` body. */
const failure = (status: number, message: string): Answer => json(status, { errors: [{ code: status, message }] });

/** `InstanceAction` ids as core/fixtures create them; only shown in the listing's url and id. */
const ACTION_IDS: Record<string, number> = { Terminate: 1, Reboot: 2, 'Hard Reboot': 3, Redeploy: 4, Resize: 5, Shelve: 6, Suspend: 7, Stop: 8, Imaging: 9, Resume: 10, Start: 11, 'Shelve Offload': 12, Unshelve: 13 };

/**
 * InstanceAction.valid_instance_actions (core/models/instance_action.py, v37), written out again here
 * so the fake does not share the bot's copy: initializing/networking/deploying count as active;
 * Terminate, Reboot and Hard Reboot always; Redeploy while active; the rest by settled state.
 */
function validInstanceActionKeys(status: string, activity: string | null): string[] {
  const last = ['initializing', 'networking', 'deploying'].includes(status) ? 'active' : status;
  const keys = ['Terminate', 'Reboot', 'Hard Reboot'];
  if (last === 'active') {
    keys.push('Redeploy');
    if (!activity) keys.push('Resize', 'Shelve', 'Suspend', 'Stop', 'Imaging');
  } else if (last === 'suspended') keys.push('Resume');
  else if (last === 'shutoff') keys.push('Start');
  else if (last === 'shelved') keys.push('Shelve Offload', 'Unshelve');
  return keys;
}
/** The columns QuotaSerializer validates with `_is_positive_int`; the others take any integer or null. */
const POSITIVE_QUOTA_KEYS: readonly string[] = ['cpu', 'memory', 'storage', 'storage_count'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** AllocationSourceSerializer's fields (api/v2/serializers/details/allocation_source.py). */
function allocationSourceBody(uuid: string, source: FakeAllocationSource, computeAllowed: number) {
  return {
    id: source.id,
    url: `http://127.0.0.1${BASE}/allocation_sources/${uuid}`,
    name: source.name,
    uuid,
    compute_allowed: computeAllowed,
    start_date: '2026-01-01T00:00:00Z',
    end_date: null,
    compute_used: source.computeUsed.toFixed(3),
    global_burn_rate: '0.000',
    updated: null,
    renewal_strategy: source.renewalStrategy ?? 'default',
    user_compute_used: '0.000',
    user_burn_rate: null,
    user_snapshot_updated: null,
  };
}
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isInt = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

/** Starts the fake on 127.0.0.1 and an ephemeral port. */
export async function startFakeAtmosphereApi(options: FakeAtmosphereOptions = {}): Promise<FakeAtmosphereApi> {
  const token = options.token ?? 'fake-atmosphere-token-0123456789';
  const statusNames = options.statusNames ?? DEFAULT_STATUS_NAMES;
  const quotas: FakeQuota[] = (options.quotas ?? []).map((quota) => ({ ...quota, uuid: quota.uuid ?? randomUUID() }));
  const identities: FakeAtmosphereApi['identities'] = new Map();
  const resourceRequests: FakeAtmosphereApi['resourceRequests'] = new Map();
  const machineRequests: FakeAtmosphereApi['machineRequests'] = new Map();
  const calls: RecordedCall[] = [];
  const failures: { method?: string; pathPrefix?: string; status: number; body: unknown }[] = [];
  const afterApplying: { method?: string; pathPrefix?: string; outcome: number | 'reset' | 'hang' }[] = [];
  const hung = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  let maintenance: string | null = null;
  let delayMs = 0;

  const exists = async (kind: RecordKind, id: string) => (options.exists ? await options.exists(kind, id) : true);
  const statusIdFrom = (value: unknown): number | undefined => {
    const id = isRecord(value) ? value.id : value;
    return isInt(id) ? id : undefined;
  };

  const routes: Route[] = [
    {
      pattern: /^\/quotas$/,
      method: 'POST',
      gated: false,
      handle(_match, body) {
        if (!isRecord(body)) return json(400, { non_field_errors: ['Invalid data. Expected a dictionary.'] });
        const errors: Record<string, string[]> = {};
        for (const key of QUOTA_KEYS) {
          if (!(key in body)) errors[key] = ['This field is required.'];
          else if (body[key] !== null && !isInt(body[key])) errors[key] = ['A valid integer is required.'];
          // QuotaSerializer.validate_<key> -> _is_positive_int: `type(value) != int or value < 1` is
          // refused, and DRF 3.9 runs field validators on null too (api/v2/serializers/details/quota.py).
          else if (POSITIVE_QUOTA_KEYS.includes(key) && !(isInt(body[key]) && (body[key] as number) >= 1)) errors[key] = [`Value of ${key} should be >= 1`];
        }
        if (Object.keys(errors).length > 0) return json(400, errors);
        const value = (key: keyof QuotaValues) => {
          const given = body[key];
          return isInt(given) ? given : null;
        };
        const values: QuotaValues = {
          cpu: value('cpu'),
          memory: value('memory'),
          storage: value('storage'),
          instance_count: value('instance_count'),
          snapshot_count: value('snapshot_count'),
          storage_count: value('storage_count'),
          floating_ip_count: value('floating_ip_count'),
          port_count: value('port_count'),
        };
        const existing = quotas.find((quota) => QUOTA_KEYS.every((key) => quota[key] === values[key]));
        if (existing) return json(200, existing, { kind: 'quota', quota: existing, created: false });
        const quota: FakeQuota = { id: Math.max(0, ...quotas.map((row) => row.id)) + 1, uuid: randomUUID(), ...values };
        quotas.push(quota);
        return json(201, quota, { kind: 'quota', quota, created: true });
      },
    },
    {
      pattern: /^\/identities\/([^/]+)$/,
      method: 'PATCH',
      gated: true,
      async handle(match, body, query) {
        const identityUuid = decodeURIComponent(match[1] ?? '');
        // Staff see other users' identities only through the `?username=` filter Troposphere sends.
        const username = query.username;
        if (!username || !(await exists('identity', identityUuid))) return json(404, { detail: 'Not found.' });
        const quota = isRecord(body) ? body.quota : undefined;
        if (!isRecord(quota) || !isInt(quota.id)) {
          return json(400, { quota: ['Expected {"id": <quota id>}.'] });
        }
        const quotaId = quota.id;
        if (!quotas.some((row) => row.id === quotaId)) {
          return json(400, { quota: [`Invalid pk "${quotaId}" - object does not exist.`] });
        }
        identities.set(identityUuid, { username, quotaId });
        return json(
          200,
          { uuid: identityUuid, quota: quotas.find((row) => row.id === quotaId) },
          { kind: 'identity_quota', identityUuid, username, quotaId },
        );
      },
    },
    {
      pattern: /^\/admin\/resource_requests\/(\d+)$/,
      method: 'PATCH',
      gated: true,
      async handle(match, body) {
        const id = Number(match[1]);
        if (!(await exists('resource_request', String(id)))) return json(404, { detail: 'Not found.' });
        if (!isRecord(body) || !('status' in body)) return json(400, { status: ['This field is required.'] });
        const statusId = statusIdFrom(body.status);
        if (statusId === undefined) return json(400, { status: ['Incorrect type. Expected pk value.'] });
        const statusName = statusNames[statusId];
        if (statusName === undefined) return json(400, { status: [`Invalid pk "${statusId}" - object does not exist.`] });
        if (body.admin_message !== undefined && typeof body.admin_message !== 'string') {
          return json(400, { admin_message: ['Not a valid string.'] });
        }
        const adminMessage = body.admin_message;
        resourceRequests.set(id, { statusId, adminMessage });
        return json(
          200,
          { id, status: { id: statusId, name: statusName }, admin_message: adminMessage ?? '' },
          { kind: 'resource_request_status', id, statusId, statusName, adminMessage },
        );
      },
    },
    {
      pattern: /^\/machine_requests\/(\d+)$/,
      method: 'PATCH',
      gated: true,
      async handle(match, body) {
        const id = Number(match[1]);
        if (!(await exists('machine_request', String(id)))) return json(404, { detail: 'Not found.' });
        const status = isRecord(body) ? body.status : undefined;
        // The real view does StatusType.objects.get(id=initial_data['status']): only a bare id works (§4.2).
        if (!isInt(status)) {
          return json(400, { detail: `Malformed request: status must be a bare status_type id, got ${JSON.stringify(status)}.` });
        }
        const statusName = statusNames[status];
        if (statusName === undefined) return json(400, { detail: 'StatusType matching query does not exist.' });
        machineRequests.set(id, { statusId: status });
        return json(200, { id, status: statusName }, { kind: 'machine_request_status', id, statusId: status, statusName });
      },
    },
  ];

  routes.push({
    // AllocationSourceViewSet.update (api/v2/views/allocation_source.py, v37): the pk is looked up
    // with `AllocationSource.objects.filter(uuid=pk).last().name` before any try, so an unknown or
    // non-uuid pk is a 500; the caller must be staff; `int(compute_allowed)` below 0 or below the
    // source's compute_used is a 400 failure_response; otherwise an
    // `allocation_source_compute_allowed_changed` event sets it, and the answer is the
    // AllocationSourceSerializer of the source.
    pattern: /^\/allocation_sources\/([^/]+)$/,
    method: 'PATCH',
    gated: true,
    async handle(match, body) {
      const uuid = decodeURIComponent(match[1] ?? '');
      const source = UUID.test(uuid) && options.allocationSources ? await options.allocationSources(uuid) : null;
      if (!source) return json(500, DEFAULT_FAILURES[500]);
      if (!isRecord(body) || !('compute_allowed' in body)) {
        // Nothing to change: the view answers the source as it is, and no event is made.
        return json(200, allocationSourceBody(uuid, source, source.computeAllowed));
      }
      const given = body.compute_allowed;
      const computeAllowed = isInt(given) ? given : typeof given === 'string' && /^-?\d+$/.test(given.trim()) ? Number(given) : null;
      if (computeAllowed === null) return failure(400, `invalid literal for int() with base 10: ${JSON.stringify(given)}`);
      if (computeAllowed < 0) return failure(400, 'Compute allowed cannot be less than 0');
      if (computeAllowed < source.computeUsed) return failure(400, 'Compute allowed cannot be less than compute used');
      return json(200, allocationSourceBody(uuid, source, computeAllowed), { kind: 'allocation_compute', uuid, name: source.name, computeAllowed });
    },
  });

  const findInstance = async (uuid: string) => (options.instances ? await options.instances(uuid) : null);
  const instanceRoutes: Route[] = [
    {
      // InstanceViewSet.actions, GET: InstanceAction.filter_by_instance(pk) looks a string pk up by
      // provider_alias and lists InstanceActionSerializer rows: url, id, key, name, description
      // (api/v2/views/instance.py, core/models/instance_action.py, api/v2/serializers/details/instance_action.py).
      pattern: /^\/instances\/([^/]+)\/actions$/,
      method: 'GET',
      gated: true,
      async handle(match) {
        const uuid = decodeURIComponent(match[1] ?? '');
        const found = await findInstance(uuid);
        if (!found) return json(404, { detail: 'Not found.' });
        const keys = validInstanceActionKeys(found.status, found.activity).filter((key) => !(found.disabled ?? []).includes(key));
        return json(
          200,
          keys.map((key) => ({ url: `http://127.0.0.1${BASE}/instance_actions/${ACTION_IDS[key] ?? 0}`, id: ACTION_IDS[key] ?? 0, key, name: key, description: `${key} an instance` })),
        );
      },
    },
    {
      // InstanceViewSet.actions, POST: pops `action` and runs run_instance_action(user, identity,
      // pk, action, params); 200 {"result": "success", "message": ..., "object": ...}; failures come
      // from failure_response as {"errors": [{"code": n, "message": ...}]} (api/v2/exceptions.py):
      // 404 "Instance <id> no longer exists", 409 for an action the provider disabled or does not
      // know (ActionNotAllowed), 403 "... encountered an irrecoverable exception: ..." for the rest.
      // Note: v37's view formats the 409/403 messages with action_params['action'] after popping it,
      // so a real server may answer those with a 500 page instead; the gateway maps both.
      pattern: /^\/instances\/([^/]+)\/actions$/,
      method: 'POST',
      gated: true,
      async handle(match, body) {
        const uuid = decodeURIComponent(match[1] ?? '');
        if (!isRecord(body) || typeof body.action !== 'string') return json(500, DEFAULT_FAILURES[500]);
        const found = await findInstance(uuid);
        if (!found) return failure(404, `Instance ${uuid} no longer exists`);
        const action = body.action;
        const key = action === 'redeploy' ? 'Redeploy' : action === 'reboot' ? (body.reboot_type === 'HARD' ? 'Hard Reboot' : 'Reboot') : null;
        if (key === null || (found.disabled ?? []).includes(key)) {
          return failure(409, `The requested action ${action} has been explicitly disabled on this provider.`);
        }
        const rebootType = body.reboot_type === undefined ? 'SOFT' : body.reboot_type;
        if (action === 'reboot' && rebootType !== 'SOFT' && rebootType !== 'HARD') {
          return failure(403, `The requested action reboot encountered an irrecoverable exception: Invalid reboot_type ${JSON.stringify(rebootType)}`);
        }
        return json(
          200,
          { result: 'success', message: `The requested action <${action}> was run successfully`, object: null },
          { kind: 'instance_action', uuid, action: action === 'redeploy' ? 'redeploy' : 'reboot', rebootType: action === 'reboot' ? (rebootType as 'SOFT' | 'HARD') : null },
        );
      },
    },
  ];
  routes.push(...instanceRoutes);

  const catalogue = options.catalogue ?? { versions: new Map(), applications: new Map() };
  const imageRoutes: Route[] = [
    {
      // ImageVersionViewSet (AuthOptionalViewSet: InMaintenance, ApiAuthOptional) over
      // ApplicationVersion.current_machines(user): a version the token cannot see is a 404.
      // ImageVersionSerializer: `image` is a ModelRelatedField on `application` looked up by pk, and
      // unique_together ('application', 'name') gives DRF's UniqueTogetherValidator message
      // (api/v2/views/image_version.py, api/v2/serializers/details/image_version.py, core/serializers/fields/base.py).
      pattern: /^\/image_versions\/([^/]+)$/,
      method: 'PATCH',
      gated: true,
      handle(match, body) {
        const versionId = decodeURIComponent(match[1] ?? '');
        const version = catalogue.versions.get(versionId);
        if (!version || version.visible === false) return json(404, { detail: 'Not found.' });
        if (!isRecord(body)) return json(400, { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
        let applicationId = version.applicationId;
        if ('image' in body) {
          const given = isRecord(body.image) ? body.image.pk : body.image;
          if (!isInt(given) || !catalogue.applications.has(given)) {
            return json(400, { image: [`Application with Field: pk '${String(given)}' does not exist.`] });
          }
          applicationId = given;
        }
        let name = version.name;
        if ('name' in body) {
          if (typeof body.name !== 'string' || body.name.trim() === '') return json(400, { name: ['This field may not be blank.'] });
          if (body.name.length > 256) return json(400, { name: ['Ensure this field has no more than 256 characters.'] });
          name = body.name;
        }
        const clash = [...catalogue.versions.entries()].some(([id, other]) => id !== versionId && other.applicationId === applicationId && other.name === name);
        if (clash) return json(400, { non_field_errors: ['The fields application, name must make a unique set.'] });
        catalogue.versions.set(versionId, { ...version, applicationId, name });
        const app = catalogue.applications.get(applicationId)!;
        return json(
          200,
          { id: versionId, name, image: { id: applicationId, name: app.name, is_public: !app.private } },
          { kind: 'image_version', versionId, applicationId, name },
        );
      },
    },
    {
      // ImageViewSet: staff pass CanEditOrReadOnly and ApplicationMemberOrReadOnly; `is_public` is a
      // SwapBooleanField on `private` (api/v2/views/image.py, api/v2/serializers/details/image.py).
      pattern: /^\/images\/(\d+)$/,
      method: 'PATCH',
      gated: true,
      handle(match, body) {
        const applicationId = Number(match[1]);
        const app = catalogue.applications.get(applicationId);
        if (!app) return json(404, { detail: 'Not found.' });
        if (!isRecord(body)) return json(400, { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
        if ('is_public' in body && typeof body.is_public !== 'boolean') return json(400, { is_public: ['Must be a valid boolean.'] });
        if (body.is_public === true) app.private = false;
        if (body.is_public === false) app.private = true;
        return json(200, { id: applicationId, name: app.name, is_public: !app.private }, { kind: 'application_public', applicationId });
      },
    },
  ];
  routes.push(...imageRoutes);

  async function answer(request: IncomingMessage, call: RecordedCall, rawBody: string): Promise<Answer> {
    if (delayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, delayMs);
        timers.add(timer);
      });
    }
    const relative = call.path.startsWith(`${BASE}/`) ? call.path.slice(BASE.length) : undefined;
    const failure = failures.findIndex((entry) => matches(entry, call));
    if (failure !== -1) {
      const [entry] = failures.splice(failure, 1);
      return json(entry?.status ?? 500, entry?.body);
    }
    const route =
      relative === undefined
        ? undefined
        : (routes.find((candidate) => candidate.pattern.test(relative) && candidate.method === call.method) ??
          routes.find((candidate) => candidate.pattern.test(relative)));
    const match = route && relative !== undefined ? route.pattern.exec(relative) : null;
    if (!route || !match) return json(404, DJANGO_NOT_FOUND);

    const authorization = request.headers.authorization;
    if (authorization === undefined) return json(401, { detail: 'Authentication credentials were not provided.' });
    if (authorization !== `Token ${token}`) return json(401, { detail: 'Invalid token.' });
    if (call.method !== route.method) return json(405, { detail: `Method "${call.method}" not allowed.` });
    if (route.gated && maintenance !== null) return json(503, { detail: maintenance });
    if (call.method === 'GET') return route.handle(match, undefined, call.query);
    const contentType = request.headers['content-type'] ?? '';
    if (!contentType.startsWith('application/json')) {
      return json(415, { detail: `Unsupported media type "${contentType}" in request.` });
    }
    if (typeof call.body === 'string' || call.body === undefined) {
      return json(400, { detail: `JSON parse error - ${rawBody === '' ? 'empty body' : 'invalid JSON'}` });
    }
    return route.handle(match, call.body, call.query);
  }

  function matches(entry: { method?: string; pathPrefix?: string }, call: RecordedCall): boolean {
    const relative = call.path.startsWith(`${BASE}/`) ? call.path.slice(BASE.length) : undefined;
    return (
      (entry.method === undefined || entry.method.toUpperCase() === call.method) &&
      (entry.pathPrefix === undefined || call.path.startsWith(entry.pathPrefix) || (relative !== undefined && relative.startsWith(entry.pathPrefix)))
    );
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    let body: unknown;
    if (rawBody !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = rawBody;
      }
    }
    const call: RecordedCall = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: request.headers,
      body,
      status: 0,
    };
    calls.push(call);
    let result: Answer;
    try {
      result = await answer(request, call, rawBody);
      if (result.status < 300 && result.change) {
        call.change = result.change;
        await fake.onChange?.(call);
      }
    } catch {
      result = json(500, DEFAULT_FAILURES[500]);
    }
    const lost = result.status < 300 && result.change ? afterApplying.findIndex((entry) => matches(entry, call)) : -1;
    if (lost !== -1) {
      const [entry] = afterApplying.splice(lost, 1);
      if (entry!.outcome === 'reset') {
        call.status = 0;
        request.socket.resetAndDestroy();
        return;
      }
      if (entry!.outcome === 'hang') {
        call.status = 0;
        hung.add(response);
        response.on('close', () => hung.delete(response));
        return;
      }
      result = json(entry!.outcome, undefined);
    }
    call.status = result.status;
    if (response.destroyed) return;
    const payload = result.body === undefined ? (DEFAULT_FAILURES[result.status] ?? { detail: `HTTP ${result.status}` }) : result.body;
    const isText = typeof payload === 'string';
    response.writeHead(result.status, {
      'Content-Type': isText ? 'text/html; charset=utf-8' : 'application/json',
      ...(result.status === 401 ? { 'WWW-Authenticate': 'Token' } : {}),
    });
    response.end(isText ? payload : JSON.stringify(payload));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeAtmosphereApi = {
    url: `http://127.0.0.1:${port}${BASE}`,
    token,
    calls,
    quotas,
    identities,
    resourceRequests,
    machineRequests,
    catalogue,
    onChange: undefined,
    failNext(match, status, body) {
      failures.push({ ...match, status, body });
    },
    failAfterApplying(match, outcome) {
      afterApplying.push({ ...match, outcome });
    },
    setMaintenance(detail) {
      maintenance = detail;
    },
    delay(ms) {
      delayMs = ms;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const response of hung) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
  return fake;
}
