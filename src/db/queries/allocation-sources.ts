import { asc, count, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { anyOfPlaceholder, preparedPerDatabase } from '../prepared.js';
import { allocationSource, userAllocationSource } from '../atmosphere-schema.js';

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
