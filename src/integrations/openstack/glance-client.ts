import { IntegrationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { createRedactor } from '../../model/redactor.js';
import type { OpenStackCloud } from '../../model/openstack-clouds.js';

/** What the bot needs to know about a Glance image (Image API v2 `GET /v2/images/{id}`). */
export interface GlanceImage {
  id: string;
  /** `queued`, `saving`, `active`, `killed`, `deleted`, `pending_delete`, `deactivated`, `uploading`, `importing`. */
  status: string;
  /** `public`, `private`, `shared` or `community`. */
  visibility: string;
}

/** One provider's Glance, reached with that cloud's Keystone application credential. */
export interface GlanceClient {
  readonly providerId: number;
  /** The image, or null when Glance answers 404 (no such image, or deleted). */
  getImage(id: string): Promise<GlanceImage | null>;
  /** Sets the image's visibility, as `glance.images.update(id, visibility=…)` does in the guide. */
  setVisibility(id: string, visibility: 'public'): Promise<GlanceImage>;
}

/** The configured clouds; `glance(id)` is null for a provider OPENSTACK_CLOUDS does not name. */
export interface OpenStackClouds {
  providerIds(): number[];
  glance(providerId: number): GlanceClient | null;
}

export interface OpenStackOptions {
  clouds: readonly OpenStackCloud[];
  fetch?: typeof fetch;
  timeoutMs?: number;
  log: Logger;
  now?: () => Date;
}

/** Keystone tokens last an hour by default; one is dropped this long before it expires. */
const TOKEN_MARGIN_MS = 5 * 60_000;
const DEFAULT_TIMEOUT_MS = 15_000;
// Glance's v2 PATCH only takes its JSON-patch media type; anything else is a 415
// (glance/api/v2/images.py RequestDeserializer.update, Image API reference "Update image").
const JSON_PATCH = 'application/openstack-images-v2.1-json-patch';

/**
 * Builds one Glance client per configured provider. Each authenticates with
 * `POST <auth_url>/auth/tokens` and the `application_credential` method (keystone
 * api-ref "Authenticating with an Application Credential"), takes the token from
 * `X-Subject-Token` and the image endpoint from the returned catalog, and keeps the token until
 * shortly before its `expires_at`.
 */
export function createOpenStackClouds(options: OpenStackOptions): OpenStackClouds {
  const clients = new Map(options.clouds.map((cloud) => [cloud.providerId, createGlanceClient(cloud, options)]));
  return {
    providerIds: () => [...clients.keys()].sort((a, b) => a - b),
    glance: (providerId) => clients.get(providerId) ?? null,
  };
}

function createGlanceClient(cloud: OpenStackCloud, options: OpenStackOptions): GlanceClient {
  const send = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = options.now ?? (() => new Date());
  const log = options.log.child({ provider: cloud.providerId });
  let session: { token: string; imageUrl: string; expiresAt: number } | null = null;
  const redact = createRedactor([cloud.applicationCredentialSecret]);
  const where = `provider ${cloud.providerId}`;

  async function request(url: string, init: RequestInit, label: string): Promise<Response> {
    try {
      return await send(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const detail = timedOut ? `waited ${timeoutMs} ms` : redact(networkReason(error));
      log.warn({ label, detail }, 'openstack call failed');
      throw new IntegrationError('openstack', `could not reach OpenStack of ${where} for ${label}: ${detail}`, { detail, cause: error });
    }
  }

  async function authenticate(): Promise<{ token: string; imageUrl: string }> {
    if (session && session.expiresAt - TOKEN_MARGIN_MS > now().getTime()) return session;
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
      throw new IntegrationError('openstack', `Keystone of ${where} refused the application credential (HTTP ${response.status}${said}); check OPENSTACK_CLOUDS`, {
        status: response.status,
        detail: `Keystone answered HTTP ${response.status}${said}`,
      });
    }
    const endpoint = (body.token.catalog ?? [])
      .filter((service) => service.type === 'image')
      .flatMap((service) => service.endpoints ?? [])
      .find((candidate) => candidate.interface === cloud.interface && (cloud.regionName === undefined || candidate.region_id === cloud.regionName || candidate.region === cloud.regionName));
    if (!endpoint?.url) {
      throw new IntegrationError('openstack', `the Keystone catalog of ${where} has no ${cloud.interface} image (Glance) endpoint${cloud.regionName ? ` in region ${cloud.regionName}` : ''}`, {
        detail: 'no image endpoint in the catalog',
      });
    }
    const expiresAt = body.token.expires_at ? Date.parse(body.token.expires_at) : now().getTime() + 3_600_000;
    session = { token, imageUrl: endpoint.url.replace(/\/+$/, ''), expiresAt };
    return session;
  }

  /**
   * One Glance call. A 401 means the token was revoked or expired early: the call is made once more
   * with a fresh token (both calls here are idempotent: a read, and setting one field to a value).
   */
  async function glance(method: 'GET' | 'PATCH', imageId: string, body?: unknown): Promise<{ status: number; image: GlanceImage | null; said: string | undefined }> {
    const first = await glanceOnce(method, imageId, body);
    return first.status === 401 ? glanceOnce(method, imageId, body) : first;
  }

  async function glanceOnce(method: 'GET' | 'PATCH', imageId: string, body?: unknown): Promise<{ status: number; image: GlanceImage | null; said: string | undefined }> {
    const auth = await authenticate();
    const label = `${method} /v2/images/${imageId}`;
    const response = await request(
      `${auth.imageUrl}/v2/images/${encodeURIComponent(imageId)}`,
      {
        method,
        headers: { 'X-Auth-Token': auth.token, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': JSON_PATCH }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      label,
    );
    const text = await response.text();
    if (response.status === 401) session = null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const image = isImage(parsed) ? { id: parsed.id, status: parsed.status, visibility: parsed.visibility } : null;
    log.info({ label, status: response.status }, 'openstack call');
    return { status: response.status, image, said: text.trimStart().startsWith('<') ? undefined : redact(text.replace(/\s+/g, ' ').slice(0, 200)) };
  }

  return {
    providerId: cloud.providerId,
    async getImage(id) {
      const answer = await glance('GET', id);
      if (answer.status === 404) return null;
      if (answer.status === 200 && answer.image) return answer.image;
      throw failure(answer, `GET /v2/images/${id}`);
    },
    async setVisibility(id, visibility) {
      const answer = await glance('PATCH', id, [{ op: 'replace', path: '/visibility', value: visibility }]);
      if (answer.status === 200 && answer.image) return answer.image;
      throw failure(answer, `PATCH /v2/images/${id}`);
    },
  };

  function failure(answer: { status: number; said: string | undefined }, label: string): IntegrationError {
    const hint = answer.status === 403 ? ' (making an image public needs the admin role in Glance\'s default policy)' : '';
    return new IntegrationError('openstack', `Glance of ${where} refused ${label} (HTTP ${answer.status})${hint}${answer.said ? `: ${answer.said}` : ''}`, {
      status: answer.status,
      detail: answer.said ?? `HTTP ${answer.status}`,
    });
  }
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

function isImage(value: unknown): value is GlanceImage {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.id === 'string' && typeof record.status === 'string' && typeof record.visibility === 'string';
}
