import type { Database } from '../../db/client.js';
import { UserError } from '../../errors.js';
import {
  findMachineRequestOldStatus,
  findOrCreateQuotaRow,
  getOrCreateStatusTypeId,
  setIdentityQuota,
  setAllocationComputeAllowed,
  setMachineRequestStatusRow,
  setResourceRequestStatusRow,
} from '../../db/queries/embedded-writes.js';
import type { AtmosphereGateway, CompleteQuota } from './gateway.js';
import { validInstanceActions } from './valid-instance-actions.js';
import { moveApplicationVersionRow, setApplicationPrivateRow } from '../../db/queries/embedded-image-writes.js';
import { findCurrentInstanceRow, getOrCreateInstanceStatusId, replaceInstanceStatus } from '../../db/queries/embedded-instance-writes.js';

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
  // Atmosphere creates status rows lazily with get_or_create; so does this.
  const statusId = (name: string) => getOrCreateStatusTypeId(db, name, now());

  async function currentRow(uuid: string) {
    const row = await findCurrentInstanceRow(db, uuid);
    if (!row) throw new UserError('not_found', `Instance ${uuid} no longer exists.`);
    return row;
  }

  return {
    kind: 'embedded',

    async checkWritable() {},

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
      const statusId = await getOrCreateInstanceStatusId(db, state.status);
      await replaceInstanceStatus(db, { current: row, statusId, activity: state.activity, at: now() });
    },

    findOrCreateQuota: (values: CompleteQuota) => findOrCreateQuotaRow(db, values),

    async moveImageVersion(input) {
      if (!(await moveApplicationVersionRow(db, input))) throw new UserError('not_found', `There is no image version ${input.versionId}.`);
    },

    async setApplicationPublic({ applicationId }) {
      if (!(await setApplicationPrivateRow(db, applicationId, false))) throw new UserError('not_found', `There is no application #${applicationId}.`);
    },

    async assignQuota({ identityUuid, quotaId }) {
      if (!(await setIdentityQuota(db, identityUuid, quotaId))) throw new UserError('not_found', `There is no identity ${identityUuid}.`);
    },

    async setAllocationComputeAllowed({ uuid, name, computeAllowed }) {
      if (!(await setAllocationComputeAllowed(db, uuid, computeAllowed))) throw new UserError('not_found', `There is no allocation source ${name}.`);
    },

    async setResourceRequestStatus({ id, status, adminMessage }) {
      const statusRowId = await statusId(status);
      // Atmosphere end-dates denied and closed requests, not approved ones (reference §4.1).
      const endDate = status === 'approved' ? {} : { endDate: now() };
      const updated = await setResourceRequestStatusRow(db, { id, statusId: statusRowId, adminMessage, ...endDate });
      if (!updated) throw new UserError('not_found', `There is no resource request #${id}.`);
    },

    async setMachineRequestStatus({ id, status }) {
      const row = await findMachineRequestOldStatus(db, id);
      if (!row) throw new UserError('not_found', `There is no imaging request #${id}.`);
      if (status === 'approved') {
        // Approval starts the chain at once: `approved` becomes `started`, and an errored old_status is
        // reset to the step inside its first parentheses so the chain resumes there (reference §3.2).
        const old = row.oldStatus ?? '';
        const resumed = /exception/i.test(old) ? (/\(([^()]*)\)/.exec(old)?.[1] ?? 'pending') : old;
        await setMachineRequestStatusRow(db, { id, statusId: await statusId('started'), oldStatus: resumed || 'pending' });
        return;
      }
      const endDate = status === 'closed' ? { endDate: now() } : {};
      await setMachineRequestStatusRow(db, { id, statusId: await statusId(status), ...endDate });
    },
  };
}
