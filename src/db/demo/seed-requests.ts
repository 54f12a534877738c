import { machineRequest, resourceRequest } from '../atmosphere-schema.js';
import { INSTANCES, MACHINE_REQUESTS, RESOURCE_REQUESTS, demoUuid } from './demo-catalogue.js';
import { indexBy, must } from './keyed-rows.js';
import type { DemoAccounts } from './seed-accounts.js';
import type { SeedContext } from './seed-context.js';
import type { DemoInstances } from './seed-instances.js';
import type { DemoLookups } from './seed-lookups.js';
import type { DemoProviders } from './seed-providers.js';

/** Inserts the resource requests and the imaging (machine) requests, in every state the staff guide describes. */
export async function seedRequests(
  { tx, ago }: SeedContext,
  { lookups, providers, accounts, instances }: { lookups: DemoLookups; providers: DemoProviders; accounts: DemoAccounts; instances: DemoInstances },
): Promise<void> {
  const { userId } = accounts;
  // Atmosphere draws a request's id on the insert that stamps its start_date, so ids follow
  // submission order; the demo inserts in that order too, and lists by id show what they say.
  await tx.insert(resourceRequest).values(
    inSubmissionOrder(RESOURCE_REQUESTS).map(({ item: rr, i }) => ({
      uuid: demoUuid(`resource-request:${i}`),
      adminMessage: rr.adminMessage ?? '',
      startDate: ago(rr.hoursAgo),
      endDate: rr.endedHoursAgo === undefined ? null : ago(rr.endedHoursAgo),
      request: rr.request,
      description: rr.description,
      createdById: userId(rr.user),
      statusId: lookups.statusId(rr.status),
    })),
  );

  const vmSpec = indexBy(INSTANCES, (vm) => vm.name);
  await tx.insert(machineRequest).values(
    inSubmissionOrder(MACHINE_REQUESTS).map(({ item: mr, i }) => {
      const vm = must(vmSpec, mr.instance);
      const submitted = ago(mr.hoursAgo);
      return {
        uuid: demoUuid(`machine-request:${i}`),
        startDate: submitted,
        endDate: mr.endedAfterMinutes === undefined ? null : new Date(submitted.getTime() + mr.endedAfterMinutes * 60_000),
        oldStatus: mr.oldStatus,
        newApplicationName: mr.name,
        newApplicationDescription: mr.description,
        newApplicationVisibility: mr.visibility ?? 'private',
        accessList: mr.accessList ?? '',
        newVersionName: mr.version ?? '1.0',
        newVersionTags: mr.tags ?? '',
        newVersionForked: mr.forked ?? true,
        createdById: userId(vm.owner),
        instanceId: instances.instanceId(vm.name),
        membershipId: accounts.membershipId(vm.owner, vm.provider),
        newApplicationVersionId: mr.result ? demoUuid(`version:${mr.result}`) : null,
        newMachineId: mr.result ? instances.machineId(mr.result, vm.provider) : null,
        newMachineOwnerId: userId(vm.owner),
        newMachineProviderId: providers.providerId(vm.provider),
        parentMachineId: instances.machineId(vm.image, vm.provider),
        statusId: lookups.statusId(mr.status),
      };
    }),
  );
}

/** The catalogue's entries, longest ago first, each with its place in the catalogue (its uuid label). */
function inSubmissionOrder<T extends { hoursAgo: number }>(items: readonly T[]): { item: T; i: number }[] {
  return items.map((item, i) => ({ item, i })).sort((a, b) => b.item.hoursAgo - a.item.hoursAgo || a.i - b.i);
}
