import { asc, count, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Database } from '../client.js';
import { anyOfPlaceholder, preparedPerDatabase, sqlKeepingTables } from '../prepared.js';
import { allocationSource, atmosphereUser, userAllocationSource } from '../atmosphere-schema.js';
import { fromIdentityQuotasJson, identityQuotasJson, type IdentityQuota } from './identity-quotas.js';

/** An allocation source a user draws on (`allocation_source` through `user_allocation_source`). */
export interface AllocationSourceView {
  id: number;
  /** The API addresses a source by this (AllocationSourceViewSet.update filters on uuid). */
  uuid: string;
  name: string;
  /** Allowance in AU. */
  computeAllowed: number;
  endDate: Date | null;
  /** How many users draw on it: more than one is a shared (project) allocation. */
  members: number;
}

const sourcesOfUsers = preparedPerDatabase((db) => {
  const members = db
    .select({ sourceId: userAllocationSource.allocationSourceId, members: count().as('members') })
    .from(userAllocationSource)
    .groupBy(userAllocationSource.allocationSourceId)
    .as('members');
  return db
    .select({
      userId: userAllocationSource.userId,
      id: allocationSource.id,
      uuid: allocationSource.uuid,
      name: allocationSource.name,
      computeAllowed: allocationSource.computeAllowed,
      endDate: allocationSource.endDate,
      members: members.members,
    })
    .from(userAllocationSource)
    .innerJoin(allocationSource, eq(allocationSource.id, userAllocationSource.allocationSourceId))
    .innerJoin(members, eq(members.sourceId, allocationSource.id))
    .where(anyOfPlaceholder(userAllocationSource.userId, 'userIds'))
    .orderBy(asc(allocationSource.name))
    .prepare('atmobot_allocation_sources_of_users');
});

/**
 * Each user's allocation sources, personal and shared, by name. Usage lives in the snapshot tables
 * the allocation engine writes; this is the allowance, which is what a grant changes.
 */
export async function listAllocationSources(db: Database, userIds: readonly number[]): Promise<Map<number, AllocationSourceView[]>> {
  const result = new Map<number, AllocationSourceView[]>();
  if (userIds.length === 0) return result;
  const rows = await sourcesOfUsers(db).execute({ userIds: [...new Set(userIds)] });
  for (const row of rows) {
    const list = result.get(row.userId) ?? [];
    const { userId: _user, ...source } = row;
    list.push({ ...source, members: Number(source.members) });
    result.set(row.userId, list);
  }
  return result;
}

/** A user's allocation sources as sourcesJson carries them (the end date as JSON's text). */
type SourceJson = Omit<AllocationSourceView, 'endDate'> & { endDate: string | null };

/** The other users of a source, counted inside its row (an alias in a raw template names only itself). */
const MEMBER = 'member';
const member = alias(userAllocationSource, MEMBER);

/** The allocation sources of the user `userId`, as listAllocationSources reads them, in one JSON value. */
function sourcesJson(userId: typeof atmosphereUser.id) {
  return sql<SourceJson[] | null>`${sqlKeepingTables(sql`(select json_agg(json_build_object(
      'id', ${allocationSource.id}, 'uuid', ${allocationSource.uuid}, 'name', ${allocationSource.name},
      'computeAllowed', ${allocationSource.computeAllowed}, 'endDate', ${allocationSource.endDate},
      'members', (select count(*) from ${userAllocationSource} as ${sql.identifier(MEMBER)} where ${member.allocationSourceId} = ${allocationSource.id})
    ) order by ${allocationSource.name})
    from ${userAllocationSource} inner join ${allocationSource} on ${allocationSource.id} = ${userAllocationSource.allocationSourceId}
    where ${userAllocationSource.userId} = ${userId})`)}`;
}

const holdingsOfUser = preparedPerDatabase((db) =>
  db
    .select({ quotas: identityQuotasJson(atmosphereUser.id), sources: sourcesJson(atmosphereUser.id) })
    .from(atmosphereUser)
    .where(eq(atmosphereUser.id, sql.placeholder('userId')))
    .prepare('atmobot_holdings_of_user'),
);

/**
 * What one user holds now, for a decision's form: their identities with quotas (listIdentityQuotas)
 * and their allocation sources (listAllocationSources), the same rows in the same order, in one
 * statement instead of one each. Both empty for a user that does not exist.
 */
export async function getRequesterHoldings(db: Database, userId: number): Promise<{ quotas: IdentityQuota[]; sources: AllocationSourceView[] }> {
  const row = (await holdingsOfUser(db).execute({ userId }))[0];
  return {
    quotas: fromIdentityQuotasJson(row?.quotas ?? null),
    sources: (row?.sources ?? []).map((source) => ({ ...source, members: Number(source.members), endDate: source.endDate === null ? null : new Date(source.endDate) })),
  };
}
