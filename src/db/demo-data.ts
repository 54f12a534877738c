import { createHash } from 'node:crypto';
import type { Database } from './client.js';
import {
  allocationSource,
  application,
  applicationVersion,
  atmosphereUser,
  atmosphereUserGroups,
  authGroup,
  group,
  groupMembers,
  identity,
  identityMembership,
  instance,
  instanceSource,
  instanceStatus,
  instanceStatusHistory,
  machineRequest,
  platformType,
  project,
  provider,
  providerMachine,
  providerType,
  quota,
  resourceRequest,
  size,
  statusType,
  userAllocationSource,
  type InstanceStatusExtra,
} from './atmosphere-schema.js';


import {
  DAY,
  type DemoInstance,
  HOUR,
  IMAGES,
  INSTANCES,
  MACHINE_REQUESTS,
  PROVIDERS,
  type ProviderKey,
  type QuotaKey,
  RESOURCE_REQUESTS,
  USERS,
  demoUuid,
} from './demo-catalogue.js';

// Writes the demo cloud of demo-catalogue.ts into an empty embedded database, in one transaction,
// in the order Atmosphere's foreign keys need.

export { DEMO_ERRORS, demoUuid } from './demo-catalogue.js';

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

/**
 * Fills an EMPTY embedded Atmosphere database with a small, realistic cloud: three OpenStack providers,
 * staff and ordinary users (two active accounts whose e-mails differ only by case, one disabled),
 * identities, quotas and allocation sources, resource requests and imaging requests in every state the
 * staff guide describes (with its real error texts), and instances healthy, stuck and failed.
 * Does nothing when `atmosphere_user` has any row. Deterministic: the same `now` gives the same rows,
 * every date is relative to `now`, and ids come from the tables' own sequences.
 */
export async function seedDemoData(db: Database, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: atmosphereUser.id }).from(atmosphereUser).limit(1);
    if (existing) return;
    await seed(tx, (hours) => new Date(now.getTime() - hours * HOUR));
  });
}

interface HistoryStep {
  status: string;
  activity: string | null;
  start: Date;
  end: Date | null;
  extra: InstanceStatusExtra | null;
}

/** The status history Atmosphere records for a launch: build, networking, deploying, then the state. */
function historyOf(vm: DemoInstance, ago: (hours: number) => Date): HistoryStep[] {
  const launch: [status: string, activity: string, minutes: number][] = [['build', 'spawning', 4]];
  if (vm.state !== 'error') launch.push(['networking', 'networking', 6]);
  if (vm.state !== 'error' && vm.state !== 'networking') launch.push(['deploying', 'deploying', 14]);
  const steps: HistoryStep[] = [];
  let at = ago(vm.launchedHoursAgo);
  for (const [status, activity, minutes] of launch) {
    const end = new Date(at.getTime() + minutes * 60_000);
    steps.push({ status, activity, start: at, end, extra: null });
    at = end;
  }
  if (vm.state === 'networking' || vm.state === 'deploying') {
    // Stuck (or still going): the last launch step is the current one.
    const current = steps[steps.length - 1];
    if (current) current.end = null;
    return steps;
  }
  if (vm.state === 'suspended' || vm.state === 'shutoff') {
    const changed = ago(vm.changedHoursAgo ?? 0);
    steps.push({ status: 'active', activity: null, start: at, end: changed, extra: null });
    at = changed;
  }
  const activity = vm.state === 'deploy_error' ? 'deploy_error' : null;
  steps.push({ status: vm.state, activity, start: at, end: null, extra: vm.fault ?? null });
  return steps;
}

function indexBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T> {
  return new Map(rows.map((row) => [key(row), row]));
}

function must<K, V>(map: Map<K, V>, key: K): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`demo data refers to an unknown key: ${String(key)}`);
  return value;
}

async function seed(tx: Tx, ago: (hours: number) => Date): Promise<void> {
  const days = (n: number) => ago(n * DAY);

  // Fixture order for the types (core/fixtures/provider.json).
  const providerTypes = indexBy(await tx.insert(providerType).values(['Eucalyptus', 'OpenStack', 'Amazon EC2'].map((name) => ({ name, startDate: days(3000) }))).returning(), (r) => r.name);
  const platformTypes = indexBy(await tx.insert(platformType).values(['Xen', 'KVM'].map((name) => ({ name, startDate: days(3000) }))).returning(), (r) => r.name);

  // Created lazily by get_or_create in real life, so ids follow first use: never guess them.
  const statusNames = ['closed', 'started', 'pending', 'failed', 'approved', 'validating', 'denied', 'completed', 'processing', 'created'];
  const statuses = indexBy(await tx.insert(statusType).values(statusNames.map((name, i) => ({ uuid: demoUuid(`status:${name}`), name, startDate: days(2500 - i) }))).returning(), (r) => r.name);
  const vmStatusNames = ['active', 'build', 'networking', 'deploying', 'deploy_error', 'suspended', 'shutoff', 'error'];
  const vmStatuses = indexBy(await tx.insert(instanceStatus).values(vmStatusNames.map((name) => ({ name }))).returning(), (r) => r.name);

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
  const quotaId = (key: QuotaKey) => must(quotas, demoUuid(`quota:${key}`)).id;

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
          typeId: must(providerTypes, 'OpenStack').id,
          virtualizationId: must(platformTypes, 'KVM').id,
        })),
      )
      .returning(),
    (r) => r.uuid,
  );
  const providerId = (key: ProviderKey) => must(providers, demoUuid(`provider:${key}`)).id;

  // Flavors as CyVerse and Jetstream name them; "Unknown Size" stands in for vanished flavors (0093).
  const flavors = [
    { alias: '1', name: 'm1.tiny', cpu: 1, mem: 2048, disk: 8 },
    { alias: '2', name: 'm1.small', cpu: 2, mem: 4096, disk: 20 },
    { alias: '3', name: 'm1.medium', cpu: 6, mem: 16384, disk: 60 },
    { alias: '4', name: 'm1.large', cpu: 10, mem: 30720, disk: 60 },
    { alias: '5', name: 'm1.xlarge', cpu: 24, mem: 61440, disk: 60 },
    { alias: 'N/A', name: 'Unknown Size', cpu: -1, mem: -1, disk: -1 },
  ];
  const sizeRows = await tx
    .insert(size)
    .values(PROVIDERS.flatMap((p) => flavors.map((f) => ({ uuid: demoUuid(`size:${p.key}:${f.name}`), ...f, root: f.disk, startDate: days(p.ageDays), providerId: providerId(p.key) }))))
    .returning();
  const sizes = indexBy(sizeRows, (r) => `${r.providerId}:${r.name}`);

  // Users, each with the personal group Group.create_usergroup makes (auth_group, "group", both links).
  const users = indexBy(
    await tx
      .insert(atmosphereUser)
      .values(
        USERS.map((u) => ({
          // An unusable Django hash ('!' prefix): these accounts log in through LDAP/CAS.
          password: `!${createHash('sha1').update(u.username).digest('hex')}`,
          lastLogin: u.disabledDaysAgo ? days(u.disabledDaysAgo + 20) : ago(u.lastLoginHoursAgo),
          isSuperuser: u.superuser ?? false,
          uuid: demoUuid(`user:${u.username}`),
          endDate: u.disabledDaysAgo ? days(u.disabledDaysAgo) : null,
          username: u.username,
          firstName: u.firstName,
          lastName: u.lastName,
          email: u.email,
          isStaff: u.staff ?? false,
          isActive: !u.disabledDaysAgo,
          dateJoined: days(u.joinedDaysAgo),
        })),
      )
      .returning(),
    (r) => r.username,
  );
  const userId = (username: string) => must(users, username).id;
  const groups = indexBy(await tx.insert(authGroup).values(USERS.map((u) => ({ name: u.username }))).returning(), (r) => r.name);
  const groupId = (username: string) => must(groups, username).id;
  await tx.insert(group).values(USERS.map((u) => ({ groupPtrId: groupId(u.username), uuid: demoUuid(`group:${u.username}`) })));
  await tx.insert(groupMembers).values(USERS.map((u) => ({ uuid: demoUuid(`member:${u.username}`), groupId: groupId(u.username), userId: userId(u.username), isLeader: true })));
  await tx.insert(atmosphereUserGroups).values(USERS.map((u) => ({ atmosphereuserId: userId(u.username), groupId: groupId(u.username) })));

  const accounts = USERS.flatMap((u) => u.accounts.map((a) => ({ user: u.username, provider: a.provider, quota: a.quota ?? 'default' })));
  const identities = indexBy(
    await tx
      .insert(identity)
      .values(accounts.map((a) => ({ uuid: demoUuid(`identity:${a.user}:${a.provider}`), createdById: userId(a.user), providerId: providerId(a.provider), quotaId: quotaId(a.quota) })))
      .returning(),
    (r) => r.uuid,
  );
  const identityId = (user: string, p: ProviderKey) => must(identities, demoUuid(`identity:${user}:${p}`)).id;
  const memberships = indexBy(
    await tx
      .insert(identityMembership)
      .values(accounts.map((a) => ({ uuid: demoUuid(`membership:${a.user}:${a.provider}`), identityId: identityId(a.user, a.provider), memberId: groupId(a.user) })))
      .returning(),
    (r) => r.uuid,
  );
  const membershipId = (user: string, p: ProviderKey) => must(memberships, demoUuid(`membership:${user}:${p}`)).id;

  // CyVerse gives each user an allocation source named after them; a Jetstream project shares one.
  const allocations = indexBy(
    await tx
      .insert(allocationSource)
      .values([
        ...USERS.map((u) => ({ uuid: demoUuid(`allocation:${u.username}`), name: u.username, computeAllowed: 336, startDate: days(u.joinedDaysAgo), renewalStrategy: 'default' })),
        { uuid: demoUuid('allocation:TG-BIO210056'), name: 'TG-BIO210056', computeAllowed: 100_000, startDate: days(200), renewalStrategy: 'custom' },
      ])
      .returning(),
    (r) => r.name,
  );
  await tx.insert(userAllocationSource).values([
    ...USERS.map((u) => ({ allocationSourceId: must(allocations, u.username).id, userId: userId(u.username) })),
    ...['dchen', 'rnguyen'].map((name) => ({ allocationSourceId: must(allocations, 'TG-BIO210056').id, userId: userId(name) })),
  ]);

  const projects = indexBy(
    await tx
      .insert(project)
      .values(USERS.map((u) => ({ uuid: demoUuid(`project:${u.username}`), name: u.project, startDate: days(u.joinedDaysAgo), ownerId: groupId(u.username), createdById: userId(u.username) })))
      .returning(),
    (r) => r.createdById,
  );

  // Images: an application, one version, and a provider machine (Glance image) per provider.
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
          createdByIdentityId: identities.get(demoUuid(`identity:${c.img.owner}:${c.provider}`))?.id ?? null,
          providerId: providerId(c.provider),
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
  const machineId = (image: string, p: ProviderKey) => must(machines, source(image, p).id).id;

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
          projectId: must(projects, userId(vm.owner)).id,
        })),
      )
      .returning(),
    (r) => r.name,
  );
  await tx.insert(instanceStatusHistory).values(
    INSTANCES.flatMap((vm) =>
      historyOf(vm, ago).map((step, i) => ({
        uuid: demoUuid(`history:${vm.name}:${i}`),
        activity: step.activity,
        startDate: step.start,
        endDate: step.end,
        instanceId: must(vms, vm.name).id,
        sizeId: must(sizes, `${providerId(vm.provider)}:${vm.size}`).id,
        statusId: must(vmStatuses, step.status).id,
        extra: step.extra,
      })),
    ),
  );

  await tx.insert(resourceRequest).values(
    RESOURCE_REQUESTS.map((rr, i) => ({
      uuid: demoUuid(`resource-request:${i}`),
      adminMessage: rr.adminMessage ?? '',
      startDate: ago(rr.hoursAgo),
      endDate: rr.endedHoursAgo === undefined ? null : ago(rr.endedHoursAgo),
      request: rr.request,
      description: rr.description,
      createdById: userId(rr.user),
      statusId: must(statuses, rr.status).id,
    })),
  );

  const vmSpec = indexBy(INSTANCES, (vm) => vm.name);
  await tx.insert(machineRequest).values(
    MACHINE_REQUESTS.map((mr, i) => {
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
        instanceId: must(vms, vm.name).id,
        membershipId: membershipId(vm.owner, vm.provider),
        newApplicationVersionId: mr.result ? demoUuid(`version:${mr.result}`) : null,
        newMachineId: mr.result ? machineId(mr.result, vm.provider) : null,
        newMachineOwnerId: userId(vm.owner),
        newMachineProviderId: providerId(vm.provider),
        parentMachineId: machineId(vm.image, vm.provider),
        statusId: must(statuses, mr.status).id,
      };
    }),
  );
}
