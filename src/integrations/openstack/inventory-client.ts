import { IntegrationError } from '../../errors.js';
import { createInFlight } from '../kv/in-flight.js';
import type { CatalogService, KeystoneSession, ServiceAnswer } from './keystone-session.js';
import { NOVA_MICROVERSION } from './nova-client.js';

/** One server of Nova's `GET /servers/detail` (compute api-ref "List Servers Detailed"). */
export interface ListedServer {
  id: string;
  name: string;
  status: string;
  taskState: string | null;
  /** `tenant_id`: the Keystone project that owns it. */
  projectId: string | null;
}

/** The quota limits the bot compares; a key Nova or Cinder left out is absent. */
export type QuotaSet = Readonly<Record<string, number>>;

/** What reconciliation reads of one provider's cloud: every server, the projects, and the quota sets. */
export interface CloudInventory {
  readonly providerId: number;
  /** Every server in every project, following `servers_links` page by page. */
  listServers(): Promise<ListedServer[]>;
  /** Keystone projects by name (`GET /v3/projects`); a name Keystone does not have is absent. */
  findProjects(names: readonly string[]): Promise<Map<string, string>>;
  /** Nova's `GET /os-quota-sets/{project_id}`. */
  computeQuota(projectId: string): Promise<QuotaSet>;
  /** Cinder's `GET /v3/{admin project}/os-quota-sets/{project_id}`. */
  volumeQuota(projectId: string): Promise<QuotaSet>;
  /** Neutron's `GET /v2.0/quotas/{project_id}`. */
  networkQuota(projectId: string): Promise<QuotaSet>;
}

/** Servers asked for per page; Nova caps it at its `max_limit` (1000 by default) and links the next page either way. */
export const SERVER_PAGE_SIZE = 500;
/** A cloud with more pages than this is not listed further: a marker loop, not a real cloud. */
const MAX_PAGES = 400;

const NOVA_HEADERS = { 'OpenStack-API-Version': `compute ${NOVA_MICROVERSION}`, 'X-OpenStack-Nova-API-Version': NOVA_MICROVERSION };
const SOURCE: Record<CatalogService, string> = { compute: 'Nova', volume: 'Cinder', network: 'Neutron', identity: 'Keystone', image: 'Glance' };

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * Reads, never writes: every call is a GET, so the session may repeat it after a 401. Listing servers
 * of all projects and reading another project's quota need an admin (or system reader) role in
 * Nova's and Cinder's default policies; a 403 says so.
 */
export function createCloudInventory(providerId: number, keystone: KeystoneSession): CloudInventory {
  // Two reconciliations of one provider at once (a command and the weekly job) read each page once.
  const inFlight = createInFlight();
  function get(service: CatalogService, path: string, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
    return inFlight.share(`${service} ${path}`, () => read(service, path, headers));
  }

  async function read(service: CatalogService, path: string, headers: Record<string, string>): Promise<Record<string, unknown>> {
    const label = `GET ${path}`;
    const answer: ServiceAnswer = await keystone.call(service, { method: 'GET', path, headers });
    const source = SOURCE[service];
    if (answer.status !== 200) {
      throw new IntegrationError('openstack', `${source} of ${keystone.where} refused ${label} (HTTP ${answer.status})${answer.said ? `: ${answer.said}` : ''}`, {
        operation: label,
        status: answer.status,
        ...(answer.status === 403 ? { hint: 'this needs an admin or reader role for every project in its policy' } : {}),
        detail: answer.said ?? `HTTP ${answer.status}`,
      });
    }
    const body = record(answer.json);
    if (!body) throw malformed(source, label, answer);
    return body;
  }

  function malformed(source: string, label: string, answer: ServiceAnswer): IntegrationError {
    return new IntegrationError('openstack', `${source} of ${keystone.where} answered ${label} with a body the bot cannot read${answer.said ? `: ${answer.said.slice(0, 80)}` : ''}`, {
      operation: label,
      code: 'malformed',
      status: answer.status,
      detail: 'malformed body',
    });
  }

  function quotaOf(source: string, label: string, body: Record<string, unknown>, field = 'quota_set'): QuotaSet {
    const set = record(body[field]);
    if (!set) throw malformed(source, label, { status: 200, json: body, said: undefined });
    const limits: Record<string, number> = {};
    for (const [key, value] of Object.entries(set)) if (typeof value === 'number' && Number.isInteger(value)) limits[key] = value;
    return limits;
  }

  return {
    providerId,
    async listServers() {
      const servers: ListedServer[] = [];
      let marker: string | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const query = `all_tenants=1&limit=${SERVER_PAGE_SIZE}${marker ? `&marker=${encodeURIComponent(marker)}` : ''}`;
        const path = `/servers/detail?${query}`;
        const body = await get('compute', path, NOVA_HEADERS);
        if (!Array.isArray(body.servers)) throw malformed('Nova', `GET ${path}`, { status: 200, json: body, said: undefined });
        for (const entry of body.servers) {
          const server = record(entry);
          if (!server || typeof server.id !== 'string' || typeof server.status !== 'string') throw malformed('Nova', `GET ${path}`, { status: 200, json: body, said: undefined });
          servers.push({
            id: server.id,
            name: typeof server.name === 'string' ? server.name : '',
            status: server.status,
            taskState: typeof server['OS-EXT-STS:task_state'] === 'string' ? server['OS-EXT-STS:task_state'] : null,
            projectId: typeof server.tenant_id === 'string' ? server.tenant_id : null,
          });
        }
        const next = nextMarker(body.servers_links);
        // The next link names the last server of this page; an empty page or the same marker ends it.
        if (!next || body.servers.length === 0 || next === marker) return servers;
        marker = next;
      }
      throw new IntegrationError('openstack', `Nova of ${keystone.where} kept linking a next page after ${MAX_PAGES} pages of servers; the listing was stopped`, { detail: 'too many pages' });
    },
    async findProjects(names) {
      const wanted = new Set(names);
      const found = new Map<string, string>();
      const take = (body: Record<string, unknown>, label: string) => {
        if (!Array.isArray(body.projects)) throw malformed('Keystone', label, { status: 200, json: body, said: undefined });
        for (const entry of body.projects) {
          const project = record(entry);
          if (project && typeof project.name === 'string' && typeof project.id === 'string' && wanted.has(project.name) && !found.has(project.name)) found.set(project.name, project.id);
        }
      };
      // One listing answers for every name; Keystone marks it `truncated` when its list_limit cut it,
      // and then each name not seen is asked for on its own (identity api-ref "List projects").
      const all = await get('identity', '/projects');
      take(all, 'GET /projects');
      if (all.truncated === true) {
        for (const name of wanted) {
          if (found.has(name)) continue;
          const path = `/projects?name=${encodeURIComponent(name)}`;
          take(await get('identity', path), `GET ${path}`);
        }
      }
      return found;
    },
    async computeQuota(projectId) {
      const path = `/os-quota-sets/${encodeURIComponent(projectId)}`;
      return quotaOf('Nova', `GET ${path}`, await get('compute', path, NOVA_HEADERS));
    },
    async volumeQuota(projectId) {
      // The catalog's block-storage endpoint already ends in /v3/<the token's project>.
      const path = `/os-quota-sets/${encodeURIComponent(projectId)}`;
      return quotaOf('Cinder', `GET ${path}`, await get('volume', path));
    },
    async networkQuota(projectId) {
      // Neutron's catalog endpoint has no version in it, and its answer is `{"quota": {...}}`
      // (networking api-ref "Show quota details for a tenant"); another project's needs the admin role.
      const path = `/v2.0/quotas/${encodeURIComponent(projectId)}`;
      return quotaOf('Neutron', `GET ${path}`, await get('network', path), 'quota');
    },
  };
}

/** The `marker` of the `rel: next` link in `servers_links`, or null on the last page. */
function nextMarker(links: unknown): string | null {
  if (!Array.isArray(links)) return null;
  for (const entry of links) {
    const link = record(entry);
    if (link?.rel !== 'next' || typeof link.href !== 'string') continue;
    try {
      return new URL(link.href, 'http://nova.invalid').searchParams.get('marker');
    } catch {
      return null;
    }
  }
  return null;
}
