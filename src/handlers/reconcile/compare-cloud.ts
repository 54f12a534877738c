import type { CurrentInstance, IdentityQuota, KnownServer } from '../../db/queries/reconcile.js';
import type { ListedServer, QuotaSet } from '../../integrations/openstack/inventory-client.js';
import { ATMOSPHERE_QUOTA_DEFAULTS, type QuotaValues } from '../../model/quota-values.js';
import { atmosphereGroup, novaGroup } from '../evidence/compare-with-nova.js';

/** A server in Nova that Atmosphere does not know, or ended while Nova kept it. */
export interface Orphan {
  serverId: string;
  name: string;
  status: string;
  projectId: string | null;
  /** Atmosphere's instance id when it has the row but ended it; null when it never had one. */
  endedInstanceId: number | null;
  /** Set when Atmosphere knows the server id under another provider (a mis-filed record). */
  otherProviderId: number | null;
}

/** An instance Atmosphere shows as current that Nova no longer has. */
export interface Stale {
  instance: CurrentInstance;
}

export interface Mismatch {
  instance: CurrentInstance;
  novaStatus: string;
  novaTask: string | null;
}

/**
 * Atmosphere statuses that are on their way somewhere (reference §3.3): Atmosphere's record and Nova
 * can legitimately disagree until the next monitoring run, so they are not compared. Nova's are its
 * transitional statuses (compute api-ref "Server Status") and any server with a task in progress.
 */
const TRANSITIONAL_ATMOSPHERE = new Set(['build', 'pending', 'reboot', 'hard_reboot', 'resize', 'verify_resize', 'revert_resize', 'migrating', 'rebuild', 'password', 'redeploy', 'unknown', 'initializing']);
const TRANSITIONAL_NOVA = new Set(['BUILD', 'REBOOT', 'HARD_REBOOT', 'RESIZE', 'VERIFY_RESIZE', 'REVERT_RESIZE', 'MIGRATING', 'REBUILD', 'PASSWORD', 'UNKNOWN']);

export interface ServerFindings {
  orphans: Orphan[];
  stale: Stale[];
  mismatches: Mismatch[];
}

/**
 * Synnefo's reconcile-servers for Atmosphere: Nova's servers (every project) against the instances
 * Atmosphere shows on the same provider. `known` holds what the `instance` table says of each Nova
 * server id, on any provider.
 */
export function compareServers(providerId: number, servers: readonly ListedServer[], current: readonly CurrentInstance[], known: ReadonlyMap<string, KnownServer>): ServerFindings {
  const byId = new Map(servers.map((server) => [server.id, server]));
  const orphans: Orphan[] = [];
  for (const server of servers) {
    const record = known.get(server.id);
    if (record && record.providerId === providerId && record.endDate === null) continue;
    orphans.push({
      serverId: server.id,
      name: server.name,
      status: server.status,
      projectId: server.projectId,
      endedInstanceId: record && record.providerId === providerId ? record.id : null,
      otherProviderId: record && record.providerId !== providerId ? record.providerId : null,
    });
  }
  const stale: Stale[] = [];
  const mismatches: Mismatch[] = [];
  for (const instance of current) {
    const server = byId.get(instance.uuid);
    if (!server) {
      stale.push({ instance });
      continue;
    }
    if (instance.status === null || TRANSITIONAL_ATMOSPHERE.has(instance.status.toLowerCase())) continue;
    if (server.taskState !== null || TRANSITIONAL_NOVA.has(server.status)) continue;
    if (atmosphereGroup(instance.status) !== novaGroup(server)) mismatches.push({ instance, novaStatus: server.status, novaTask: server.taskState });
  }
  return { orphans, stale, mismatches };
}

/** The services whose quota sets Atmosphere sets from a `quota` row. */
export type QuotaService = 'Nova' | 'Cinder' | 'Neutron';

/** One limit of a quota set that differs from what Atmosphere's quota makes of it. */
export interface QuotaDifference {
  service: QuotaService;
  /** The quota-set key, e.g. `ram`. */
  key: string;
  /** The `quota` column it comes from, e.g. `memory`. */
  column: keyof QuotaValues;
  expected: number;
  /** What the cloud applies; null when the quota set has no such key. */
  actual: number | null;
  unit: string;
}

/**
 * What `service/quota.py` sets from a `quota` row (`_set_compute_quota`, `_set_volume_quota`): Nova
 * `cores` = cpu, `ram` = memory × 1024 (Atmosphere stores GB, Nova takes MB), `instances` =
 * instance_count; Cinder `gigabytes` = storage, `volumes` = storage_count, `snapshots` =
 * snapshot_count; Neutron (`_set_network_quota`) `floatingip` = floating_ip_count, `port` =
 * port_count. (The nova-network `floating_ips` and `fixed_ips` it also sends in Nova's set are left
 * out: Neutron's are the ones that apply.) (Atmosphere leaves `instances` out for an identity on Keystone v2, `ex_force_auth_version`
 * `2.0_password`; the clouds the bot reads are Keystone v3, where it is set.)
 */
const QUOTA_MAP: readonly { service: QuotaService; key: string; column: keyof QuotaValues; factor: number; unit: string }[] = [
  { service: 'Nova', key: 'cores', column: 'cpu', factor: 1, unit: 'cores' },
  { service: 'Nova', key: 'ram', column: 'memory', factor: 1024, unit: 'MB' },
  { service: 'Nova', key: 'instances', column: 'instance_count', factor: 1, unit: 'instances' },
  { service: 'Cinder', key: 'gigabytes', column: 'storage', factor: 1, unit: 'GB' },
  { service: 'Cinder', key: 'volumes', column: 'storage_count', factor: 1, unit: 'volumes' },
  { service: 'Cinder', key: 'snapshots', column: 'snapshot_count', factor: 1, unit: 'snapshots' },
  { service: 'Neutron', key: 'floatingip', column: 'floating_ip_count', factor: 1, unit: 'floating IPs' },
  { service: 'Neutron', key: 'port', column: 'port_count', factor: 1, unit: 'ports' },
];

/**
 * The limits where the cloud differs from the identity's Atmosphere quota. A NULL column counts as
 * Atmosphere's fallback for it. A null set was not read (Cinder or Neutron failing), so its limits
 * are not compared.
 */
export function compareQuota(quota: QuotaValues, nova: QuotaSet | null, cinder: QuotaSet | null, neutron: QuotaSet | null = null): QuotaDifference[] {
  const differences: QuotaDifference[] = [];
  const sets: Record<QuotaService, QuotaSet | null> = { Nova: nova, Cinder: cinder, Neutron: neutron };
  for (const entry of QUOTA_MAP) {
    const set = sets[entry.service];
    if (!set) continue;
    const expected = (quota[entry.column] ?? ATMOSPHERE_QUOTA_DEFAULTS[entry.column]) * entry.factor;
    const actual = set[entry.key] ?? null;
    if (actual !== expected) differences.push({ service: entry.service, key: entry.key, column: entry.column, expected, actual, unit: entry.unit });
  }
  return differences;
}

export interface QuotaDrift {
  identity: IdentityQuota;
  projectId: string;
  differences: QuotaDifference[];
}

/** `ram 51200 MB in Nova, Atmosphere's memory 64 GB makes 65536 MB` */
export function describeDifference(difference: QuotaDifference): string {
  const cloud = difference.actual === null ? `not set in ${difference.service}` : `${difference.actual}${difference.actual === -1 ? ' (unlimited)' : ''} in ${difference.service}`;
  const source = difference.key === 'ram' ? `Atmosphere's memory ${difference.expected / 1024} GB makes ${difference.expected} MB` : `Atmosphere's ${difference.column} is ${difference.expected}`;
  return `${difference.key} ${cloud}, ${source}`;
}
