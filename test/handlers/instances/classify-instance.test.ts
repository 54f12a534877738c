import { describe, expect, it } from 'vitest';
import { classifyInstance, type InstanceTriageInput } from '../../../src/handlers/instances/classify-instance.js';
import { nextInstanceStep, episodeStart } from '../../../src/handlers/instances/next-instance-step.js';
import { instanceThresholds } from '../../../src/handlers/instances/instance-thresholds.js';
import { instanceTools } from '../../../src/handlers/instances/instance-tools.js';
import { loadConfig } from '../../../src/config.js';

const NOW = new Date('2026-11-23T17:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

function triage(status: string, activity: string | null, minutes: number, extra: Partial<InstanceTriageInput> = {}) {
  return classifyInstance({
    status,
    activity,
    since: minutesAgo(minutes),
    endDate: null,
    fault: null,
    now: NOW,
    networkingStuckMinutes: 20,
    deployingStuckMinutes: 60,
    ...extra,
  });
}

describe('classifyInstance: the staff guide, case by case', () => {
  it('error right after launch: a problem on the cloud, read the fault with nova show', () => {
    const result = triage('error', null, 1);
    expect(result).toMatchObject({ category: 'launch-error', severity: 'error' });
    expect(result.nextSteps[0]).toMatch(/nova show/);
    expect(result.tools.nova).toBe(true);
    expect(result.steps).toEqual([]);
  });

  it.each([
    'Build Scheduling Failed: No host could be found',
    'No valid host was found. There are not enough hosts available.',
    'Exceeded max scheduling attempts 3 for instance',
  ])('error with "%s": the cloud is near capacity, try a smaller size, then tell the cloud administrator', (fault) => {
    const result = triage('error', null, 2, { fault });
    expect(result).toMatchObject({ category: 'capacity', severity: 'error' });
    expect(result.summary).toContain(fault);
    expect(result.nextSteps.join(' ')).toMatch(/smaller size.*cloud system administrator/s);
  });

  it('networking for 20 minutes is not stuck; 21 minutes is (the guide: stuck is more than 20)', () => {
    expect(triage('networking', 'networking', 20)).toMatchObject({ category: 'networking', severity: 'progress', steps: [] });
    const stuck = triage('networking', 'networking', 21);
    expect(stuck).toMatchObject({ category: 'networking-stuck', severity: 'stuck', steps: ['reboot-soft'] });
    expect(stuck.summary).toMatch(/not finished booting.*floating IP.*SSH key/);
    expect(stuck.nextSteps[0]).toMatch(/Emulate the user and reboot/);
    expect(stuck.nextSteps[1]).toMatch(/Flower/);
    expect(stuck.tools).toMatchObject({ emulate: true, flower: true });
  });

  it('older clouds: a per-provider networking threshold of two hours', () => {
    const config = loadConfig({ INSTANCE_NETWORKING_STUCK_BY_PROVIDER: 'Jetstream - TACC=120, 7=45' });
    expect(instanceThresholds(config, { id: 3, name: 'jetstream - tacc' }).networkingStuckMinutes).toBe(120);
    expect(instanceThresholds(config, { id: 7, name: 'Other' }).networkingStuckMinutes).toBe(45);
    expect(instanceThresholds(config, { id: 1, name: 'CyVerse' }).networkingStuckMinutes).toBe(20);
    expect(triage('networking', 'networking', 90, { networkingStuckMinutes: 120 }).category).toBe('networking');
    expect(() => loadConfig({ INSTANCE_NETWORKING_STUCK_BY_PROVIDER: 'Jetstream=soon' })).toThrow(/not <provider id or name>=<minutes>/);
  });

  it('deploying: Ansible running; past the threshold, check Argo and Flower; no action button', () => {
    expect(triage('deploying', 'deploying', 30)).toMatchObject({ category: 'deploying', severity: 'progress' });
    const stuck = triage('deploying', 'deploying', 61);
    expect(stuck).toMatchObject({ category: 'deploying-stuck', severity: 'stuck', steps: [] });
    expect(stuck.nextSteps.join(' ')).toMatch(/Argo.*Flower.*deploy_error/s);
    expect(stuck.tools).toMatchObject({ argo: true, flower: true });
  });

  it('deploy_error: redeploy, then soft then hard reboot, then the deploy logs and the Atmosphere team', () => {
    const result = triage('deploy_error', 'deploy_error', 5, { fault: 'playbook atmo-docker.yml failed' });
    expect(result).toMatchObject({ category: 'deploy-error', severity: 'error', steps: ['redeploy', 'reboot-soft', 'reboot-hard'] });
    expect(result.nextSteps[0]).toMatch(/Emulate the user and redeploy/);
    expect(result.nextSteps[1]).toMatch(/soft first, hard if the soft reboot fails/);
    expect(result.nextSteps[2]).toMatch(/deploy logs.*Atmosphere team/);
    expect(result.summary).toContain('playbook atmo-docker.yml failed');
  });
});

describe('classifyInstance: the status/activity pairs Atmosphere records (reference 3.3)', () => {
  it.each([
    ['active', null, 'active', 'ok'],
    ['running', null, 'active', 'ok'],
    ['active', 'networking', 'networking-stuck', 'stuck'],
    ['active', 'initializing', 'networking-stuck', 'stuck'],
    ['active', 'deploying', 'deploying', 'progress'],
    ['active', 'running_boot_script', 'deploying', 'progress'],
    ['active', 'redeploying', 'deploying', 'progress'],
    ['active', 'deploy_error', 'deploy-error', 'error'],
    ['active', 'user_deploy_error', 'deploy-error', 'error'],
    ['active', 'boot_script_error', 'deploy-error', 'error'],
    ['active', 'powering-off', 'busy', 'progress'],
    ['networking', 'networking', 'networking-stuck', 'stuck'],
    ['deploying', 'deploying', 'deploying', 'progress'],
    ['deploy_error', null, 'deploy-error', 'error'],
    ['redeploy', 'redeploying', 'deploying', 'progress'],
    ['build', 'spawning', 'building', 'progress'],
    ['pending', null, 'building', 'progress'],
    ['reboot', 'rebooting', 'rebooting', 'progress'],
    ['hard_reboot', 'rebooting_hard', 'rebooting', 'progress'],
    ['error', null, 'launch-error', 'error'],
    ['suspended', null, 'inactive', 'ok'],
    ['shutoff', 'deploy_error', 'inactive', 'ok'],
    ['shelved_offloaded', null, 'inactive', 'ok'],
    ['Unknown', null, 'unknown', 'ok'],
  ])('%s / %s (30 min) is %s (%s)', (status, activity, category, severity) => {
    expect(triage(status, activity, 30)).toMatchObject({ category, severity });
  });

  it('a deleted instance is deleted whatever its last row says', () => {
    expect(triage('deploy_error', 'deploy_error', 30, { endDate: minutesAgo(1) })).toMatchObject({ category: 'deleted', severity: 'ok' });
  });

  it('names its evidence: status, activity and since when', () => {
    expect(triage('active', 'user_deploy_error', 95).evidence).toEqual({ status: 'active', activity: 'user_deploy_error', since: minutesAgo(95), minutes: 95 });
  });
});

describe('nextInstanceStep: the guide order, among what the API allows', () => {
  const deployError = triage('deploy_error', 'deploy_error', 5);
  const start = minutesAgo(120);
  it('offers redeploy first, then the soft reboot, then the hard reboot, then nothing', () => {
    const all = ['Terminate', 'Reboot', 'Hard Reboot', 'Redeploy'];
    expect(nextInstanceStep(deployError, [], start, all).next).toBe('redeploy');
    const redeployed = [{ action: 'redeployed', at: minutesAgo(60) }];
    expect(nextInstanceStep(deployError, redeployed, start, all)).toMatchObject({ next: 'reboot-soft', tried: ['redeploy'] });
    const rebooted = [...redeployed, { action: 'rebooted-soft', at: minutesAgo(30) }];
    expect(nextInstanceStep(deployError, rebooted, start, all).next).toBe('reboot-hard');
    expect(nextInstanceStep(deployError, [...rebooted, { action: 'rebooted-hard', at: minutesAgo(10) }], start, all).next).toBeNull();
  });
  it('forgets what was tried before the instance was last green-light active', () => {
    expect(nextInstanceStep(deployError, [{ action: 'redeployed', at: minutesAgo(500) }], start, ['Redeploy']).next).toBe('redeploy');
    const history = [
      { status: 'active', activity: null, startDate: minutesAgo(900), endDate: minutesAgo(120) },
      { status: 'deploy_error', activity: 'deploy_error', startDate: minutesAgo(120), endDate: null },
    ];
    expect(episodeStart(history, minutesAgo(1000))).toEqual(minutesAgo(120));
  });
  it('skips a step the API does not list, and offers nothing when the API could not be asked', () => {
    expect(nextInstanceStep(deployError, [], start, ['Terminate', 'Reboot', 'Hard Reboot'])).toMatchObject({ next: 'reboot-soft', unavailable: ['redeploy'] });
    expect(nextInstanceStep(deployError, [], start, null).next).toBeNull();
  });
});

describe('instanceTools', () => {
  it('fills in the emulation link, Flower search, deploy log folder and the exact argo commands', () => {
    const config = loadConfig({ ATMOSPHERE_WEB_URL: 'https://atmo.example.org/', FLOWER_URL: 'https://atmo.example.org/flower', ARGO_NAMESPACE: 'atmosphere' });
    const uuid = '00000000-0000-0000-0000-000000000000';
    const tools = instanceTools(config, { username: 'joetest', uuid, ip: '10.0.0.5' });
    expect(tools.emulate).toBe('https://atmo.example.org/application/emulate/joetest');
    expect(tools.flower).toBe(`https://atmo.example.org/flower/tasks (search for ${uuid}, or joetest)`);
    expect(tools.deployLog).toBe(`/opt/dev/atmosphere-docker/logs/atmosphere/atmosphere_deploy.d/joetest/${uuid}/`);
    expect(tools.argoList).toBe(`argo list -n atmosphere -l instance_uuid=${uuid}`);
    expect(tools.argoLogs).toBe(`argo logs -n atmosphere $(argo list -n atmosphere -l instance_uuid=${uuid} -o name | head -n 1)`);
  });
});
