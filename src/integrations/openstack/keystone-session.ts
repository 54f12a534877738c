import { IntegrationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { createRedactor } from '../../model/redactor.js';
import type { OpenStackCloud } from '../../model/openstack-clouds.js';

/**
 * The services the bot calls: Glance, Nova, Cinder, Neutron, and Keystone itself. Keystone is reached
 * at the configured `auth_url` (the v3 base); the others through the catalog, Cinder under its
 * current type `block-storage` or the older `volumev3`, Neutron under `network`
 * (service-types-authority).
 */
export type CatalogService = 'image' | 'compute' | 'volume' | 'network' | 'identity';

const SERVICE_NAMES: Record<CatalogService, string> = { image: 'image (Glance)', compute: 'compute (Nova)', volume: 'block-storage (Cinder)', network: 'network (Neutron)', identity: 'identity (Keystone)' };
const CATALOG_TYPES: Record<Exclude<CatalogService, 'identity'>, readonly string[]> = { image: ['image'], compute: ['compute'], volume: ['block-storage', 'volumev3'], network: ['network'] };

export interface ServiceRequest {
  method: 'GET' | 'PATCH' | 'PUT' | 'POST';
  /** The path after the catalog endpoint, e.g. `/v2/images/<id>` or `/servers/<id>`. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** A service's answer: the status, the parsed JSON (undefined when not JSON) and a short redacted excerpt. */
export interface ServiceAnswer {
  status: number;
  json: unknown;
  said: string | undefined;
}

/** One provider's Keystone: a token and its service catalog, shared by that cloud's Glance and Nova clients. */
export interface KeystoneSession {
  /** `provider 4`, for messages. */
  readonly where: string;
  readonly log: Logger;
  /**
   * One call to a catalog service. A 401 means the token was revoked or expired early: the call is
   * made once more with a fresh token, so only idempotent calls belong here.
   */
  call(service: CatalogService, request: ServiceRequest): Promise<ServiceAnswer>;
}

export interface KeystoneOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
  log: Logger;
  now?: () => Date;
}

/** Keystone tokens last an hour by default; one is dropped this long before it expires. */
const TOKEN_MARGIN_MS = 5 * 60_000;
const DEFAULT_TIMEOUT_MS = 15_000;

interface Session {
  token: string;
  catalog: NonNullable<NonNullable<KeystoneTokenBody['token']>['catalog']>;
  expiresAt: number;
}

/**
 * Authenticates with `POST <auth_url>/auth/tokens` and the `application_credential` method (keystone
 * api-ref "Authenticating with an Application Credential"), takes the token from `X-Subject-Token` and
 * the endpoints from the returned catalog, and keeps both until shortly before the token's
 * `expires_at`. Concurrent callers share one authentication.
 */
export function createKeystoneSession(cloud: OpenStackCloud, options: KeystoneOptions): KeystoneSession {
  const send = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = options.now ?? (() => new Date());
  const log = options.log.child({ provider: cloud.providerId });
  const redact = createRedactor([cloud.applicationCredentialSecret]);
  const where = `provider ${cloud.providerId}`;
  let session: Session | null = null;
  let pending: Promise<Session> | null = null;

  async function request(url: string, init: RequestInit, label: string): Promise<Response> {
    try {
      return await send(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const detail = timedOut ? `waited ${timeoutMs} ms` : redact(networkReason(error));
      // Not logged here: whoever ends the failure (the dispatcher, a job, a handler that works around it) logs it once.
      throw new IntegrationError('openstack', `could not reach OpenStack of ${where} for ${label}: ${detail}`, { operation: label, code: timedOut ? 'timeout' : 'unreachable', detail, cause: error });
    }
  }

  async function authenticate(): Promise<Session> {
    const url = `${cloud.authUrl.replace(/\/+$/, '')}/auth/tokens`;
    const response = await request(
      url,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({
          auth: { identity: { methods: ['application_credential'], application_credential: { id: cloud.applicationCredentialId, secret: cloud.applicationCredentialSecret } } },
        }),
      },
      'Keystone authentication',
    );
    const body = (await response.json().catch(() => undefined)) as KeystoneTokenBody | undefined;
    const token = response.headers.get('x-subject-token');
    if (response.status !== 201 || !token || !body?.token) {
      const said = body?.error?.message ? `: ${redact(body.error.message)}` : '';
      throw new IntegrationError('openstack', `Keystone of ${where} refused the application credential (HTTP ${response.status}${said})`, {
        operation: 'Keystone authentication',
        status: response.status,
        detail: `Keystone answered HTTP ${response.status}${said}`,
      });
    }
    const expiresAt = body.token.expires_at ? Date.parse(body.token.expires_at) : now().getTime() + 3_600_000;
    return { token, catalog: body.token.catalog ?? [], expiresAt };
  }

  async function current(): Promise<Session> {
    if (session && session.expiresAt - TOKEN_MARGIN_MS > now().getTime()) return session;
    pending ??= authenticate().finally(() => (pending = null));
    session = await pending;
    return session;
  }

  function endpointOf(auth: Session, service: CatalogService): string {
    if (service === 'identity') return cloud.authUrl.replace(/\/+$/, '');
    const endpoint = CATALOG_TYPES[service]
      .flatMap((type) => auth.catalog.filter((entry) => entry.type === type))
      .flatMap((entry) => entry.endpoints ?? [])
      .find((candidate) => candidate.interface === cloud.interface && (cloud.regionName === undefined || candidate.region_id === cloud.regionName || candidate.region === cloud.regionName));
    if (!endpoint?.url) {
      throw new IntegrationError('openstack', `the Keystone catalog of ${where} has no ${cloud.interface} ${SERVICE_NAMES[service]} endpoint${cloud.regionName ? ` in region ${cloud.regionName}` : ''}`, {
        detail: `no ${service} endpoint in the catalog`,
      });
    }
    return endpoint.url.replace(/\/+$/, '');
  }

  async function callOnce(service: CatalogService, call: ServiceRequest): Promise<ServiceAnswer> {
    const auth = await current();
    const label = `${call.method} ${call.path}`;
    const response = await request(
      `${endpointOf(auth, service)}${call.path}`,
      {
        method: call.method,
        headers: { 'X-Auth-Token': auth.token, Accept: 'application/json', ...call.headers },
        ...(call.body === undefined ? {} : { body: call.body }),
      },
      label,
    );
    const text = await response.text().catch(() => '');
    if (response.status === 401 && session === auth) session = null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    log.info({ label, status: response.status }, 'openstack call');
    return { status: response.status, json, said: text.trimStart().startsWith('<') ? undefined : redact(text.replace(/\s+/g, ' ').slice(0, 200)) };
  }

  return {
    where,
    log,
    async call(service, call) {
      const first = await callOnce(service, call);
      return first.status === 401 ? callOnce(service, call) : first;
    },
  };
}

interface KeystoneTokenBody {
  token?: {
    expires_at?: string;
    catalog?: { type?: string; endpoints?: { interface?: string; region_id?: string; region?: string; url?: string }[] }[];
  };
  error?: { message?: string };
}

/** Node's fetch hides the reason (ECONNREFUSED, ENOTFOUND, ...) in `cause`. */
function networkReason(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (typeof cause === 'object' && cause !== null && typeof (cause as { code?: unknown }).code === 'string') return (cause as { code: string }).code;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
