import type { InstanceStatusExtra } from '../atmosphere-schema.js';
import type { DemoInstance } from './demo-catalogue.js';

/** One `instance_status_history` row before ids are known. */
export interface HistoryStep {
  status: string;
  activity: string | null;
  start: Date;
  end: Date | null;
  extra: InstanceStatusExtra | null;
}

/** The status history Atmosphere records for a launch: build, networking, deploying, then the state. */
export function historyOf(vm: DemoInstance, ago: (hours: number) => Date): HistoryStep[] {
  const launch: [status: string, activity: string, minutes: number][] = [['build', 'spawning', 4]];
  if (vm.state !== 'error') launch.push(['networking', 'networking', 6]);
  if (vm.state !== 'error' && vm.state !== 'networking') launch.push(['deploying', 'deploying', 14]);
  const steps: HistoryStep[] = [];
  let at = ago(vm.launchedHoursAgo);
  for (const [status, activity, minutes] of launch) {
    const end = new Date(at.getTime() + minutes * 60_000);
    steps.push({ status, activity, start: at, end, extra: null });
    at = end;
  }
  if (vm.state === 'networking' || vm.state === 'deploying') {
    // Stuck (or still going): the last launch step is the current one.
    const current = steps[steps.length - 1];
    if (current) current.end = null;
    return steps;
  }
  if (vm.state === 'suspended' || vm.state === 'shutoff') {
    const changed = ago(vm.changedHoursAgo ?? 0);
    steps.push({ status: 'active', activity: null, start: at, end: changed, extra: null });
    at = changed;
  }
  const activity = vm.state === 'deploy_error' ? 'deploy_error' : null;
  steps.push({ status: vm.state, activity, start: at, end: null, extra: vm.fault ?? null });
  return steps;
}
