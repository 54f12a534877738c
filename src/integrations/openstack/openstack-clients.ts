import type { Logger } from '../../logger.js';
import type { OpenStackCloud } from '../../model/openstack-clouds.js';
import { createGlanceClient, type GlanceClient } from './glance-client.js';
import { createCloudInventory, type CloudInventory } from './inventory-client.js';
import { createKeystoneSession } from './keystone-session.js';
import { createNovaClient, type NovaClient } from './nova-client.js';

/** The configured clouds; each client is null for a provider OPENSTACK_CLOUDS does not name. */
export interface OpenStackClouds {
  providerIds(): number[];
  glance(providerId: number): GlanceClient | null;
  nova(providerId: number): NovaClient | null;
  /** The read-only listings reconciliation compares with Atmosphere (servers, projects, quota sets). */
  inventory(providerId: number): CloudInventory | null;
}

export interface OpenStackOptions {
  clouds: readonly OpenStackCloud[];
  fetch?: typeof fetch;
  timeoutMs?: number;
  log: Logger;
  now?: () => Date;
}

/** One Keystone session per configured provider, shared by that provider's clients. */
export function createOpenStackClouds(options: OpenStackOptions): OpenStackClouds {
  const clients = new Map(
    options.clouds.map((cloud) => {
      const keystone = createKeystoneSession(cloud, options);
      const clients = { glance: createGlanceClient(cloud.providerId, keystone), nova: createNovaClient(cloud.providerId, keystone), inventory: createCloudInventory(cloud.providerId, keystone) };
      return [cloud.providerId, clients] as const;
    }),
  );
  return {
    providerIds: () => [...clients.keys()].sort((a, b) => a - b),
    glance: (providerId) => clients.get(providerId)?.glance ?? null,
    nova: (providerId) => clients.get(providerId)?.nova ?? null,
    inventory: (providerId) => clients.get(providerId)?.inventory ?? null,
  };
}
