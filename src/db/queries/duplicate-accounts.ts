import { and, asc, count, eq, gt, inArray, isNull, max, or, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { atmosphereUser, identity, machineRequest, provider, resourceRequest } from '../atmosphere-schema.js';

export interface DuplicateAccount {
  id: number;
  username: string;
  email: string;
  isStaff: boolean;
  dateJoined: Date;
  lastLogin: Date | null;
  /** Provider names of the account's identities, by provider id. */
  providers: string[];
  resourceRequests: number;
  machineRequests: number;
  /** When the account last asked for anything (either kind of request). */
  lastRequestAt: Date | null;
}

export interface DuplicateGroup {
  /** The e-mail in lower case, the key the accounts share. */
  email: string;
  accounts: DuplicateAccount[];
}

/** How many groups one answer lists; the total is said beside it. */
export const MAX_DUPLICATE_GROUPS = 50;

/**
 * Enabled accounts (active, and no end date or one still ahead, as Atmosphere's `is_enabled`) whose
 * e-mails are equal ignoring case: the accounts the bot refuses to match a chat user to by e-mail,
 * and the case-only duplicates an upgrade to case-insensitive e-mails has to merge first (the Synnefo
 * v0.13 notes). No index on `lower(email)` exists in Atmosphere; the grouping reads `atmosphere_user`
 * once, which is small beside the request and history tables. Password and other secret columns are
 * never selected. Groups come in e-mail order, each account by join date.
 */
export async function listCaseDuplicateAccounts(db: Database, now: Date): Promise<{ groups: DuplicateGroup[]; total: number }> {
  const enabled = and(eq(atmosphereUser.isActive, true), or(isNull(atmosphereUser.endDate), gt(atmosphereUser.endDate, now)));
  const key = sql<string>`lower(${atmosphereUser.email})`;
  const keys = await db
    .select({ email: key, accounts: count() })
    .from(atmosphereUser)
    .where(and(enabled, sql`${atmosphereUser.email} <> ''`))
    .groupBy(key)
    .having(sql`count(*) > 1`)
    .orderBy(key);
  if (keys.length === 0) return { groups: [], total: 0 };
  const shown = keys.slice(0, MAX_DUPLICATE_GROUPS).map((row) => row.email);

  const users = await db
    .select({
      id: atmosphereUser.id,
      username: atmosphereUser.username,
      email: atmosphereUser.email,
      isStaff: atmosphereUser.isStaff,
      dateJoined: atmosphereUser.dateJoined,
      lastLogin: atmosphereUser.lastLogin,
    })
    .from(atmosphereUser)
    .where(and(enabled, inArray(key, shown)))
    .orderBy(asc(atmosphereUser.dateJoined), asc(atmosphereUser.id));
  const ids = users.map((user) => user.id);

  // Atmosphere's indexes on identity.created_by_id and the requests' created_by_id serve these.
  const [identities, resources, machines] = await Promise.all([
    db
      .select({ userId: identity.createdById, provider: provider.location })
      .from(identity)
      .innerJoin(provider, eq(provider.id, identity.providerId))
      .where(inArray(identity.createdById, ids))
      .orderBy(asc(provider.id)),
    db
      .select({ userId: resourceRequest.createdById, count: count(), last: max(resourceRequest.startDate) })
      .from(resourceRequest)
      .where(inArray(resourceRequest.createdById, ids))
      .groupBy(resourceRequest.createdById),
    db
      .select({ userId: machineRequest.createdById, count: count(), last: max(machineRequest.startDate) })
      .from(machineRequest)
      .where(inArray(machineRequest.createdById, ids))
      .groupBy(machineRequest.createdById),
  ]);

  const latest = (a: Date | null | undefined, b: Date | null | undefined) => (!a ? (b ?? null) : !b ? a : a > b ? a : b);
  const groups = new Map<string, DuplicateAccount[]>(shown.map((email) => [email, []]));
  for (const user of users) {
    const resource = resources.find((row) => row.userId === user.id);
    const machine = machines.find((row) => row.userId === user.id);
    groups.get(user.email.toLowerCase())?.push({
      ...user,
      providers: identities.filter((row) => row.userId === user.id).map((row) => row.provider),
      resourceRequests: resource?.count ?? 0,
      machineRequests: machine?.count ?? 0,
      lastRequestAt: latest(resource?.last ? new Date(resource.last) : null, machine?.last ? new Date(machine.last) : null),
    });
  }
  return { groups: [...groups].map(([email, accounts]) => ({ email, accounts })), total: keys.length };
}
