import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { Database } from '../../../src/db/client.js';
import { instance, instanceStatus, instanceStatusHistory } from '../../../src/db/atmosphere-schema.js';

export async function instanceIdOf(db: Database, name: string): Promise<number> {
  const [row] = await db.select({ id: instance.id }).from(instance).where(eq(instance.name, name));
  if (!row) throw new Error(`no instance ${name}`);
  return row.id;
}

/** What Atmosphere does on a status change: end the current history row and add the new one at `at`. */
export async function setInstanceStatus(db: Database, id: number, status: string, activity: string | null, at: Date): Promise<void> {
  const [current] = await db
    .select({ id: instanceStatusHistory.id, sizeId: instanceStatusHistory.sizeId })
    .from(instanceStatusHistory)
    .where(eq(instanceStatusHistory.instanceId, id))
    .orderBy(desc(instanceStatusHistory.startDate), desc(instanceStatusHistory.id))
    .limit(1);
  let [named] = await db.select({ id: instanceStatus.id }).from(instanceStatus).where(eq(instanceStatus.name, status)).orderBy(asc(instanceStatus.id)).limit(1);
  named ??= (await db.insert(instanceStatus).values({ name: status }).returning({ id: instanceStatus.id }))[0]!;
  await db.update(instanceStatusHistory).set({ endDate: at }).where(eq(instanceStatusHistory.id, current!.id));
  await db.insert(instanceStatusHistory).values({ instanceId: id, statusId: named.id, activity, sizeId: current!.sizeId, startDate: at });
}

/** What Atmosphere does when an instance is destroyed: end dates on the instance and its last history row. */
export async function deleteInstance(db: Database, id: number, at: Date): Promise<void> {
  await db.update(instance).set({ endDate: at }).where(eq(instance.id, id));
  await db.update(instanceStatusHistory).set({ endDate: at }).where(and(eq(instanceStatusHistory.instanceId, id), isNull(instanceStatusHistory.endDate)));
}
