import { describe, expect, it } from 'vitest';
import { compareQuota, compareServers, describeDifference } from '../../../src/handlers/reconcile/compare-cloud.js';
import type { CurrentInstance, KnownServer } from '../../../src/db/queries/reconcile.js';
import type { ListedServer } from '../../../src/integrations/openstack/inventory-client.js';
import type { QuotaValues } from '../../../src/model/quota-values.js';

const PROVIDER = 4;
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const server = (n: number, status: string, taskState: string | null = null): ListedServer => ({ id: uuid(n), name: `vm-${n}`, status, taskState, projectId: 'p1' });
const current = (n: number, status: string | null, activity: string | null = null): CurrentInstance => ({ id: n, uuid: uuid(n), name: `vm-${n}`, owner: 'kpatel', status, activity });
const knownHere = (n: number, endDate: Date | null = null): [string, KnownServer] => [uuid(n), { id: n, providerId: PROVIDER, endDate }];

describe('comparing Nova servers with Atmosphere instances', () => {
  it('finds orphans (unknown, ended in Atmosphere, filed under another provider), stale records and status mismatches', () => {
    const servers = [server(1, 'ACTIVE'), server(2, 'SHUTOFF'), server(3, 'ACTIVE'), server(4, 'ACTIVE'), server(5, 'ACTIVE'), server(6, 'SUSPENDED')];
    const instances = [current(1, 'active'), current(2, 'active'), current(6, 'suspended'), current(7, 'active'), current(8, 'error')];
    const known = new Map<string, KnownServer>([
      knownHere(1),
      knownHere(2),
      knownHere(4, new Date('2026-10-01T00:00:00Z')),
      [uuid(5), { id: 5, providerId: 9, endDate: null }],
      knownHere(6),
      knownHere(7),
      knownHere(8),
    ]);
    const found = compareServers(PROVIDER, servers, instances, known);
    expect(found.orphans.map((o) => [o.serverId, o.endedInstanceId, o.otherProviderId])).toEqual([
      [uuid(3), null, null],
      [uuid(4), 4, null],
      [uuid(5), null, 9],
    ]);
    expect(found.stale.map((s) => s.instance.id)).toEqual([7, 8]);
    expect(found.mismatches.map((m) => [m.instance.id, m.instance.status, m.novaStatus])).toEqual([[2, 'active', 'SHUTOFF']]);
  });

  it('maps the status names sensibly and ignores transitional states on either side', () => {
    const servers = [
      server(1, 'ACTIVE'),
      server(2, 'ACTIVE'),
      server(3, 'SHUTOFF', 'powering-on'),
      server(4, 'BUILD'),
      server(5, 'ERROR'),
      server(6, 'SHELVED_OFFLOADED'),
      server(7, 'ACTIVE'),
      server(8, 'ACTIVE'),
    ];
    const instances = [
      current(1, 'deploy_error', 'deploy_error'),
      current(2, 'networking'),
      current(3, 'active'),
      current(4, 'active'),
      current(5, 'error'),
      current(6, 'shelved_offloaded'),
      current(7, 'build'),
      current(8, 'suspended'),
    ];
    const known = new Map(instances.map((i) => knownHere(i.id)));
    const found = compareServers(PROVIDER, servers, instances, known);
    expect(found.orphans).toEqual([]);
    expect(found.stale).toEqual([]);
    expect(found.mismatches.map((m) => m.instance.id)).toEqual([8]);
  });
});

describe('comparing quotas', () => {
  const quota: QuotaValues = { cpu: 16, memory: 64, storage: 500, instance_count: 10, snapshot_count: 5, storage_count: 8, floating_ip_count: 2, port_count: 4 };

  it('takes memory in GB to Nova ram in MB: 64 GB agrees with 65536, not with 64', () => {
    expect(compareQuota(quota, { cores: 16, ram: 65536, instances: 10 }, { gigabytes: 500, volumes: 8, snapshots: 5 })).toEqual([]);
    const wrongUnits = compareQuota(quota, { cores: 16, ram: 64, instances: 10 }, null);
    expect(wrongUnits).toEqual([{ service: 'Nova', key: 'ram', column: 'memory', expected: 65536, actual: 64, unit: 'MB' }]);
    expect(describeDifference(wrongUnits[0]!)).toBe("ram 64 in Nova, Atmosphere's memory 64 GB makes 65536 MB");
  });

  it('reports each Nova and Cinder key that differs or is missing, and uses Atmosphere\'s fallback for an empty column', () => {
    const differences = compareQuota({ ...quota, cpu: null }, { cores: 20, ram: 65536 }, { gigabytes: -1, volumes: 8, snapshots: 5 });
    expect(differences.map((d) => [d.service, d.key, d.expected, d.actual])).toEqual([
      ['Nova', 'cores', 16, 20],
      ['Nova', 'instances', 10, null],
      ['Cinder', 'gigabytes', 500, -1],
    ]);
    expect(describeDifference(differences[1]!)).toBe("instances not set in Nova, Atmosphere's instance_count is 10");
    expect(describeDifference(differences[2]!)).toBe("gigabytes -1 (unlimited) in Cinder, Atmosphere's storage is 500");
  });

  it("compares Neutron's floatingip and port with floating_ip_count and port_count, and nothing of Neutron when it was not read", () => {
    const nova = { cores: 16, ram: 65536, instances: 10 };
    const cinder = { gigabytes: 500, volumes: 8, snapshots: 5 };
    expect(compareQuota(quota, nova, cinder, { floatingip: 2, port: 4, network: 100, router: 10 })).toEqual([]);
    const differences = compareQuota({ ...quota, port_count: null }, nova, cinder, { floatingip: 50, port: 500 });
    expect(differences.map((d) => [d.service, d.key, d.column, d.expected, d.actual])).toEqual([
      ['Neutron', 'floatingip', 'floating_ip_count', 2, 50],
      ['Neutron', 'port', 'port_count', 10, 500],
    ]);
    expect(describeDifference(differences[0]!)).toBe("floatingip 50 in Neutron, Atmosphere's floating_ip_count is 2");
    expect(compareQuota(quota, nova, cinder, null)).toEqual([]);
  });
});
