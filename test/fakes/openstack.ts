import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerNova, type FakeNovaServer } from './nova-routes.js';
import { answerInventory, type InventoryState } from './inventory-routes.js';

export type { FakeNovaServer } from './nova-routes.js';

/**
 * One OpenStack cloud on 127.0.0.1: Keystone's `POST /v3/auth/tokens` with the application_credential
 * method, and Glance's image API v2 `GET`/`PATCH /v2/images/{id}` behind the catalog's `image`
 * endpoint, and Nova's `GET /v2.1/servers/{id}` behind the `compute` endpoint (nova-routes.ts). Shapes follow keystone's api-ref (token body with `expires_at` and `catalog`, the token in
 * `X-Subject-Token`, 201) and glance/api/v2/images.py (PATCH only with
 * `application/openstack-images-v2.1-json-patch`, else 415; a missing image is 404; publicizing an
 * image is admin-only in Glance's default policy, else 403). The listings reconciliation reads (Nova's
 * servers/detail and quota sets, Cinder's quota sets behind `block-storage`, Keystone's projects) are
 * in inventory-routes.ts.
 */
export interface FakeGlanceImage {
  status: string;
  visibility: string;
}

export interface FakeOpenStack {
  /** The Keystone v3 base, what OPENSTACK_CLOUDS' `auth_url` holds. */
  authUrl: string;
  credentialId: string;
  credentialSecret: string;
  images: Map<string, FakeGlanceImage>;
  servers: Map<string, FakeNovaServer>;
  /** Keystone projects, name -> id (what `GET /v3/projects` lists). */
  projects: Map<string, string>;
  /** Nova quota-set limits per project id, over Nova's defaults. */
  computeQuotas: Map<string, Record<string, number>>;
  /** Cinder quota-set limits per project id, over Cinder's defaults. */
  volumeQuotas: Map<string, Record<string, number>>;
  /** Neutron quota limits per project id, over Neutron's defaults. */
  networkQuotas: Map<string, Record<string, number>>;
  /** The project the credential's tokens are scoped to (the admin project). */
  adminProjectId: string;
  calls: { method: string; path: string; query: string; headers: IncomingMessage['headers']; body: unknown; status: number }[];
  /** The next request whose path starts with `pathPrefix` answers `status`. */
  failNext(pathPrefix: string, status: number): void;
  /** The next request whose path starts with `pathPrefix` answers only after `ms` (a timeout). */
  delayNext(pathPrefix: string, ms: number): void;
  /** The next request whose path starts with `pathPrefix` answers 200 with a body that is not JSON. */
  malformNext(pathPrefix: string): void;
  /** Revokes every token issued so far, as Keystone does when a credential is rotated. */
  revokeTokens(): void;
  /** Whether the credential's user has the admin role (may make images public, sees Nova's fault details); true by default. */
  setAdmin(admin: boolean): void;
  close(): Promise<void>;
}

export interface FakeOpenStackOptions {
  images?: Record<string, FakeGlanceImage>;
  servers?: Record<string, FakeNovaServer>;
  region?: string;
  projects?: Record<string, string>;
  /** Nova's `[api] max_limit` (servers per page at most); 1000 as in Nova. */
  maxLimit?: number;
  /** Keystone's `list_limit`; none by default. */
  listLimit?: number;
  /** Cinder's catalog type: `block-storage` (current), `volumev3` (older clouds) or none. */
  cinder?: 'block-storage' | 'volumev3' | 'none';
  /** Whether the catalog lists Neutron (`network`); true by default. */
  neutron?: boolean;
}

export async function startFakeOpenStack(options: FakeOpenStackOptions = {}): Promise<FakeOpenStack> {
  const credentialId = randomBytes(8).toString('hex');
  const credentialSecret = `secret-${randomBytes(12).toString('hex')}`;
  const images = new Map(Object.entries(options.images ?? {}));
  const servers = new Map(Object.entries(options.servers ?? {}));
  const delays: { pathPrefix: string; ms: number }[] = [];
  const malformed: string[] = [];
  const tokens = new Set<string>();
  const calls: FakeOpenStack['calls'] = [];
  const failures: { pathPrefix: string; status: number }[] = [];
  let admin = true;
  let base = '';
  const state: InventoryState = {
    servers,
    projects: new Map(Object.entries(options.projects ?? {})),
    computeQuotas: new Map(),
    volumeQuotas: new Map(),
    networkQuotas: new Map(),
    adminProjectId: randomBytes(16).toString('hex'),
    admin,
    maxLimit: options.maxLimit ?? 1000,
    listLimit: options.listLimit ?? null,
    base,
  };

  const send = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
    return status;
  };
  const imageBody = (id: string, image: FakeGlanceImage) => ({ id, name: `image-${id.slice(0, 8)}`, status: image.status, visibility: image.visibility, self: `/v2/images/${id}`, schema: '/v2/schemas/image' });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      body = raw;
    }
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const call = { method: request.method ?? 'GET', path, query: url.search, headers: request.headers, body, status: 0 };
    calls.push(call);
    const failure = failures.findIndex((entry) => path.startsWith(entry.pathPrefix));
    if (failure !== -1) {
      const [entry] = failures.splice(failure, 1);
      return (call.status = send(response, entry!.status, { error: { code: entry!.status, message: 'Injected failure' } }));
    }
    const delay = delays.findIndex((entry) => path.startsWith(entry.pathPrefix));
    if (delay !== -1) {
      const [entry] = delays.splice(delay, 1);
      await new Promise((resolve) => setTimeout(resolve, entry!.ms));
      if (response.destroyed) return (call.status = -1);
    }
    const broken = malformed.findIndex((prefix) => path.startsWith(prefix));
    if (broken !== -1) {
      malformed.splice(broken, 1);
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<html><body>502 Bad Gateway (proxy)</body></html');
      return (call.status = 200);
    }
    if (path === '/v3/auth/tokens' && call.method === 'POST') {
      const auth = (body as { auth?: { identity?: { methods?: unknown; application_credential?: { id?: unknown; secret?: unknown } } } } | undefined)?.auth?.identity;
      const ok = Array.isArray(auth?.methods) && auth.methods.includes('application_credential') && auth.application_credential?.id === credentialId && auth.application_credential.secret === credentialSecret;
      if (!ok) return (call.status = send(response, 401, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } }));
      const token = `gAAAA${randomBytes(16).toString('hex')}`;
      tokens.add(token);
      return (call.status = send(
        response,
        201,
        {
          token: {
            methods: ['application_credential'],
            expires_at: new Date(Date.now() + 3_600_000).toISOString(),
            catalog: [
              { type: 'identity', name: 'keystone', endpoints: [{ interface: 'public', region_id: options.region ?? 'RegionOne', url: `${base}/v3` }] },
              { type: 'compute', name: 'nova', endpoints: [{ interface: 'public', region_id: options.region ?? 'RegionOne', url: `${base}/compute/v2.1` }] },
              // Cinder's catalog URL names the token's project (block-storage api-ref, "API endpoints").
              ...(options.cinder === 'none'
                ? []
                : [{ type: options.cinder ?? 'block-storage', name: 'cinderv3', endpoints: [{ interface: 'public', region_id: options.region ?? 'RegionOne', url: `${base}/volume/v3/${state.adminProjectId}` }] }]),
              ...(options.neutron === false ? [] : [{ type: 'network', name: 'neutron', endpoints: [{ interface: 'public', region_id: options.region ?? 'RegionOne', url: `${base}/network` }] }]),
              { type: 'image', name: 'glance', endpoints: [
                { interface: 'internal', region_id: options.region ?? 'RegionOne', url: `${base}/internal-image-endpoint` },
                { interface: 'public', region_id: options.region ?? 'RegionOne', url: `${base}/image` },
              ] },
            ],
          },
        },
        { 'X-Subject-Token': token },
      ));
    }
    const listing = path === '/v3/projects' || path.startsWith('/compute/v2.1/servers/detail') || path.includes('/os-quota-sets/') || path.startsWith('/network/v2.0/quotas/');
    if (listing) {
      if (!tokens.has(String(request.headers['x-auth-token']))) return (call.status = send(response, 401, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } }));
      if (call.method !== 'GET') return (call.status = send(response, 405, { error: { code: 405, message: 'Method not allowed' } }));
      state.admin = admin;
      const answer = answerInventory(path, url.searchParams, state);
      if (answer) return (call.status = send(response, answer.status, answer.body));
    }
    const server = /^\/compute\/v2\.1\/servers\/([^/]+)$/.exec(path);
    if (server) {
      if (!tokens.has(String(request.headers['x-auth-token']))) return (call.status = send(response, 401, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } }));
      if (call.method !== 'GET') return (call.status = send(response, 405, { error: { code: 405, message: 'Method not allowed' } }));
      const answer = answerNova(decodeURIComponent(server[1]!), servers, request.headers, admin);
      return (call.status = send(response, answer.status, answer.body, answer.headers));
    }
    const match = /^\/image\/v2\/images\/([^/]+)$/.exec(path);
    if (!match) return (call.status = send(response, 404, { error: { code: 404, message: 'Not found' } }));
    if (!tokens.has(String(request.headers['x-auth-token']))) return (call.status = send(response, 401, { error: { code: 401, message: 'Authentication required' } }));
    const id = decodeURIComponent(match[1]!);
    const image = images.get(id);
    if (!image) return (call.status = send(response, 404, { code: 404, title: 'Not Found', message: `No image found with ID ${id}` }));
    if (call.method === 'GET') return (call.status = send(response, 200, imageBody(id, image)));
    if (call.method !== 'PATCH') return (call.status = send(response, 405, { message: 'Method not allowed' }));
    if (request.headers['content-type'] !== 'application/openstack-images-v2.1-json-patch') {
      return (call.status = send(response, 415, { message: `Unsupported Content-Type ${request.headers['content-type'] ?? ''}` }));
    }
    const ops = Array.isArray(body) ? (body as { op?: unknown; path?: unknown; value?: unknown }[]) : null;
    if (!ops || ops.some((op) => op.op !== 'replace' || op.path !== '/visibility' || !['public', 'private', 'shared', 'community'].includes(String(op.value)))) {
      return (call.status = send(response, 400, { message: 'Invalid JSON patch' }));
    }
    if (ops.some((op) => op.value === 'public') && !admin) {
      return (call.status = send(response, 403, { message: 'You are not authorized to complete publicize_image action.' }));
    }
    for (const op of ops) image.visibility = String(op.value);
    return (call.status = send(response, 200, imageBody(id, image)));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.base = base;
  return {
    authUrl: `${base}/v3`,
    credentialId,
    credentialSecret,
    images,
    servers,
    projects: state.projects,
    computeQuotas: state.computeQuotas,
    volumeQuotas: state.volumeQuotas,
    networkQuotas: state.networkQuotas,
    adminProjectId: state.adminProjectId,
    calls,
    failNext: (pathPrefix, status) => void failures.push({ pathPrefix, status }),
    delayNext: (pathPrefix, ms) => void delays.push({ pathPrefix, ms }),
    malformNext: (pathPrefix) => void malformed.push(pathPrefix),
    revokeTokens: () => tokens.clear(),
    setAdmin: (value) => void (admin = value),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
