import type { Logger } from '../../logger.js';
import type { OpenStackCloud } from '../../model/openstack-clouds.js';
import { createGlanceClient, type GlanceClient } from './glance-client.js';
import { createKeystoneSession } from './keystone-session.js';
import { createNovaClient, type NovaClient } from './nova-client.js';

/** The configured clouds; `glance(id)` and `nova(id)` are null for a provider OPENSTACK_CLOUDS does not name. */
export interface OpenStackClouds {
  providerIds(): number[];
  glance(providerId: number): GlanceClient | null;
  nova(providerId: number): NovaClient | null;
}

export interface OpenStackOptions {
  clouds: readonly OpenStackCloud[];
  fetch?: typeof fetch;
  timeoutMs?: number;
  log: Logger;
  now?: () => Date;
}

/** One Keystone session per configured provider, shared by that provider's Glance and Nova clients. */
export function createOpenStackClouds(options: OpenStackOptions): OpenStackClouds {
  const clients = new Map(
    options.clouds.map((cloud) => {
      const keystone = createKeystoneSession(cloud, options);
      return [cloud.providerId, { glance: createGlanceClient(cloud.providerId, keystone), nova: createNovaClient(cloud.providerId, keystone) }] as const;
    }),
  );
  return {
    providerIds: () => [...clients.keys()].sort((a, b) => a - b),
    glance: (providerId) => clients.get(providerId)?.glance ?? null,
    nova: (providerId) => clients.get(providerId)?.nova ?? null,
  };
}
