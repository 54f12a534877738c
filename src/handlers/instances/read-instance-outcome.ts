import type { Database } from '../../db/client.js';
import { getInstances, listInstanceHistory } from '../../db/queries/instances.js';
import type { AtmosphereOutcome } from '../decisions/read-atmosphere-outcome.js';
import { describeStatus, type InstanceStep } from './classify-instance.js';

/**
 * What Atmosphere's status history shows once an action has started. The API records it itself
 * before it answers: a redeploy sets the `tmp_status` metadata to `redeploying` and converts the
 * instance (status `redeploy`, activity `redeploying`); a reboot asks Nova and records the server's
 * new state, `reboot` or `hard_reboot` with a `reboot…` task state (cyverse/atmosphere
 * service/instance.py `redeploy_instance`, `reboot_instance` → `update_status`; reference 3.3; Nova's
 * task states in nova/compute/task_states.py).
 */
const SIGNS: Record<InstanceStep, { statuses: readonly string[]; activities: readonly string[] }> = {
  redeploy: { statuses: ['redeploy'], activities: ['redeploying'] },
  'reboot-soft': { statuses: ['reboot'], activities: ['rebooting', 'reboot_pending', 'reboot_started'] },
  'reboot-hard': { statuses: ['hard_reboot'], activities: ['rebooting_hard', 'reboot_pending_hard', 'reboot_started_hard'] },
};

export function isInstanceStep(value: string): value is InstanceStep {
  return value in SIGNS;
}

/** Whether a status-history row shows that `step` started. */
export function showsStep(step: InstanceStep, row: { status: string; activity: string | null }): boolean {
  const signs = SIGNS[step];
  return signs.statuses.includes(row.status) || (row.activity !== null && signs.activities.includes(row.activity));
}

/**
 * Judges an instance action's claim against Atmosphere's tables: `applied` when a status-history row
 * written after the claim (`after`: the newest row id when it was made) shows the action; `missing`
 * when the instance is gone; `elsewhere` when it was deleted with no sign of the action; otherwise
 * `unchanged`. Reads the instance's own rows through Atmosphere's `instance_id` index.
 */
export async function readInstanceOutcome(db: Database, id: number, step: InstanceStep, after: number): Promise<AtmosphereOutcome> {
  const [instance] = await getInstances(db, [id]);
  if (!instance) return { kind: 'missing' };
  const history = await listInstanceHistory(db, [id]);
  const sign = history.find((row) => row.id > after && showsStep(step, row));
  if (sign) return { kind: 'applied', status: describeStatus(sign.status, sign.activity) };
  if (instance.endDate) return { kind: 'elsewhere', status: 'deleted' };
  const current = history.at(-1);
  return { kind: 'unchanged', status: current ? describeStatus(current.status, current.activity) : 'without any status history' };
}
