import type { Config } from './config.js';
import type { Deps } from './deps.js';
import type { Logger } from './logger.js';
import type { WorkQueue } from './bot/chat/work-queue.js';
import { callsOutsideSlot } from './bot/chat/calls-outside-slot.js';
import { createArgoClient } from './integrations/argo/argo-client.js';
import { createFlowerClient } from './integrations/flower/flower-client.js';
import { createOpenStackClouds } from './integrations/openstack/openstack-clients.js';

/**
 * The optional sources of cloud evidence (OpenStack per provider, Flower, Argo Server), each null
 * unless configured. Every call they make waits outside the event's work slot, reported as a call to
 * its service, so a hung cloud API holds only the view that asked it.
 */
export function buildEvidenceSources(config: Config, log: Logger, now: () => Date, queue: Pick<WorkQueue, 'outside'>): Pick<Deps, 'openstack' | 'flower' | 'argo'> {
  const openstack =
    config.OPENSTACK_CLOUDS.length === 0
      ? null
      : createOpenStackClouds({ clouds: config.OPENSTACK_CLOUDS, timeoutMs: config.OPENSTACK_TIMEOUT_MS, log: log.child({ integration: 'openstack' }), now });
  const flower =
    config.FLOWER_URL && config.FLOWER_USER && config.FLOWER_PASSWORD
      ? createFlowerClient({ baseUrl: config.FLOWER_URL, user: config.FLOWER_USER, password: config.FLOWER_PASSWORD, timeoutMs: config.FLOWER_TIMEOUT_MS, log: log.child({ integration: 'flower' }) })
      : null;
  const argo =
    config.ARGO_SERVER_URL && config.ARGO_TOKEN
      ? createArgoClient({ baseUrl: config.ARGO_SERVER_URL, token: config.ARGO_TOKEN, namespace: config.ARGO_NAMESPACE, timeoutMs: config.ARGO_TIMEOUT_MS, log: log.child({ integration: 'argo' }) })
      : null;
  return {
    openstack: openstack && {
      providerIds: () => openstack.providerIds(),
      glance: (providerId) => {
        const client = openstack.glance(providerId);
        return client && callsOutsideSlot(client, queue, 'openstack');
      },
      nova: (providerId) => {
        const client = openstack.nova(providerId);
        return client && callsOutsideSlot(client, queue, 'openstack');
      },
      inventory: (providerId) => {
        const client = openstack.inventory(providerId);
        return client && callsOutsideSlot(client, queue, 'openstack');
      },
    },
    flower: flower && callsOutsideSlot(flower, queue, 'flower'),
    argo: argo && callsOutsideSlot(argo, queue, 'argo'),
  };
}
