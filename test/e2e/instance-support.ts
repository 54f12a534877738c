import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { instance, instanceStatus, instanceStatusHistory } from '../../src/db/atmosphere-schema.js';
import { decision } from '../../src/db/bot-schema/decision.js';
import type { FakeAtmosphereApi } from '../fakes/atmosphere-api.js';

/**
 * Puts the demo's `docker-dev` into `active` with activity `deploy_error` (reference 3.3: how a
 * failed deployment is recorded when Nova reports the server active), the state in which Atmosphere
 * lists Redeploy. Returns its id and provider alias.
 */
export async function deployErrorInstance(db: Database): Promise<{ id: number; uuid: string }> {
  const [vm] = await db.select({ id: instance.id, uuid: instance.providerAlias }).from(instance).where(eq(instance.name, 'docker-dev'));
  const [active] = await db.select({ id: instanceStatus.id }).from(instanceStatus).where(eq(instanceStatus.name, 'active')).orderBy(asc(instanceStatus.id));
  await db
    .update(instanceStatusHistory)
    .set({ statusId: active!.id, activity: 'deploy_error' })
    .where(and(eq(instanceStatusHistory.instanceId, vm!.id), isNull(instanceStatusHistory.endDate)));
  return vm!;
}

/** The instance-action POSTs the bot sent for one instance. */
export function actionPosts(atmosphere: FakeAtmosphereApi, uuid: string) {
  return atmosphere.calls.filter((call) => call.method === 'POST' && call.path === `/api/v2/instances/${uuid}/actions`);
}

export function instanceDecisions(db: Database, id: number) {
  return db.select().from(decision).where(and(eq(decision.subject, 'instance'), eq(decision.recordId, id)));
}
