import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../src/logger.js';
import { IntegrationError } from '../../../src/errors.js';
import { createOpenStackClouds } from '../../../src/integrations/openstack/openstack-clients.js';
import { startFakeOpenStack, type FakeOpenStack, type FakeOpenStackOptions } from '../../fakes/openstack.js';

const id = (n: number) => `5e1c7a8e-93b4-4a39-9f37-${String(n).padStart(12, '0')}`;

describe('the cloud inventory client (servers, projects, Nova, Cinder and Neutron quota sets)', () => {
  let cloud: FakeOpenStack;
  afterEach(async () => {
    await cloud.close();
  });

  async function start(options: FakeOpenStackOptions = {}) {
    cloud = await startFakeOpenStack(options);
    const { log } = createMemoryLogger('debug');
    const openstack = createOpenStackClouds({
      clouds: [{ providerId: 4, authUrl: cloud.authUrl, applicationCredentialId: cloud.credentialId, applicationCredentialSecret: cloud.credentialSecret, regionName: 'RegionOne', interface: 'public' }],
      log,
      timeoutMs: 2_000,
    });
    expect(openstack.inventory(5)).toBeNull();
    return openstack.inventory(4)!;
  }

  it('lists every project\'s servers page by page, following the marker of servers_links until a short page', async () => {
    const servers = Object.fromEntries(Array.from({ length: 7 }, (_, n) => [id(n), { status: n === 3 ? 'SHUTOFF' : 'ACTIVE', projectId: `p${n % 2}`, ...(n === 5 ? { taskState: 'rebooting' } : {}) }]));
    const inventory = await start({ servers, maxLimit: 3 });
    const listed = await inventory.listServers();
    expect(listed.map((s) => s.id)).toEqual(Array.from({ length: 7 }, (_, n) => id(n)));
    expect(listed[3]).toEqual({ id: id(3), name: `vm-${id(3).slice(0, 8)}`, status: 'SHUTOFF', taskState: null, projectId: 'p1' });
    expect(listed[5]!.taskState).toBe('rebooting');
    const pages = cloud.calls.filter((call) => call.path === '/compute/v2.1/servers/detail');
    expect(pages.map((call) => call.query)).toEqual(['?all_tenants=1&limit=500', `?all_tenants=1&limit=500&marker=${id(2)}`, `?all_tenants=1&limit=500&marker=${id(5)}`]);
    expect(pages.every((call) => call.headers['openstack-api-version'] === 'compute 2.1' && /^gAAAA/.test(String(call.headers['x-auth-token'])))).toBe(true);
  });

  it('says that listing all projects needs the role, when Nova refuses it', async () => {
    const inventory = await start({ servers: { [id(1)]: { status: 'ACTIVE' } } });
    cloud.setAdmin(false);
    const error = await inventory.listServers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrationError);
    expect((error as IntegrationError).message).toContain('Nova of provider 4 refused GET /servers/detail?all_tenants=1&limit=500 (HTTP 403)');
    expect((error as IntegrationError).hint).toBe('this needs an admin or reader role for every project in its policy');
  });

  it('finds projects in one listing, and asks by name for those a truncated listing left out', async () => {
    const inventory = await start({ projects: { alice: 'pa', bob: 'pb', carol: 'pc', dave: 'pd' } });
    expect(await inventory.findProjects(['alice', 'dave', 'nobody'])).toEqual(new Map([['alice', 'pa'], ['dave', 'pd']]));
    expect(cloud.calls.filter((call) => call.path === '/v3/projects').map((call) => call.query)).toEqual(['']);
    await cloud.close();

    const cut = await start({ projects: { alice: 'pa', bob: 'pb', carol: 'pc', dave: 'pd' }, listLimit: 2 });
    expect(await cut.findProjects(['alice', 'dave', 'nobody'])).toEqual(new Map([['alice', 'pa'], ['dave', 'pd']]));
    expect(cloud.calls.filter((call) => call.path === '/v3/projects').map((call) => call.query)).toEqual(['', '?name=dave', '?name=nobody']);
  });

  it("reads Nova's and Cinder's quota sets (Cinder under the token's project), also on a volumev3 catalog, and takes a new token after a revoke", async () => {
    const inventory = await start({ cinder: 'volumev3' });
    cloud.computeQuotas.set('p1', { cores: 32, ram: 131072 });
    cloud.volumeQuotas.set('p1', { gigabytes: 500 });
    expect(await inventory.computeQuota('p1')).toMatchObject({ cores: 32, ram: 131072, instances: 10, floating_ips: 10 });
    cloud.revokeTokens();
    expect(await inventory.volumeQuota('p1')).toMatchObject({ gigabytes: 500, volumes: 10, snapshots: 10 });
    expect(cloud.calls.some((call) => call.path === `/volume/v3/${cloud.adminProjectId}/os-quota-sets/p1` && call.status === 200)).toBe(true);
    expect(cloud.calls.filter((call) => call.path === '/v3/auth/tokens')).toHaveLength(2);
  });

  it('says so when the catalog has no Cinder, or a quota body is not one', async () => {
    const inventory = await start({ cinder: 'none' });
    await expect(inventory.volumeQuota('p1')).rejects.toThrow('the Keystone catalog of provider 4 has no public block-storage (Cinder) endpoint in region RegionOne');
    cloud.malformNext('/compute/v2.1/os-quota-sets/');
    await expect(inventory.computeQuota('p1')).rejects.toThrow('Nova of provider 4 answered GET /os-quota-sets/p1 with a body the bot cannot read');
    cloud.failNext('/v3/projects', 500);
    await expect(inventory.findProjects(['alice'])).rejects.toThrow('Keystone of provider 4 refused GET /projects (HTTP 500)');
  });

  it("reads Neutron's quota (`quota`, not `quota_set`) on the unversioned network endpoint, and says when it is missing or refused", async () => {
    let inventory = await start();
    cloud.networkQuotas.set('p1', { floatingip: 2, port: 40 });
    expect(await inventory.networkQuota('p1')).toMatchObject({ floatingip: 2, port: 40, network: 100, router: 10, subnetpool: -1 });
    expect(cloud.calls.filter((call) => call.path === '/network/v2.0/quotas/p1').map((call) => [call.method, call.status])).toEqual([['GET', 200]]);
    cloud.setAdmin(false);
    await expect(inventory.networkQuota('p1')).rejects.toMatchObject({
      message: expect.stringContaining('Neutron of provider 4 refused GET /v2.0/quotas/p1 (HTTP 403)'),
      hint: 'this needs an admin or reader role for every project in its policy',
    });
    await cloud.close();
    inventory = await start({ neutron: false });
    await expect(inventory.networkQuota('p1')).rejects.toThrow('the Keystone catalog of provider 4 has no public network (Neutron) endpoint in region RegionOne');
  });
});
