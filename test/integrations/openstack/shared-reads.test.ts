import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../src/logger.js';
import { IntegrationError } from '../../../src/errors.js';
import { createOpenStackClouds } from '../../../src/integrations/openstack/openstack-clients.js';
import { startFakeOpenStack, type FakeOpenStack } from '../../fakes/openstack.js';

const SERVER = '5e1c7a8e-93b4-4a39-9f37-6c2bb1c4a001';
const OTHER = '5e1c7a8e-93b4-4a39-9f37-6c2bb1c4a002';
const IMAGE = 'f77cb286-d5fc-4a3e-b15b-98e5a9dd2a86';

describe('OpenStack reads under way at once', () => {
  let cloud: FakeOpenStack;
  afterEach(async () => {
    await cloud.close();
  });

  async function start() {
    cloud = await startFakeOpenStack({ servers: { [SERVER]: { status: 'ACTIVE', projectId: 'p1' }, [OTHER]: { status: 'SHUTOFF', projectId: 'p1' } }, images: { [IMAGE]: { status: 'active', visibility: 'private' } }, projects: { alice: 'p1' } });
    const { log } = createMemoryLogger('debug');
    return createOpenStackClouds({
      clouds: [
        { providerId: 4, authUrl: cloud.authUrl, applicationCredentialId: cloud.credentialId, applicationCredentialSecret: cloud.credentialSecret, regionName: 'RegionOne', interface: 'public' },
        { providerId: 5, authUrl: cloud.authUrl, applicationCredentialId: cloud.credentialId, applicationCredentialSecret: cloud.credentialSecret, regionName: 'RegionOne', interface: 'public' },
      ],
      log,
      timeoutMs: 5_000,
    });
  }
  const hits = (path: string) => cloud.calls.filter((call) => call.path === path).length;

  it('share one Nova call for the same server, and make their own for another server or provider', async () => {
    const openstack = await start();
    cloud.delayNext('/compute/', 200);
    const [a, b, other, elsewhere] = await Promise.all([openstack.nova(4)!.getServer(SERVER), openstack.nova(4)!.getServer(SERVER), openstack.nova(4)!.getServer(OTHER), openstack.nova(5)!.getServer(SERVER)]);
    expect(a).toEqual(b);
    expect(other?.status).toBe('SHUTOFF');
    expect(elsewhere?.id).toBe(SERVER);
    expect(hits(`/compute/v2.1/servers/${SERVER}`)).toBe(2);
    expect(hits(`/compute/v2.1/servers/${OTHER}`)).toBe(1);
    // Once answered, the next read is a new call: keeping answers is the evidence cache's job.
    await openstack.nova(4)!.getServer(SERVER);
    expect(hits(`/compute/v2.1/servers/${SERVER}`)).toBe(3);
  });

  it('share a failure only while it is under way: the next read asks again', async () => {
    const openstack = await start();
    cloud.failNext(`/compute/v2.1/servers/${SERVER}`, 503);
    const failures = await Promise.all([openstack.nova(4)!.getServer(SERVER).catch((e: unknown) => e), openstack.nova(4)!.getServer(SERVER).catch((e: unknown) => e)]);
    expect(failures.every((failure) => failure instanceof IntegrationError && failure.status === 503)).toBe(true);
    expect(hits(`/compute/v2.1/servers/${SERVER}`)).toBe(1);
    expect((await openstack.nova(4)!.getServer(SERVER))?.status).toBe('ACTIVE');
    expect(hits(`/compute/v2.1/servers/${SERVER}`)).toBe(2);
  });

  it('share one Glance read of an image, never a visibility change', async () => {
    const openstack = await start();
    const glance = openstack.glance(4)!;
    cloud.delayNext('/image/', 200);
    const [a, b] = await Promise.all([glance.getImage(IMAGE), glance.getImage(IMAGE)]);
    expect(a).toEqual(b);
    expect(cloud.calls.filter((call) => call.path === `/image/v2/images/${IMAGE}` && call.method === 'GET')).toHaveLength(1);
    await Promise.all([glance.setVisibility(IMAGE, 'public'), glance.setVisibility(IMAGE, 'public')]);
    expect(cloud.calls.filter((call) => call.path === `/image/v2/images/${IMAGE}` && call.method === 'PATCH')).toHaveLength(2);
  });

  it("share reconciliation's listings and quota sets between two runs at once", async () => {
    const openstack = await start();
    const inventory = openstack.inventory(4)!;
    cloud.delayNext('/compute/v2.1/servers/detail', 200);
    const [a, b] = await Promise.all([inventory.listServers(), inventory.listServers()]);
    expect(a).toEqual(b);
    expect(hits('/compute/v2.1/servers/detail')).toBe(1);
    cloud.delayNext('/v3/projects', 200);
    await Promise.all([inventory.findProjects(['alice']), inventory.findProjects(['alice']), inventory.computeQuota('p1'), inventory.computeQuota('p1')]);
    expect(hits('/v3/projects')).toBe(1);
    expect(hits('/compute/v2.1/os-quota-sets/p1')).toBe(1);
  });
});
