import type { Reply } from '../../bot/chat/reply.js';
import { listProviders } from '../../db/queries/instances.js';
import type { Deps } from '../../deps.js';
import { UserError } from '../../errors.js';
import { formatTimestamp } from '../format-time.js';
import { cachedInventory } from './cached-inventory.js';
import { gatherReconcile, type ProviderReconcile } from './gather-reconcile.js';
import { renderReconcile } from './render-reconcile.js';

/** What reconcile needs configured, said when it is missing. */
export const OPENSTACK_SETTING_HINT =
  'Reconcile reads Nova, Cinder, Neutron and Keystone with a Keystone application credential per provider: set OPENSTACK_CLOUDS (JSON keyed by provider id: auth_url, application_credential_id, application_credential_secret, optionally region_name and interface) and, if needed, OPENSTACK_TIMEOUT_MS. The credential needs a role that may list all projects\' servers and read their quota sets (admin or a system reader).';

export interface ReconcileReport {
  reply: Reply;
  results: ProviderReconcile[];
}

/**
 * `/atmo reconcile [provider]` and the weekly job: every provider OPENSTACK_CLOUDS configures, or the
 * one named (id or name). A named provider without a credential is a clear refusal saying what to
 * set; with no provider configured at all, the same.
 */
export async function buildReconcileReport(deps: Deps, given: string | undefined): Promise<ReconcileReport> {
  const openstack = deps.openstack ?? null;
  const providers = await listProviders(deps.db);
  const configured = openstack?.providerIds() ?? [];
  let chosen: { id: number; name: string }[];
  if (given !== undefined) {
    const byId = /^\d+$/.test(given) ? providers.find((p) => p.id === Number(given)) : undefined;
    const found = byId ?? providers.find((p) => p.name.toLowerCase() === given.toLowerCase());
    if (!found) throw new UserError('not_found', `There is no provider "${given}". Known providers: ${providers.map((p) => `${p.id} (${p.name})`).join(', ')}.`);
    if (!configured.includes(found.id)) {
      throw new UserError('unavailable', `Provider ${found.id} (${found.name}) has no OpenStack credential, so it cannot be reconciled. ${OPENSTACK_SETTING_HINT}`);
    }
    chosen = [found];
  } else {
    if (configured.length === 0) throw new UserError('unavailable', `No provider has OpenStack configured. ${OPENSTACK_SETTING_HINT}`);
    chosen = configured.map((id) => providers.find((p) => p.id === id) ?? { id, name: `provider ${id}` });
  }
  const notes: string[] = [];
  const missing = providers.filter((p) => !configured.includes(p.id));
  if (given === undefined && missing.length > 0) notes.push(`Not reconciled (no OPENSTACK_CLOUDS entry): ${missing.map((p) => `${p.name} (${p.id})`).join(', ')}.`);
  const results: ProviderReconcile[] = [];
  for (const provider of chosen) {
    // Providers one after another: each has its own cloud, and one failing says so in its own part.
    const inventory = openstack?.inventory(provider.id);
    if (inventory) results.push(await gatherReconcile(deps, provider, cachedInventory(deps, inventory)));
  }
  return { reply: renderReconcile(results, notes, formatTimestamp(deps.now())), results };
}
