import type { IncomingMessage } from 'node:http';

/**
 * Nova's `GET /v2.1/servers/{server_id}` for the fake cloud. Shapes from the compute api-ref ("Show
 * Server Details"): the body is `{"server": {...}}` with the `OS-EXT-STS:*` attributes and, for a
 * server in ERROR, `fault` {code, created, message, details}; `details` is left out for a non-admin
 * when the code is 500 (nova/api/openstack/compute/views/servers.py `_get_fault`). A missing server
 * is 404 `itemNotFound`. Microversions ("Microversions" in the api-ref): `OpenStack-API-Version:
 * compute X.Y` or the older `X-OpenStack-Nova-API-Version: X.Y`; none means 2.1; outside 2.1..2.96
 * is 406; anything unparseable 400. The answer names the version it served.
 */
export interface FakeNovaServer {
  status: string;
  name?: string;
  /** The owning Keystone project (`tenant_id`); the credential's own project when left out. */
  projectId?: string;
  taskState?: string | null;
  vmState?: string;
  powerState?: number;
  fault?: { code: number; message: string; details?: string; created?: string };
}

const MAX_MINOR = 96;

export interface NovaAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  /** The microversion the request asked for, as the fake read it. */
  microversion: string | null;
}

function requestedVersion(headers: IncomingMessage['headers']): { version: string | null; error?: number } {
  const modern = headers['openstack-api-version'];
  const legacy = headers['x-openstack-nova-api-version'];
  const raw = typeof modern === 'string' ? /^compute\s+(\S+)$/i.exec(modern.trim())?.[1] ?? 'unparseable' : typeof legacy === 'string' ? legacy.trim() : null;
  if (raw === null) return { version: null };
  if (raw === 'latest') return { version: `2.${MAX_MINOR}` };
  const match = /^2\.(\d+)$/.exec(raw);
  if (!match) return { version: raw, error: 400 };
  const minor = Number(match[1]);
  return minor < 1 || minor > MAX_MINOR ? { version: raw, error: 406 } : { version: raw };
}

export function answerNova(id: string, servers: Map<string, FakeNovaServer>, headers: IncomingMessage['headers'], admin: boolean): NovaAnswer {
  const asked = requestedVersion(headers);
  if (asked.error === 400) {
    return { status: 400, body: { badRequest: { code: 400, message: `API Version String ${asked.version} is of invalid format. Must be of format MajorNum.MinorNum.` } }, headers: {}, microversion: asked.version };
  }
  if (asked.error === 406) {
    return { status: 406, body: { computeFault: { code: 406, message: `Version ${asked.version} is not supported by the API. Minimum is 2.1 and maximum is 2.${MAX_MINOR}.` } }, headers: {}, microversion: asked.version };
  }
  const served = asked.version ?? '2.1';
  const versionHeaders = { 'OpenStack-API-Version': `compute ${served}`, 'X-OpenStack-Nova-API-Version': served, Vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version' };
  const server = servers.get(id);
  if (!server) return { status: 404, body: { itemNotFound: { code: 404, message: `Instance ${id} could not be found.` } }, headers: versionHeaders, microversion: asked.version };
  const fault = server.fault && {
    code: server.fault.code,
    created: server.fault.created ?? '2026-11-30T14:02:11Z',
    message: server.fault.message,
    ...(server.fault.details !== undefined && (admin || server.fault.code !== 500) ? { details: server.fault.details } : {}),
  };
  return {
    status: 200,
    headers: versionHeaders,
    microversion: asked.version,
    body: {
      server: {
        id,
        name: `vm-${id.slice(0, 8)}`,
        status: server.status,
        tenant_id: '6f70656e737461636b20342065766572',
        user_id: 'fake',
        metadata: {},
        hostId: '',
        image: { id: '70a599e0-31e7-49b7-b260-868f441e862b', links: [] },
        flavor: { id: '3', links: [] },
        created: '2026-11-30T14:00:00Z',
        updated: '2026-11-30T14:02:11Z',
        addresses: {},
        accessIPv4: '',
        accessIPv6: '',
        links: [],
        'OS-DCF:diskConfig': 'MANUAL',
        'OS-EXT-AZ:availability_zone': 'nova',
        'OS-EXT-STS:power_state': server.powerState ?? (server.status === 'ACTIVE' ? 1 : 0),
        'OS-EXT-STS:task_state': server.taskState ?? null,
        'OS-EXT-STS:vm_state': server.vmState ?? server.status.toLowerCase(),
        'os-extended-volumes:volumes_attached': [],
        ...(fault ? { fault } : {}),
      },
    },
  };
}
