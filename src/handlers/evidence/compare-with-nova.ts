import { CAPACITY_FAULT, describeStatus } from '../instances/classify-instance.js';
import type { NovaFault, NovaServer } from '../../integrations/openstack/nova-client.js';

/** nova/compute/power_state.py */
const POWER_STATES: Record<number, string> = { 0: 'NOSTATE', 1: 'RUNNING', 3: 'PAUSED', 4: 'SHUTDOWN', 6: 'CRASHED', 7: 'SUSPENDED' };

/** Nova task states Atmosphere records as `build` on an active server (its OPENSTACK_TASK_STATUS_MAP). */
const BUILD_TASKS = new Set(['initializing', 'scheduling', 'spawning', 'block_device_mapping', 'networking', 'resuming', 'powering_on']);

/** `1 (RUNNING)` */
export function describePowerState(power: number | null): string {
  return power === null ? 'unknown' : `${POWER_STATES[power] ?? 'unknown'} (${power})`;
}

/** `ERROR (vm error, no task, power NOSTATE (0))` */
export function describeNovaState(server: NovaServer): string {
  return `${server.status} (vm ${server.vmState ?? 'unknown'}, ${server.taskState ? `task ${server.taskState}` : 'no task'}, power ${describePowerState(server.powerState)})`;
}

/** The staff guide's reading of a Nova fault message. */
export function classifyNovaFault(fault: NovaFault): { capacity: boolean; meaning: string } {
  if (CAPACITY_FAULT.test(fault.message)) {
    return { capacity: true, meaning: 'the cloud is near capacity: try a smaller size; if that launches, the cloud is likely full (ask the cloud system administrator)' };
  }
  return { capacity: false, meaning: 'a problem on the cloud provider: give this fault to the cloud system administrator' };
}

/** Atmosphere's status names grouped by the Nova status they come from (reference §3.3). */
export function atmosphereGroup(status: string): string {
  const name = status.toLowerCase();
  if (['active', 'running', 'networking', 'deploying', 'deploy_error', 'redeploy'].includes(name)) return 'active';
  if (name === 'pending') return 'build';
  if (name === 'hard_reboot') return 'reboot';
  if (name === 'shelved_offloaded') return 'shelved';
  return name;
}

/** Nova's status (and task) in the same groups as `atmosphereGroup`. */
export function novaGroup(server: Pick<NovaServer, 'status' | 'taskState'>): string {
  const name = server.status.toLowerCase();
  const task = server.taskState?.replace(/-/g, '_') ?? null;
  if (name === 'active' && task && BUILD_TASKS.has(task)) return 'build';
  if (name === 'hard_reboot') return 'reboot';
  if (name === 'shelved_offloaded') return 'shelved';
  return name;
}

export interface AtmosphereView {
  status: string;
  activity: string | null;
  /** `instance.end_date`: Atmosphere considers the instance deleted. */
  deleted: boolean;
}

/**
 * Where Atmosphere's record and Nova's answer disagree, in one sentence, or null when they agree.
 * A server Nova no longer has (`server` null) is stale in Atmosphere unless Atmosphere deleted it too.
 */
export function novaMismatch(atmosphere: AtmosphereView, server: NovaServer | null): string | null {
  const shown = describeStatus(atmosphere.status, atmosphere.activity);
  if (!server) return atmosphere.deleted ? null : `Atmosphere shows the instance ${shown}, but Nova has no such server: the record is stale (deleted on the cloud, or never created there).`;
  if (atmosphere.deleted) return `Atmosphere recorded the instance as deleted, but Nova still has the server (${server.status}): it is orphaned on the cloud and still uses its quota.`;
  const ours = atmosphereGroup(atmosphere.status);
  const theirs = novaGroup(server);
  if (ours !== theirs) {
    const hint =
      theirs === 'error'
        ? ' Nova holds a fault Atmosphere has not recorded yet.'
        : ours === 'error'
          ? ' The server is not in error on the cloud: Atmosphere\'s error came from its own step, or its record is stale.'
          : theirs === 'shutoff'
            ? ' The server is powered off on the cloud.'
            : '';
    return `Atmosphere shows ${shown}, Nova says ${server.status}${server.taskState ? ` (task ${server.taskState})` : ''}.${hint}`;
  }
  if (ours === 'active' && server.taskState === null && server.powerState !== null && server.powerState !== 1) {
    return `Atmosphere shows ${shown} and Nova says ${server.status}, but Nova's power state is ${describePowerState(server.powerState)}: the guest is not running.`;
  }
  return null;
}
