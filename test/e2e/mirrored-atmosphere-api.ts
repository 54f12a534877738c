import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { allocationSource, identity, instance, instanceStatus, instanceStatusHistory, machineRequest, quota, resourceRequest, statusType } from '../../src/db/atmosphere-schema.js';
import { startFakeAtmosphereApi, type FakeAtmosphereApi, type FakeAtmosphereChange } from '../fakes/atmosphere-api.js';

/**
 * The fake Atmosphere API wired to a test database the way the real API is wired to its own: it knows
 * the database's status ids and quota rows, answers 404 for records the database does not hold, and
 * writes every accepted change back (reference §4.1: the status and admin_message, end_date on deny or
 * close only; a new quota row; the identity's quota), so the bot reads what it just caused.
 */
export async function startMirroredAtmosphereApi(db: Database): Promise<FakeAtmosphereApi> {
  const statuses = await db.select({ id: statusType.id, name: statusType.name }).from(statusType);
  const quotas = await db.select().from(quota);
  const fake = await startFakeAtmosphereApi({
    statusNames: Object.fromEntries(statuses.map((row) => [row.id, row.name])),
    quotas: quotas.map((row) => ({
      id: row.id,
      uuid: row.uuid,
      cpu: row.cpu,
      memory: row.memory,
      storage: row.storage,
      instance_count: row.instanceCount,
      snapshot_count: row.snapshotCount,
      storage_count: row.storageCount,
      floating_ip_count: row.floatingIpCount,
      port_count: row.portCount,
    })),
    async exists(kind, id) {
      if (kind === 'identity') {
        // A malformed uuid would make Postgres throw; Django answers 404 for it.
        if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
        return (await db.select({ id: identity.id }).from(identity).where(eq(identity.uuid, id))).length === 1;
      }
      const table = kind === 'resource_request' ? resourceRequest : machineRequest;
      return (await db.select({ id: table.id }).from(table).where(eq(table.id, Number(id)))).length === 1;
    },
    // Usage lives in snapshot tables the allocation engine fills; the test databases have none, so 0 is used.
    allocationSources: async (uuid) => {
      const [row] = await db.select().from(allocationSource).where(eq(allocationSource.uuid, uuid));
      return row ? { id: row.id, name: row.name, computeAllowed: row.computeAllowed, computeUsed: 0, renewalStrategy: row.renewalStrategy } : null;
    },
    instances: async (uuid) => {
      const row = await currentInstanceRow(db, uuid);
      return row ? { status: row.status, activity: row.activity } : null;
    },
  });
  fake.onChange = async (call) => {
    if (call.change) await mirror(db, call.change);
  };
  return fake;
}

/** The instance's newest history row, as Atmosphere's `get_last_history` reads it. */
async function currentInstanceRow(db: Database, uuid: string) {
  const [row] = await db
    .select({ id: instanceStatusHistory.id, instanceId: instance.id, sizeId: instanceStatusHistory.sizeId, status: instanceStatus.name, activity: instanceStatusHistory.activity })
    .from(instance)
    .innerJoin(instanceStatusHistory, eq(instanceStatusHistory.instanceId, instance.id))
    .innerJoin(instanceStatus, eq(instanceStatus.id, instanceStatusHistory.statusId))
    .where(and(eq(instance.providerAlias, uuid), isNull(instance.endDate)))
    .orderBy(desc(instanceStatusHistory.startDate), desc(instanceStatusHistory.id))
    .limit(1);
  return row ?? null;
}

async function mirror(db: Database, change: FakeAtmosphereChange): Promise<void> {
  switch (change.kind) {
    case 'instance_action': {
      // What the API records before it answers (service/instance.py: redeploy_instance converts the
      // instance with tmp_status `redeploying`; reboot_instance records Nova's REBOOT/HARD_REBOOT and
      // its `rebooting…` task state; reference 3.3).
      const row = await currentInstanceRow(db, change.uuid);
      if (!row) return;
      const [name, activity] =
        change.action === 'redeploy' ? ['redeploy', 'redeploying'] : change.rebootType === 'HARD' ? ['hard_reboot', 'rebooting_hard'] : ['reboot', 'rebooting'];
      const [status] = await db.select({ id: instanceStatus.id }).from(instanceStatus).where(eq(instanceStatus.name, name)).orderBy(asc(instanceStatus.id)).limit(1);
      const statusId = status?.id ?? (await db.insert(instanceStatus).values({ name }).returning({ id: instanceStatus.id }))[0]!.id;
      const at = new Date();
      await db.update(instanceStatusHistory).set({ endDate: at }).where(eq(instanceStatusHistory.id, row.id));
      await db.insert(instanceStatusHistory).values({ instanceId: row.instanceId, statusId, activity, sizeId: row.sizeId, startDate: at });
      return;
    }
    case 'quota': {
      if (!change.created) return;
      const { quota: row } = change;
      await db.insert(quota).values({
        id: row.id,
        uuid: row.uuid,
        cpu: row.cpu,
        memory: row.memory,
        storage: row.storage,
        instanceCount: row.instance_count,
        snapshotCount: row.snapshot_count,
        storageCount: row.storage_count,
        floatingIpCount: row.floating_ip_count,
        portCount: row.port_count,
      });
      return;
    }
    case 'identity_quota':
      await db.update(identity).set({ quotaId: change.quotaId }).where(eq(identity.uuid, change.identityUuid));
      return;
    case 'resource_request_status': {
      // perform_update: denied and closed set end_date; approved does not.
      const ends = change.statusName === 'denied' || change.statusName === 'closed';
      await db
        .update(resourceRequest)
        .set({
          statusId: change.statusId,
          ...(change.adminMessage !== undefined ? { adminMessage: change.adminMessage } : {}),
          ...(ends ? { endDate: new Date() } : {}),
        })
        .where(eq(resourceRequest.id, change.id));
      return;
    }
    case 'allocation_compute':
      // listen_for_allocation_source_compute_allowed_changed (core/hooks/allocation_source.py).
      await db.update(allocationSource).set({ computeAllowed: change.computeAllowed }).where(eq(allocationSource.uuid, change.uuid));
      return;
    case 'machine_request_status':
      await db.update(machineRequest).set({ statusId: change.statusId }).where(eq(machineRequest.id, change.id));
      return;
  }
}
