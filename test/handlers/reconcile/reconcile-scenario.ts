import type { Database } from '../../../src/db/client.js';
import { listProviders } from '../../../src/db/queries/instances.js';
import { listCurrentInstances, listIdentityQuotas, type CurrentInstance, type IdentityQuota } from '../../../src/db/queries/reconcile.js';
import { atmosphereGroup } from '../../../src/handlers/evidence/compare-with-nova.js';
import { ATMOSPHERE_QUOTA_DEFAULTS } from '../../../src/model/quota-values.js';
import type { Logger } from '../../../src/logger.js';
import { createOpenStackClouds, type OpenStackClouds } from '../../../src/integrations/openstack/openstack-clients.js';
import type { FakeNovaServer, FakeOpenStack } from '../../fakes/openstack.js';

/** An orphan: a server in Nova that no Atmosphere instance names. */
export const ORPHAN = '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f';

/** The Nova status an Atmosphere status comes from (reference §3.3), for a cloud that agrees. */
export function novaStatusOf(status: string): string {
  const group = atmosphereGroup(status);
  return group === 'active' ? 'ACTIVE' : group === 'shelved' && status !== 'shelved' ? 'SHELVED_OFFLOADED' : status.toUpperCase();
}

export interface Drift {
  /** Three instances of the provider: one Nova lost, one it has powered off, one that agrees. */
  stale: CurrentInstance;
  mismatched: CurrentInstance;
  /** One identity whose Nova ram was set in GB (the units mistake), one whose Cinder gigabytes differ. */
  ramInGb: IdentityQuota;
  cinderOff: IdentityQuota;
  /** A user with no Keystone project of their name. */
  noProject: IdentityQuota | null;
}

/** The demo provider with the most current instances in `active`, and its id. */
export async function busiestProvider(db: Database): Promise<{ id: number; name: string }> {
  let best: { id: number; name: string; count: number } | null = null;
  for (const provider of await listProviders(db)) {
    const count = (await listCurrentInstances(db, provider.id)).filter((i) => i.status === 'active').length;
    if (!best || count > best.count) best = { ...provider, count };
  }
  return best!;
}

/**
 * Fills the fake cloud as if it agreed with Atmosphere on `providerId` (every current instance a
 * server, every identity's project with the quota Atmosphere set), then makes it drift: one server
 * gone, one powered off, an orphan added, one identity's ram in GB, another's Cinder gigabytes off,
 * and (when there are three identities or more) one user without a project.
 */
export async function driftedCloud(db: Database, cloud: FakeOpenStack, providerId: number): Promise<Drift> {
  const instances = (await listCurrentInstances(db, providerId)).filter((i) => i.status !== null);
  const actives = instances.filter((i) => i.status === 'active');
  const [stale, mismatched] = [actives[0]!, actives[1]!];
  for (const instance of instances) {
    if (instance === stale) continue;
    const server: FakeNovaServer = { status: instance === mismatched ? 'SHUTOFF' : novaStatusOf(instance.status!), name: instance.name, projectId: `proj-${instance.owner}` };
    cloud.servers.set(instance.uuid, server);
  }
  cloud.servers.set(ORPHAN, { status: 'ACTIVE', name: 'left-behind', projectId: 'proj-unknown' });
  const identities = await listIdentityQuotas(db, providerId);
  const noProject = identities.length >= 3 ? identities.at(-1)! : null;
  for (const identity of identities) {
    if (identity === noProject) continue;
    const project = `proj-${identity.username}`;
    cloud.projects.set(identity.username, project);
    const q = (key: keyof typeof ATMOSPHERE_QUOTA_DEFAULTS) => identity.quota[key] ?? ATMOSPHERE_QUOTA_DEFAULTS[key];
    cloud.computeQuotas.set(project, { cores: q('cpu'), ram: q('memory') * 1024, instances: q('instance_count') });
    cloud.volumeQuotas.set(project, { gigabytes: q('storage'), volumes: q('storage_count'), snapshots: q('snapshot_count') });
    cloud.networkQuotas.set(project, { floatingip: q('floating_ip_count'), port: q('port_count') });
  }
  const [ramInGb, cinderOff] = [identities[0]!, identities[1]!];
  cloud.computeQuotas.get(`proj-${ramInGb.username}`)!.ram = ramInGb.quota.memory ?? ATMOSPHERE_QUOTA_DEFAULTS.memory;
  cloud.volumeQuotas.get(`proj-${cinderOff.username}`)!.gigabytes = 12345;
  return { stale, mismatched, ramInGb, cinderOff, noProject };
}

/** The bot's OpenStack clients for one provider of the fake cloud. */
export function cloudsFor(cloud: FakeOpenStack, providerId: number, log: Logger, options: { secret?: string; timeoutMs?: number } = {}): OpenStackClouds {
  return createOpenStackClouds({
    clouds: [{ providerId, authUrl: cloud.authUrl, applicationCredentialId: cloud.credentialId, applicationCredentialSecret: options.secret ?? cloud.credentialSecret, regionName: undefined, interface: 'public' }],
    log,
    timeoutMs: options.timeoutMs ?? 5_000,
  });
}
