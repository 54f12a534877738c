import { describe, expect, it } from 'vitest';
import { classifyNovaFault, describeNovaState, novaMismatch } from '../../../src/handlers/evidence/compare-with-nova.js';
import type { NovaServer } from '../../../src/integrations/openstack/nova-client.js';

const server = (overrides: Partial<NovaServer>): NovaServer => ({ id: 's', status: 'ACTIVE', taskState: null, vmState: 'active', powerState: 1, fault: null, ...overrides });
const live = (status: string, activity: string | null = null) => ({ status, activity, deleted: false });

describe("Nova's view next to Atmosphere's", () => {
  it("agrees when Atmosphere's status comes from the Nova status, including its own steps on an active server", () => {
    expect(novaMismatch(live('active'), server({}))).toBeNull();
    expect(novaMismatch(live('networking', 'networking'), server({}))).toBeNull();
    expect(novaMismatch(live('deploy_error', 'deploy_error'), server({}))).toBeNull();
    expect(novaMismatch(live('build', 'spawning'), server({ taskState: 'spawning', powerState: 0 }))).toBeNull();
    expect(novaMismatch(live('error'), server({ status: 'ERROR', vmState: 'error', powerState: 0 }))).toBeNull();
    expect(novaMismatch(live('shelved_offloaded'), server({ status: 'SHELVED_OFFLOADED', powerState: 4 }))).toBeNull();
    expect(novaMismatch({ ...live('active'), deleted: true }, null)).toBeNull();
  });

  it('names each kind of disagreement', () => {
    expect(novaMismatch(live('active'), null)).toMatch(/Nova has no such server: the record is stale/);
    expect(novaMismatch({ ...live('active'), deleted: true }, server({}))).toMatch(/recorded the instance as deleted, but Nova still has the server \(ACTIVE\): it is orphaned/);
    expect(novaMismatch(live('deploying', 'deploying'), server({ status: 'ERROR' }))).toBe('Atmosphere shows deploying / deploying, Nova says ERROR. Nova holds a fault Atmosphere has not recorded yet.');
    expect(novaMismatch(live('error'), server({}))).toMatch(/Nova says ACTIVE\. The server is not in error on the cloud/);
    expect(novaMismatch(live('active'), server({ powerState: 6 }))).toMatch(/power state is CRASHED \(6\): the guest is not running/);
  });

  it("reads a fault as the guide does, and writes Nova's state in one line", () => {
    expect(classifyNovaFault({ message: 'No valid host was found. ', code: 500, details: null, created: null }).capacity).toBe(true);
    expect(classifyNovaFault({ message: 'Build Scheduling Failed: No host could be found', code: 500, details: null, created: null }).capacity).toBe(true);
    expect(classifyNovaFault({ message: 'Block Device Mapping is Invalid.', code: 400, details: null, created: null })).toEqual({ capacity: false, meaning: expect.stringContaining('cloud system administrator') });
    expect(describeNovaState(server({ taskState: 'rebooting', powerState: null }))).toBe('ACTIVE (vm active, task rebooting, power unknown)');
  });
});
