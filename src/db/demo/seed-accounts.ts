import { createHash } from 'node:crypto';
import {
  allocationSource,
  allocationSourceSnapshot,
  atmosphereUser,
  atmosphereUserGroups,
  authGroup,
  group,
  groupMembers,
  identity,
  identityMembership,
  project,
  userAllocationSnapshot,
  userAllocationSource,
} from '../atmosphere-schema.js';
import { USERS, demoUuid, type ProviderKey } from './demo-catalogue.js';
import { indexBy, must } from './keyed-rows.js';
import type { SeedContext } from './seed-context.js';
import type { DemoProviders } from './seed-providers.js';

/** Ids of the demo users and what hangs off them, by username. */
export interface DemoAccounts {
  userId(username: string): number;
  /** The user's personal group (`auth_group` id, also `"group".group_ptr_id`). */
  groupId(username: string): number;
  identityId(username: string, provider: ProviderKey): number;
  /** Like `identityId`, but null when the user has no account on that provider. */
  findIdentityId(username: string, provider: ProviderKey): number | null;
  membershipId(username: string, provider: ProviderKey): number;
  /** The user's default project. */
  projectId(username: string): number;
}

/**
 * Inserts the users with their personal groups, their identities (one per provider account) and
 * memberships, the allocation sources and each user's default project.
 */
export async function seedAccounts({ tx, ago, days }: SeedContext, providers: DemoProviders): Promise<DemoAccounts> {
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
      .values(
        accounts.map((a) => ({
          uuid: demoUuid(`identity:${a.user}:${a.provider}`),
          createdById: userId(a.user),
          providerId: providers.providerId(a.provider),
          quotaId: providers.quotaId(a.quota),
        })),
      )
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
  // What the allocation engine last wrote: alee has nearly used up her 336 AU (her request asks for
  // more), the shared project burns steadily; the other personal sources have no snapshot yet.
  const updated = ago(1);
  await tx.insert(allocationSourceSnapshot).values([
    { allocationSourceId: must(allocations, 'alee').id, computeUsed: 318.5, computeAllowed: 336, globalBurnRate: 1.5, updated, lastRenewed: days(20) },
    { allocationSourceId: must(allocations, 'TG-BIO210056').id, computeUsed: 62_400, computeAllowed: 100_000, globalBurnRate: 48, updated, lastRenewed: days(200) },
  ]);
  await tx.insert(userAllocationSnapshot).values([
    { allocationSourceId: must(allocations, 'alee').id, userId: userId('alee'), computeUsed: 318.5, burnRate: 1.5, updated },
    { allocationSourceId: must(allocations, 'TG-BIO210056').id, userId: userId('dchen'), computeUsed: 40_100, burnRate: 30, updated },
    { allocationSourceId: must(allocations, 'TG-BIO210056').id, userId: userId('rnguyen'), computeUsed: 22_300, burnRate: 18, updated },
  ]);

  const projects = indexBy(
    await tx
      .insert(project)
      .values(USERS.map((u) => ({ uuid: demoUuid(`project:${u.username}`), name: u.project, startDate: days(u.joinedDaysAgo), ownerId: groupId(u.username), createdById: userId(u.username) })))
      .returning(),
    (r) => r.createdById,
  );

  return {
    userId,
    groupId,
    identityId,
    findIdentityId: (user, p) => identities.get(demoUuid(`identity:${user}:${p}`))?.id ?? null,
    membershipId: (user, p) => must(memberships, demoUuid(`membership:${user}:${p}`)).id,
    projectId: (username) => must(projects, userId(username)).id,
  };
}
