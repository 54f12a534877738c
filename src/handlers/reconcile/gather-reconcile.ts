import { findInstancesByAlias, listCurrentInstances, listIdentityQuotas, type IdentityQuota } from '../../db/queries/reconcile.js';
import type { Deps } from '../../deps.js';
import { IntegrationError } from '../../errors.js';
import { integrationReason } from '../../bot/chat/render-error.js';
import type { CloudInventory, QuotaSet } from '../../integrations/openstack/inventory-client.js';
import { compareQuota, compareServers, type QuotaDrift, type ServerFindings } from './compare-cloud.js';

/** What one provider's reconciliation found, or why a part of it could not be done. */
export interface ProviderReconcile {
  providerId: number;
  name: string;
  servers: ServerFindings | null;
  /** Why Nova's servers could not be compared (unreachable, refused, malformed). */
  serverProblem: string | null;
  /** How many servers Nova listed and how many instances Atmosphere shows there. */
  counts: { servers: number; instances: number; identities: number; quotasChecked: number };
  drift: QuotaDrift[];
  /** Usernames with no Keystone project of that name: their quota was not compared. */
  noProject: string[];
  /** Why the quota comparison stopped or left Cinder out. */
  quotaProblems: string[];
}

/** Quota sets read at once per provider: a few, so a busy cloud is not hammered. */
const QUOTA_CONCURRENCY = 4;

/**
 * Reads Nova's servers and Atmosphere's instances of one provider and compares them, then every
 * identity's Atmosphere quota with the Nova, Cinder and Neutron quota sets of its Keystone project. Every read
 * is a GET; nothing is changed anywhere. A failing part is said and the rest still reported.
 */
export async function gatherReconcile(deps: Deps, provider: { id: number; name: string }, inventory: CloudInventory): Promise<ProviderReconcile> {
  const log = deps.log.child({ reconcile: provider.id });
  const result: ProviderReconcile = {
    providerId: provider.id,
    name: provider.name,
    servers: null,
    serverProblem: null,
    counts: { servers: 0, instances: 0, identities: 0, quotasChecked: 0 },
    drift: [],
    noProject: [],
    quotaProblems: [],
  };
  const current = await listCurrentInstances(deps.db, provider.id);
  result.counts.instances = current.length;
  try {
    const servers = await inventory.listServers();
    result.counts.servers = servers.length;
    const known = await findInstancesByAlias(deps.db, servers.map((server) => server.id));
    result.servers = compareServers(provider.id, servers, current, known);
  } catch (error) {
    if (!(error instanceof IntegrationError)) throw error;
    result.serverProblem = integrationReason(error);
    log.warn({ err: error }, 'reconcile: Nova servers not read');
  }

  const identities = await listIdentityQuotas(deps.db, provider.id);
  result.counts.identities = identities.length;
  if (identities.length === 0) return result;
  let projects: Map<string, string>;
  try {
    projects = await inventory.findProjects([...new Set(identities.map((identity) => identity.username))]);
  } catch (error) {
    if (!(error instanceof IntegrationError)) throw error;
    result.quotaProblems.push(`Quotas not compared: ${integrationReason(error)}.`);
    return result;
  }
  const queue: { identity: IdentityQuota; projectId: string }[] = [];
  for (const identity of identities) {
    const projectId = projects.get(identity.username);
    if (projectId) queue.push({ identity, projectId });
    else result.noProject.push(identity.username);
  }
  await compareQuotas(inventory, queue, result);
  result.drift.sort((a, b) => a.identity.identityId - b.identity.identityId);
  return result;
}

/**
 * Reads each project's quota sets, a few at a time. Nova failing stops the comparison (each further
 * call would wait its timeout too); Cinder or Neutron failing leaves that one out and goes on.
 */
async function compareQuotas(inventory: CloudInventory, queue: { identity: IdentityQuota; projectId: string }[], result: ProviderReconcile): Promise<void> {
  let next = 0;
  let novaDown = false;
  let cinderDown = false;
  let neutronDown = false;
  async function worker(): Promise<void> {
    while (!novaDown && next < queue.length) {
      const item = queue[next++]!;
      let nova: QuotaSet;
      try {
        nova = await inventory.computeQuota(item.projectId);
      } catch (error) {
        if (!(error instanceof IntegrationError)) throw error;
        if (!novaDown) result.quotaProblems.push(`Quota comparison stopped after ${result.counts.quotasChecked} of ${queue.length} identities: ${integrationReason(error)}.`);
        novaDown = true;
        return;
      }
      let cinder: QuotaSet | null = null;
      if (!cinderDown) {
        try {
          cinder = await inventory.volumeQuota(item.projectId);
        } catch (error) {
          if (!(error instanceof IntegrationError)) throw error;
          if (!cinderDown) result.quotaProblems.push(`Cinder quotas not compared from then on: ${integrationReason(error)}.`);
          cinderDown = true;
        }
      }
      let neutron: QuotaSet | null = null;
      if (!neutronDown) {
        try {
          neutron = await inventory.networkQuota(item.projectId);
        } catch (error) {
          if (!(error instanceof IntegrationError)) throw error;
          if (!neutronDown) result.quotaProblems.push(`Neutron quotas (floating IPs, ports) not compared from then on: ${integrationReason(error)}.`);
          neutronDown = true;
        }
      }
      result.counts.quotasChecked++;
      const differences = compareQuota(item.identity.quota, nova, cinder, neutron);
      if (differences.length > 0) result.drift.push({ identity: item.identity, projectId: item.projectId, differences });
    }
  }
  await Promise.all(Array.from({ length: Math.min(QUOTA_CONCURRENCY, queue.length) }, () => worker()));
}
