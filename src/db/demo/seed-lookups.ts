import { instanceStatus, platformType, providerType, statusType } from '../atmosphere-schema.js';
import { demoUuid } from './demo-catalogue.js';
import { indexBy, must } from './keyed-rows.js';
import type { SeedContext } from './seed-context.js';

/** Ids of the demo lookup rows, by name. */
export interface DemoLookups {
  providerTypeId(name: string): number;
  platformTypeId(name: string): number;
  /** A request status (`status_type`). */
  statusId(name: string): number;
  instanceStatusId(name: string): number;
}

/** Inserts the provider and platform types and the request and instance status names. */
export async function seedLookups({ tx, days }: SeedContext): Promise<DemoLookups> {
  // Fixture order for the types (core/fixtures/provider.json).
  const providerTypes = indexBy(await tx.insert(providerType).values(['Eucalyptus', 'OpenStack', 'Amazon EC2'].map((name) => ({ name, startDate: days(3000) }))).returning(), (r) => r.name);
  const platformTypes = indexBy(await tx.insert(platformType).values(['Xen', 'KVM'].map((name) => ({ name, startDate: days(3000) }))).returning(), (r) => r.name);

  // Created lazily by get_or_create in real life, so ids follow first use: never guess them.
  const statusNames = ['closed', 'started', 'pending', 'failed', 'approved', 'validating', 'denied', 'completed', 'processing', 'created'];
  const statuses = indexBy(await tx.insert(statusType).values(statusNames.map((name, i) => ({ uuid: demoUuid(`status:${name}`), name, startDate: days(2500 - i) }))).returning(), (r) => r.name);
  const vmStatusNames = ['active', 'build', 'networking', 'deploying', 'deploy_error', 'suspended', 'shutoff', 'error'];
  const vmStatuses = indexBy(await tx.insert(instanceStatus).values(vmStatusNames.map((name) => ({ name }))).returning(), (r) => r.name);

  return {
    providerTypeId: (name) => must(providerTypes, name).id,
    platformTypeId: (name) => must(platformTypes, name).id,
    statusId: (name) => must(statuses, name).id,
    instanceStatusId: (name) => must(vmStatuses, name).id,
  };
}
