import { application, applicationVersion, instance, instanceSource, instanceStatusHistory, providerMachine } from '../atmosphere-schema.js';
import { IMAGES, INSTANCES, demoUuid, type ProviderKey } from './demo-catalogue.js';
import { historyOf } from './instance-history.js';
import { indexBy, must } from './keyed-rows.js';
import type { DemoAccounts } from './seed-accounts.js';
import type { SeedContext } from './seed-context.js';
import type { DemoLookups } from './seed-lookups.js';
import type { DemoProviders } from './seed-providers.js';

/** Ids of the demo images and instances. */
export interface DemoInstances {
  /** The provider machine (Glance image) of image `image` on provider `provider`. */
  machineId(image: string, provider: ProviderKey): number;
  instanceId(name: string): number;
}

/**
 * Inserts the images (an application, one version, and a provider machine per provider) and the
 * instances launched from them, each with its status history.
 */
export async function seedInstances(
  { tx, ago, days }: SeedContext,
  { lookups, providers, accounts }: { lookups: DemoLookups; providers: DemoProviders; accounts: DemoAccounts },
): Promise<DemoInstances> {
  const { userId, identityId } = accounts;
  const apps = indexBy(
    await tx
      .insert(application)
      .values(
        IMAGES.map((img) => ({
          uuid: demoUuid(`application:${img.key}`),
          name: img.name,
          description: img.description,
          startDate: days(img.ageDays),
          createdById: userId(img.owner),
          createdByIdentityId: identityId(img.owner, img.providers[0]!),
        })),
      )
      .returning(),
    (r) => r.uuid,
  );
  await tx.insert(applicationVersion).values(
    IMAGES.map((img) => ({
      id: demoUuid(`version:${img.key}`),
      name: img.version,
      changeLog: img.changeLog,
      startDate: days(img.ageDays),
      applicationId: must(apps, demoUuid(`application:${img.key}`)).id,
      createdById: userId(img.owner),
      createdByIdentityId: identityId(img.owner, img.providers[0]!),
    })),
  );
  const copies = IMAGES.flatMap((img) => img.providers.map((p) => ({ img, provider: p, glance: demoUuid(`glance:${img.key}:${p}`) })));
  const sources = indexBy(
    await tx
      .insert(instanceSource)
      .values(
        copies.map((c) => ({
          uuid: demoUuid(`source:${c.img.key}:${c.provider}`),
          identifier: c.glance,
          startDate: days(c.img.ageDays),
          createdById: userId(c.img.owner),
          createdByIdentityId: accounts.findIdentityId(c.img.owner, c.provider),
          providerId: providers.providerId(c.provider),
          sizeBytes: c.img.sizeGb * 1024 ** 3,
        })),
      )
      .returning(),
    (r) => r.identifier,
  );
  const machines = indexBy(
    await tx
      .insert(providerMachine)
      .values(copies.map((c) => ({ applicationVersionId: demoUuid(`version:${c.img.key}`), instanceSourceId: must(sources, c.glance).id })))
      .returning(),
    (r) => r.instanceSourceId,
  );
  const source = (image: string, p: ProviderKey) => must(sources, demoUuid(`glance:${image}:${p}`));

  const vms = indexBy(
    await tx
      .insert(instance)
      .values(
        INSTANCES.map((vm) => ({
          name: vm.name,
          token: demoUuid(`token:${vm.name}`),
          providerAlias: demoUuid(`server:${vm.name}`),
          ipAddress: vm.ip,
          shell: true,
          vnc: vm.gui ?? false,
          webDesktop: vm.gui ?? false,
          startDate: ago(vm.launchedHoursAgo),
          createdById: userId(vm.owner),
          createdByIdentityId: identityId(vm.owner, vm.provider),
          sourceId: source(vm.image, vm.provider).id,
          projectId: accounts.projectId(vm.owner),
        })),
      )
      .returning(),
    (r) => r.name,
  );
  const instanceId = (name: string) => must(vms, name).id;
  await tx.insert(instanceStatusHistory).values(
    INSTANCES.flatMap((vm) =>
      historyOf(vm, ago).map((step, i) => ({
        uuid: demoUuid(`history:${vm.name}:${i}`),
        activity: step.activity,
        startDate: step.start,
        endDate: step.end,
        instanceId: instanceId(vm.name),
        sizeId: providers.sizeId(vm.provider, vm.size),
        statusId: lookups.instanceStatusId(step.status),
        extra: step.extra,
      })),
    ),
  );

  return {
    machineId: (image, p) => must(machines, source(image, p).id).id,
    instanceId,
  };
}
