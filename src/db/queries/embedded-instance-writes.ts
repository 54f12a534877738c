import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { Database } from '../client.js';
import { instance, instanceStatus, instanceStatusHistory } from '../atmosphere-schema.js';

/*
 * The instance writes of embedded (demo) mode, where the bot plays the Atmosphere API's instance
 * actions against its own database. Production never runs them: there the API starts the actions.
 */

export interface CurrentInstanceRow {
  id: number;
  status: string;
  activity: string | null;
  sizeId: number;
  instanceId: number;
}

/** The open instance's latest status-history row, by its provider uuid; null when there is none. */
export async function findCurrentInstanceRow(db: Database, uuid: string): Promise<CurrentInstanceRow | null> {
  const rows = await db
    .select({ id: instanceStatusHistory.id, status: instanceStatus.name, activity: instanceStatusHistory.activity, sizeId: instanceStatusHistory.sizeId, instanceId: instance.id })
    .from(instance)
    .innerJoin(instanceStatusHistory, eq(instanceStatusHistory.instanceId, instance.id))
    .innerJoin(instanceStatus, eq(instanceStatus.id, instanceStatusHistory.statusId))
    .where(and(eq(instance.providerAlias, uuid), isNull(instance.endDate)))
    .orderBy(desc(instanceStatusHistory.startDate), desc(instanceStatusHistory.id))
    .limit(1);
  return rows[0] ?? null;
}

/** The lowest `instance_status` id of that name, created when missing as Atmosphere's get_or_create does. */
export async function getOrCreateInstanceStatusId(db: Database, name: string): Promise<number> {
  const rows = await db.select({ id: instanceStatus.id }).from(instanceStatus).where(eq(instanceStatus.name, name)).orderBy(asc(instanceStatus.id)).limit(1);
  if (rows[0]) return rows[0].id;
  return (await db.insert(instanceStatus).values({ name }).returning({ id: instanceStatus.id }))[0]!.id;
}

/** Ends the current history row and starts one in the new status, as an action Atmosphere started would. */
export async function replaceInstanceStatus(
  db: Database,
  change: { current: CurrentInstanceRow; statusId: number; activity: string; at: Date },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(instanceStatusHistory).set({ endDate: change.at }).where(eq(instanceStatusHistory.id, change.current.id));
    await tx.insert(instanceStatusHistory).values({
      instanceId: change.current.instanceId,
      statusId: change.statusId,
      activity: change.activity,
      sizeId: change.current.sizeId,
      startDate: change.at,
    });
  });
}
