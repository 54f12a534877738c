import type { Deps } from '../../deps.js';
import { IntegrationError } from '../../errors.js';
import { integrationReason } from '../../bot/chat/render-error.js';
import { keys } from '../../integrations/kv/keys.js';
import type { NovaServer } from '../../integrations/openstack/nova-client.js';
import { readCached } from './read-cached.js';

/**
 * What Nova said about one instance's server, and when (ISO time, so it survives the cache):
 * `unconfigured` when OPENSTACK_CLOUDS names no cloud for the provider (the views then show the
 * `nova show` command, as before), `gone` for a 404, `failed` with the reason staff can act on.
 */
export type NovaEvidence =
  | { kind: 'unconfigured' }
  /** Asked, and not answered within the view's wait (EVIDENCE_WAIT_MS): the answer follows. */
  | { kind: 'pending' }
  | { kind: 'server'; providerId: number; server: NovaServer; at: string }
  | { kind: 'gone'; providerId: number; serverId: string; at: string }
  | { kind: 'failed'; providerId: number; reason: string; at: string };

/** `GET /servers/{provider_alias}` on the instance's provider, reused for EVIDENCE_TTL_MS. */
export async function readNovaEvidence(deps: Pick<Deps, 'openstack' | 'kv' | 'log' | 'now'>, instance: { providerId: number; uuid: string }): Promise<NovaEvidence> {
  const nova = deps.openstack?.nova(instance.providerId) ?? null;
  if (!nova) return { kind: 'unconfigured' };
  const { providerId, uuid } = instance;
  return readCached(
    deps.kv,
    keys.evidence('nova', `${providerId}:${uuid}`),
    deps.log,
    async (): Promise<NovaEvidence> => {
      try {
        const server = await nova.getServer(uuid);
        const at = deps.now().toISOString();
        return server ? { kind: 'server', providerId, server, at } : { kind: 'gone', providerId, serverId: uuid, at };
      } catch (error) {
        if (!(error instanceof IntegrationError)) throw error;
        deps.log.warn({ err: error, providerId }, 'Nova evidence not read');
        return { kind: 'failed', providerId, reason: integrationReason(error), at: deps.now().toISOString() };
      }
    },
    (evidence) => evidence.kind === 'server' || evidence.kind === 'gone',
  );
}
