import type { FakeNovaServer } from './nova-routes.js';

/**
 * The listings reconciliation reads from the fake cloud, each shaped as its API reference says:
 *
 * - Nova `GET /v2.1/servers/detail` (compute api-ref "List Servers Detailed"): `{"servers": [...],
 *   "servers_links": [{"href": ".../servers/detail?...&marker=<last id>", "rel": "next"}]}`; the link
 *   is present when the page is full (nova/api/openstack/common.py `_get_collection_links`); `limit`
 *   is capped at the cloud's `max_limit` (`[api] max_limit`, 1000 by default); an unknown marker is 400
 *   "marker [x] not found"; `all_tenants` lists every project and is admin-only (policy
 *   `os_compute_api:servers:index:get_all_tenants`), without it only the token's project is listed.
 * - Nova `GET /v2.1/os-quota-sets/{tenant_id}` (api-ref "Show A Quota"): `{"quota_set": {"id", "cores",
 *   "ram" (MB), "instances", "key_pairs", ...}}`; at microversion 2.1 also the nova-network keys
 *   (`floating_ips`, `fixed_ips`, ...). A project Nova has no limits for answers the defaults; another
 *   project's quota is admin-only (403).
 * - Cinder `GET /v3/{project_id}/os-quota-sets/{target}` (block-storage api-ref "Show quotas for a
 *   project"): `{"quota_set": {"id", "volumes", "snapshots", "gigabytes", "backups", ...}}`; the path's
 *   project must be the token's.
 * - Neutron `GET /v2.0/quotas/{project_id}` (networking api-ref "Show quota details for a tenant"):
 *   `{"quota": {"floatingip", "network", "port", "rbac_policy", "router", "security_group",
 *   "security_group_rule", "subnet", "subnetpool"}}`, Neutron's defaults where the project has no
 *   limit of its own (neutron/conf/quota.py: 50 floating IPs, 500 ports, ...); another project's quota
 *   is admin-only (policy `get_quota`). The catalog's `network` endpoint has no version in it.
 * - Keystone `GET /v3/projects[?name=]` (identity api-ref "List projects"): `{"projects": [...],
 *   "links": {...}}`, with `"truncated": true` when `[DEFAULT] list_limit` cut the list.
 */
export interface InventoryState {
  servers: Map<string, FakeNovaServer>;
  /** Keystone projects, name -> id. */
  projects: Map<string, string>;
  computeQuotas: Map<string, Record<string, number>>;
  volumeQuotas: Map<string, Record<string, number>>;
  networkQuotas: Map<string, Record<string, number>>;
  /** The project the application credential's token is scoped to. */
  adminProjectId: string;
  admin: boolean;
  /** Nova's `max_limit`. */
  maxLimit: number;
  /** Keystone's `list_limit`, or null for none. */
  listLimit: number | null;
  base: string;
}

export interface RouteAnswer {
  status: number;
  body: unknown;
}

const NOVA_DEFAULTS = { cores: 20, ram: 51200, instances: 10, key_pairs: 100, metadata_items: 128, injected_files: 5, injected_file_content_bytes: 10240, injected_file_path_bytes: 255, server_groups: 10, server_group_members: 10 };
const NOVA_NETWORK_KEYS = { floating_ips: 10, fixed_ips: -1, security_groups: 10, security_group_rules: 20 };
const NEUTRON_DEFAULTS = { floatingip: 50, network: 100, port: 500, rbac_policy: 10, router: 10, security_group: 10, security_group_rule: 100, subnet: 100, subnetpool: -1 };
const CINDER_DEFAULTS = { volumes: 10, snapshots: 10, gigabytes: 1000, backups: 10, backup_gigabytes: 1000, per_volume_gigabytes: -1, groups: 10 };

function forbidden(rule: string): RouteAnswer {
  return { status: 403, body: { forbidden: { code: 403, message: `Policy doesn't allow ${rule} to be performed.` } } };
}

/** A listed server as Nova shows it in `servers/detail` (the same attributes as "Show Server Details"). */
function listed(id: string, server: FakeNovaServer, projectId: string) {
  return {
    id,
    name: server.name ?? `vm-${id.slice(0, 8)}`,
    status: server.status,
    tenant_id: projectId,
    user_id: 'fake',
    metadata: {},
    hostId: '',
    created: '2026-11-30T14:00:00Z',
    updated: '2026-11-30T14:02:11Z',
    addresses: {},
    links: [{ rel: 'self', href: `/v2.1/servers/${id}` }],
    'OS-EXT-STS:power_state': server.powerState ?? (server.status === 'ACTIVE' ? 1 : 0),
    'OS-EXT-STS:task_state': server.taskState ?? null,
    'OS-EXT-STS:vm_state': server.vmState ?? server.status.toLowerCase(),
  };
}

/** Nova's and Cinder's listing routes, or null when the path is not one of them. */
export function answerInventory(path: string, query: URLSearchParams, state: InventoryState): RouteAnswer | null {
  if (path === '/compute/v2.1/servers/detail') {
    const allTenants = ['1', 'true', 'True'].includes(query.get('all_tenants') ?? '');
    if (allTenants && !state.admin) return forbidden('os_compute_api:servers:index:get_all_tenants');
    const rawLimit = query.get('limit');
    if (rawLimit !== null && !/^\d+$/.test(rawLimit)) return { status: 400, body: { badRequest: { code: 400, message: `Invalid input for query parameters limit. Value: ${rawLimit}.` } } };
    const limit = Math.min(rawLimit === null ? state.maxLimit : Number(rawLimit), state.maxLimit);
    const all = [...state.servers].filter(([, server]) => allTenants || (server.projectId ?? state.adminProjectId) === state.adminProjectId);
    const marker = query.get('marker');
    let start = 0;
    if (marker !== null) {
      const at = all.findIndex(([id]) => id === marker);
      if (at === -1) return { status: 400, body: { badRequest: { code: 400, message: `marker [${marker}] not found` } } };
      start = at + 1;
    }
    const page = all.slice(start, start + limit);
    const servers = page.map(([id, server]) => listed(id, server, server.projectId ?? state.adminProjectId));
    const next = new URLSearchParams(query);
    next.set('limit', String(limit));
    if (page.length > 0) next.set('marker', page.at(-1)![0]);
    const links = page.length === limit && page.length > 0 ? [{ rel: 'next', href: `${state.base}/compute/v2.1/servers/detail?${next.toString()}` }] : [];
    return { status: 200, body: links.length > 0 ? { servers, servers_links: links } : { servers } };
  }
  const compute = /^\/compute\/v2\.1\/os-quota-sets\/([^/]+)$/.exec(path);
  if (compute) {
    const id = decodeURIComponent(compute[1]!);
    if (!state.admin && id !== state.adminProjectId) return forbidden('os_compute_api:os-quota-sets:show');
    return { status: 200, body: { quota_set: { id, ...NOVA_DEFAULTS, ...NOVA_NETWORK_KEYS, ...state.computeQuotas.get(id) } } };
  }
  const volume = /^\/volume\/v3\/([^/]+)\/os-quota-sets\/([^/]+)$/.exec(path);
  if (volume) {
    if (decodeURIComponent(volume[1]!) !== state.adminProjectId) return { status: 401, body: { error: { code: 401, message: 'The request you have made requires authentication.' } } };
    const id = decodeURIComponent(volume[2]!);
    if (!state.admin && id !== state.adminProjectId) return forbidden('volume_extension:quotas:show');
    return { status: 200, body: { quota_set: { id, ...CINDER_DEFAULTS, ...state.volumeQuotas.get(id) } } };
  }
  const network = /^\/network\/v2\.0\/quotas\/([^/]+)$/.exec(path);
  if (network) {
    const id = decodeURIComponent(network[1]!);
    if (!state.admin && id !== state.adminProjectId) return forbidden('get_quota');
    return { status: 200, body: { quota: { ...NEUTRON_DEFAULTS, ...state.networkQuotas.get(id) } } };
  }
  if (path === '/v3/projects') {
    if (!state.admin) return forbidden('identity:list_projects');
    const name = query.get('name');
    const all = [...state.projects].filter(([projectName]) => name === null || projectName === name);
    const cut = state.listLimit !== null && all.length > state.listLimit;
    const projects = (cut ? all.slice(0, state.listLimit!) : all).map(([projectName, id]) => ({
      id,
      name: projectName,
      domain_id: 'default',
      enabled: true,
      is_domain: false,
      parent_id: 'default',
      description: '',
      tags: [],
      links: { self: `${state.base}/v3/projects/${id}` },
    }));
    return { status: 200, body: { projects, links: { self: `${state.base}/v3/projects`, previous: null, next: null }, ...(cut ? { truncated: true } : {}) } };
  }
  return null;
}
