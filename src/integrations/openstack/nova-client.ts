import { IntegrationError } from '../../errors.js';
import { createInFlight } from '../kv/in-flight.js';
import type { KeystoneSession } from './keystone-session.js';

/** Nova's record of a server fault (compute api-ref "Show Server Details", `fault`). */
export interface NovaFault {
  message: string;
  code: number | null;
  /** The stack trace; Nova shows it only to admins, or when the code is not 500. */
  details: string | null;
  created: string | null;
}

/** What the bot reads of `GET /servers/{server_id}`. */
export interface NovaServer {
  id: string;
  /** `ACTIVE`, `BUILD`, `ERROR`, `SHUTOFF`, `SUSPENDED`, `SHELVED_OFFLOADED`, `REBOOT`, ... */
  status: string;
  taskState: string | null;
  vmState: string | null;
  /** 0 NOSTATE, 1 RUNNING, 3 PAUSED, 4 SHUTDOWN, 6 CRASHED, 7 SUSPENDED (nova/compute/power_state.py). */
  powerState: number | null;
  /** Only present when the server is in ERROR (or DELETED) and a fault was recorded. */
  fault: NovaFault | null;
}

/** One provider's Nova, reached with that cloud's Keystone session. */
export interface NovaClient {
  readonly providerId: number;
  /** The server, or null when Nova answers 404 (deleted, or never there). */
  getServer(id: string): Promise<NovaServer | null>;
}

/**
 * The compute microversion the bot asks for. 2.1 is the base every Nova with the v2.1 API serves, and
 * every field read here exists in it; pinning it keeps the response shape fixed whatever the cloud's
 * maximum. Both headers are sent, as python-novaclient does: `X-OpenStack-Nova-API-Version` for
 * clouds older than 2.27, `OpenStack-API-Version: compute <v>` since (compute api-ref "Microversions").
 */
export const NOVA_MICROVERSION = '2.1';

/** Nova through the catalog's `compute` endpoint (which already ends in `/v2.1` or `/v2.1/<project>`). */
export function createNovaClient(providerId: number, keystone: KeystoneSession): NovaClient {
  const inFlight = createInFlight();
  return {
    providerId,
    getServer: (id) => inFlight.share(id, () => readServer(id)),
  };

  async function readServer(id: string): Promise<NovaServer | null> {
    const label = `GET /servers/${id}`;
    const answer = await keystone.call('compute', {
      method: 'GET',
      path: `/servers/${encodeURIComponent(id)}`,
      headers: { 'OpenStack-API-Version': `compute ${NOVA_MICROVERSION}`, 'X-OpenStack-Nova-API-Version': NOVA_MICROVERSION },
    });
    if (answer.status === 404) return null;
    if (answer.status !== 200) {
      throw new IntegrationError('openstack', `Nova of ${keystone.where} refused ${label} (HTTP ${answer.status})${answer.said ? `: ${answer.said}` : ''}`, {
        status: answer.status,
        detail: answer.said ?? `HTTP ${answer.status}`,
      });
    }
    const server = toServer(answer.json);
    if (!server) {
      throw new IntegrationError('openstack', `Nova of ${keystone.where} answered ${label} with a body that is not a server${answer.said ? `: ${answer.said.slice(0, 80)}` : ''}`, {
        status: answer.status,
        detail: 'not a server body',
      });
    }
    return server;
  }
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function toServer(body: unknown): NovaServer | null {
  const server = typeof body === 'object' && body !== null ? (body as { server?: unknown }).server : undefined;
  if (typeof server !== 'object' || server === null) return null;
  const record = server as Record<string, unknown>;
  if (typeof record.id !== 'string' || typeof record.status !== 'string') return null;
  const power = record['OS-EXT-STS:power_state'];
  return {
    id: record.id,
    status: record.status,
    taskState: text(record['OS-EXT-STS:task_state']),
    vmState: text(record['OS-EXT-STS:vm_state']),
    powerState: typeof power === 'number' && Number.isInteger(power) ? power : null,
    fault: toFault(record.fault),
  };
}

function toFault(value: unknown): NovaFault | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const message = text(record.message);
  if (!message) return null;
  return { message, code: typeof record.code === 'number' ? record.code : null, details: text(record.details), created: text(record.created) };
}
