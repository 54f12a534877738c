import { and, asc, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { identity, instance, instanceStatus, instanceStatusHistory, machineRequest, quota, resourceRequest, statusType } from '../../db/atmosphere-schema.js';
import { UserError } from '../../errors.js';
import { quotaValueColumns } from '../../db/queries/quota-columns.js';
import { QUOTA_KEYS, type AtmosphereGateway, type QuotaValues } from './gateway.js';
import { validInstanceActions } from './valid-instance-actions.js';

/** The status and activity Atmosphere records once an action has started (reference §3.3). */
const ACTION_STATE = {
  redeploy: { status: 'redeploy', activity: 'redeploying', key: 'Redeploy' },
  SOFT: { status: 'reboot', activity: 'rebooting', key: 'Reboot' },
  HARD: { status: 'hard_reboot', activity: 'rebooting_hard', key: 'Hard Reboot' },
} as const;


/**
 * The gateway for embedded (demo) mode only: it applies to its own database the state changes the
 * Atmosphere API documents (reference §4.1, §4.2, §3.2), without the e-mails, OpenStack calls or the
 * celery imaging chain that do not exist here. main.ts never builds it against a real DATABASE_URL.
 */
export function createEmbeddedGateway(db: Database, now: () => Date): AtmosphereGateway {
  async function statusId(name: string): Promise<number> {
    const rows = await db.select({ id: statusType.id }).from(statusType).where(eq(statusType.name, name)).orderBy(asc(statusType.id)).limit(1);
    if (rows[0]) return rows[0].id;
    // Atmosphere creates status rows lazily with get_or_create; do the same.
    const created = await db
      .insert(statusType)
      .values({ name, description: '', startDate: now() })
      .returning({ id: statusType.id });
    return created[0]!.id;
  }

  async function currentRow(uuid: string) {
    const rows = await db
      .select({ id: instanceStatusHistory.id, status: instanceStatus.name, activity: instanceStatusHistory.activity, sizeId: instanceStatusHistory.sizeId, instanceId: instance.id })
      .from(instance)
      .innerJoin(instanceStatusHistory, eq(instanceStatusHistory.instanceId, instance.id))
      .innerJoin(instanceStatus, eq(instanceStatus.id, instanceStatusHistory.statusId))
      .where(and(eq(instance.providerAlias, uuid), isNull(instance.endDate)))
      .orderBy(desc(instanceStatusHistory.startDate), desc(instanceStatusHistory.id))
      .limit(1);
    if (!rows[0]) throw new UserError('not_found', `Instance ${uuid} no longer exists.`);
    return rows[0];
  }

  async function instanceStatusId(name: string): Promise<number> {
    const rows = await db.select({ id: instanceStatus.id }).from(instanceStatus).where(eq(instanceStatus.name, name)).orderBy(asc(instanceStatus.id)).limit(1);
    if (rows[0]) return rows[0].id;
    return (await db.insert(instanceStatus).values({ name }).returning({ id: instanceStatus.id }))[0]!.id;
  }

  return {
    kind: 'embedded',

    async listInstanceActions({ uuid }) {
      const row = await currentRow(uuid);
      return validInstanceActions(row.status, row.activity);
    },

    async instanceAction(input) {
      const row = await currentRow(input.uuid);
      const state = ACTION_STATE[input.action === 'redeploy' ? 'redeploy' : input.rebootType];
      if (!validInstanceActions(row.status, row.activity).includes(state.key)) {
        throw new UserError('conflict', `Atmosphere does not allow ${state.key} on instance ${input.uuid} while it is ${row.status}${row.activity ? ` / ${row.activity}` : ''}.`);
      }
      const at = now();
      const statusRowId = await instanceStatusId(state.status);
      await db.update(instanceStatusHistory).set({ endDate: at }).where(eq(instanceStatusHistory.id, row.id));
      await db.insert(instanceStatusHistory).values({ instanceId: row.instanceId, statusId: statusRowId, activity: state.activity, sizeId: row.sizeId, startDate: at });
    },

    async findOrCreateQuota(values: QuotaValues) {
      const conditions: SQL[] = QUOTA_KEYS.map((key) => sql`${quotaValueColumns[key]} is not distinct from ${values[key]}`);
      const found = await db.select({ id: quota.id }).from(quota).where(and(...conditions)).orderBy(asc(quota.id)).limit(1);
      if (found[0]) return { id: found[0].id, created: false };
      const inserted = await db
        .insert(quota)
        .values({
          cpu: values.cpu,
          memory: values.memory,
          storage: values.storage,
          instanceCount: values.instance_count,
          snapshotCount: values.snapshot_count,
          storageCount: values.storage_count,
          floatingIpCount: values.floating_ip_count,
          portCount: values.port_count,
        })
        .returning({ id: quota.id });
      return { id: inserted[0]!.id, created: true };
    },

    async assignQuota({ identityUuid, quotaId }) {
      const updated = await db.update(identity).set({ quotaId }).where(eq(identity.uuid, identityUuid)).returning({ id: identity.id });
      if (updated.length === 0) throw new UserError('not_found', `There is no identity ${identityUuid}.`);
    },

    async setResourceRequestStatus({ id, status, adminMessage }) {
      const statusRowId = await statusId(status);
      // Atmosphere end-dates denied and closed requests, not approved ones (reference §4.1).
      const endDate = status === 'approved' ? {} : { endDate: now() };
      const updated = await db
        .update(resourceRequest)
        .set({ statusId: statusRowId, adminMessage, ...endDate })
        .where(eq(resourceRequest.id, id))
        .returning({ id: resourceRequest.id });
      if (updated.length === 0) throw new UserError('not_found', `There is no resource request #${id}.`);
    },

    async setMachineRequestStatus({ id, status }) {
      const rows = await db.select({ oldStatus: machineRequest.oldStatus }).from(machineRequest).where(eq(machineRequest.id, id)).limit(1);
      if (!rows[0]) throw new UserError('not_found', `There is no imaging request #${id}.`);
      if (status === 'approved') {
        // Approval starts the chain at once: `approved` becomes `started`, and an errored old_status is
        // reset to the step inside its first parentheses so the chain resumes there (reference §3.2).
        const old = rows[0].oldStatus ?? '';
        const resumed = /exception/i.test(old) ? (/\(([^()]*)\)/.exec(old)?.[1] ?? 'pending') : old;
        await db
          .update(machineRequest)
          .set({ statusId: await statusId('started'), oldStatus: resumed || 'pending', startDate: sql`${machineRequest.startDate}` })
          .where(eq(machineRequest.id, id));
        return;
      }
      const endDate = status === 'closed' ? { endDate: now() } : {};
      await db
        .update(machineRequest)
        .set({ statusId: await statusId(status), ...endDate })
        .where(eq(machineRequest.id, id));
    },
  };
}
