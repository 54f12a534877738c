import { provider, quota, size } from '../atmosphere-schema.js';
import { PROVIDERS, demoUuid, type ProviderKey, type QuotaKey } from './demo-catalogue.js';
import { indexBy, must } from './keyed-rows.js';
import type { SeedContext } from './seed-context.js';
import type { DemoLookups } from './seed-lookups.js';

/** Ids of the demo quotas, providers and their flavors. */
export interface DemoProviders {
  quotaId(key: QuotaKey): number;
  providerId(key: ProviderKey): number;
  /** The flavor named `name` (such as `m1.small`) on provider `key`. */
  sizeId(key: ProviderKey, name: string): number;
}

// Flavors as CyVerse and Jetstream name them; "Unknown Size" stands in for vanished flavors (0093).
const FLAVORS = [
  { alias: '1', name: 'm1.tiny', cpu: 1, mem: 2048, disk: 8 },
  { alias: '2', name: 'm1.small', cpu: 2, mem: 4096, disk: 20 },
  { alias: '3', name: 'm1.medium', cpu: 6, mem: 16384, disk: 60 },
  { alias: '4', name: 'm1.large', cpu: 10, mem: 30720, disk: 60 },
  { alias: '5', name: 'm1.xlarge', cpu: 24, mem: 61440, disk: 60 },
  { alias: 'N/A', name: 'Unknown Size', cpu: -1, mem: -1, disk: -1 },
];

/** Inserts the shared quotas, the three OpenStack providers and each provider's flavors. */
export async function seedProviders({ tx, days }: SeedContext, lookups: DemoLookups): Promise<DemoProviders> {
  const quotaRows = await tx
    .insert(quota)
    .values([
      // Atmosphere's fallback DEFAULT_QUOTA.
      { uuid: demoUuid('quota:default'), cpu: 16, memory: 128, storage: 10, instanceCount: 10, snapshotCount: 10, storageCount: 10, floatingIpCount: 10, portCount: 10 },
      // core/fixtures/quota.json; the fields it leaves out take the model defaults.
      { uuid: demoUuid('quota:small'), cpu: 2, memory: 4, storage: 50, instanceCount: 10, snapshotCount: 10, storageCount: 1, floatingIpCount: 10, portCount: 10 },
      { uuid: demoUuid('quota:course'), cpu: 32, memory: 256, storage: 500, instanceCount: 25, snapshotCount: 10, storageCount: 10, floatingIpCount: 25, portCount: 25 },
    ])
    .returning();
  const quotas = indexBy(quotaRows, (r) => r.uuid);

  const providers = indexBy(
    await tx
      .insert(provider)
      .values(
        PROVIDERS.map((p) => ({
          uuid: demoUuid(`provider:${p.key}`),
          location: p.location,
          description: p.description,
          public: true,
          timezone: p.timezone,
          cloudConfig: { network: { dns_nameservers: p.dns, topology: 'External Router Topology' }, deploy: { hostname_format: '%(one)s.%(two)s.%(three)s.%(four)s' } },
          startDate: days(p.ageDays),
          typeId: lookups.providerTypeId('OpenStack'),
          virtualizationId: lookups.platformTypeId('KVM'),
        })),
      )
      .returning(),
    (r) => r.uuid,
  );
  const providerId = (key: ProviderKey) => must(providers, demoUuid(`provider:${key}`)).id;

  const sizeRows = await tx
    .insert(size)
    .values(PROVIDERS.flatMap((p) => FLAVORS.map((f) => ({ uuid: demoUuid(`size:${p.key}:${f.name}`), ...f, root: f.disk, startDate: days(p.ageDays), providerId: providerId(p.key) }))))
    .returning();
  const sizes = indexBy(sizeRows, (r) => `${r.providerId}:${r.name}`);

  return {
    quotaId: (key) => must(quotas, demoUuid(`quota:${key}`)).id,
    providerId,
    sizeId: (key, name) => must(sizes, `${providerId(key)}:${name}`).id,
  };
}
