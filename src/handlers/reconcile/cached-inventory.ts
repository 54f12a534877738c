import { createHash } from 'node:crypto';
import type { Deps } from '../../deps.js';
import { keys } from '../../integrations/kv/keys.js';
import type { CloudInventory } from '../../integrations/openstack/inventory-client.js';
import { readCached } from '../evidence/read-cached.js';

const always = () => true;

/**
 * The provider's inventory read through the evidence cache (EVIDENCE_TTL_MS), for `/atmo reconcile`:
 * staff running it again right after the first, or on a second replica, cost the cloud nothing more
 * than the first. A failed read throws and is not kept, so the next run asks again. The weekly job
 * reads the cloud directly: it runs once per slot across the replicas, and must not report an older
 * listing than its slot.
 */
export function cachedInventory(deps: Pick<Deps, 'kv' | 'log'>, inventory: CloudInventory): CloudInventory {
  const id = inventory.providerId;
  const read = <T>(source: string, subject: string, run: () => Promise<T>) => readCached(deps.kv, keys.evidence(source, `${id}:${subject}`), deps.log, run, always);
  return {
    providerId: id,
    listServers: () => read('nova-servers', 'all', () => inventory.listServers()),
    async findProjects(names) {
      // The names are the provider's usernames, hundreds of them: the key holds their digest.
      const digest = createHash('sha256').update([...names].sort().join('\n')).digest('hex').slice(0, 32);
      const found = await read('keystone-projects', digest, async () => [...(await inventory.findProjects(names))]);
      return new Map(found);
    },
    computeQuota: (projectId) => read('nova-quota', projectId, () => inventory.computeQuota(projectId)),
    volumeQuota: (projectId) => read('cinder-quota', projectId, () => inventory.volumeQuota(projectId)),
    networkQuota: (projectId) => read('neutron-quota', projectId, () => inventory.networkQuota(projectId)),
  };
}
