import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../src/logger.js';
import { IntegrationError } from '../../../src/errors.js';
import { createOpenStackClouds } from '../../../src/integrations/openstack/openstack-clients.js';
import { startFakeOpenStack, type FakeOpenStack } from '../../fakes/openstack.js';

const SERVER = '5e1c7a8e-93b4-4a39-9f37-6c2bb1c4a001';
const IMAGE = 'f77cb286-d5fc-4a3e-b15b-98e5a9dd2a86';
const NO_HOST = { code: 500, message: 'No valid host was found. There are not enough hosts available.', details: 'Traceback (most recent call last):\n  File "nova/conductor/manager.py"', created: '2026-11-30T14:02:11Z' };

describe('the Nova client', () => {
  let cloud: FakeOpenStack;
  afterEach(async () => {
    await cloud.close();
  });

  function nova(options: { secret?: string; timeoutMs?: number } = {}) {
    const { log, lines } = createMemoryLogger('debug');
    const openstack = createOpenStackClouds({
      clouds: [{ providerId: 4, authUrl: cloud.authUrl, applicationCredentialId: cloud.credentialId, applicationCredentialSecret: options.secret ?? cloud.credentialSecret, regionName: 'RegionOne', interface: 'public' }],
      log,
      timeoutMs: options.timeoutMs ?? 5_000,
    });
    return { nova: openstack.nova(4)!, openstack, lines };
  }

  it("reads the server's states and fault with the token and microversion headers, sharing one Keystone token with Glance", async () => {
    cloud = await startFakeOpenStack({ servers: { [SERVER]: { status: 'ERROR', vmState: 'error', powerState: 0, fault: NO_HOST } }, images: { [IMAGE]: { status: 'active', visibility: 'private' } } });
    const { nova: client, openstack } = nova();
    expect(openstack.nova(5)).toBeNull();
    const [server, image] = await Promise.all([client.getServer(SERVER), openstack.glance(4)!.getImage(IMAGE)]);
    expect(server).toEqual({ id: SERVER, status: 'ERROR', taskState: null, vmState: 'error', powerState: 0, fault: NO_HOST });
    expect(image?.status).toBe('active');
    expect(cloud.calls.filter((call) => call.path === '/v3/auth/tokens')).toHaveLength(1);
    const call = cloud.calls.find((entry) => entry.path === `/compute/v2.1/servers/${SERVER}`)!;
    expect(call.status).toBe(200);
    expect(call.headers['x-auth-token']).toMatch(/^gAAAA/);
    expect(call.headers['openstack-api-version']).toBe('compute 2.1');
    expect(call.headers['x-openstack-nova-api-version']).toBe('2.1');
  });

  it('reads a running server with a task under way, and a fault without details as Nova shows it to a non-admin', async () => {
    cloud = await startFakeOpenStack({
      servers: { [SERVER]: { status: 'ACTIVE', taskState: 'rebooting', powerState: 1 }, other: { status: 'ERROR', fault: NO_HOST } },
    });
    cloud.setAdmin(false);
    const { nova: client } = nova();
    expect(await client.getServer(SERVER)).toMatchObject({ status: 'ACTIVE', taskState: 'rebooting', vmState: 'active', powerState: 1, fault: null });
    expect((await client.getServer('other'))?.fault).toEqual({ ...NO_HOST, details: null });
  });

  it('answers null for a server Nova no longer has', async () => {
    cloud = await startFakeOpenStack();
    expect(await nova().nova.getServer(SERVER)).toBeNull();
    expect(cloud.calls.at(-1)?.status).toBe(404);
  });

  it('authenticates again once when Nova refuses a revoked token', async () => {
    cloud = await startFakeOpenStack({ servers: { [SERVER]: { status: 'ACTIVE' } } });
    const { nova: client } = nova();
    await client.getServer(SERVER);
    cloud.revokeTokens();
    expect((await client.getServer(SERVER))?.status).toBe('ACTIVE');
    expect(cloud.calls.map((call) => call.status)).toEqual([201, 200, 401, 201, 200]);
  });

  it('says Keystone refused the credential, keeping the secret out of the error and the log', async () => {
    cloud = await startFakeOpenStack({ servers: { [SERVER]: { status: 'ACTIVE' } } });
    const { nova: client, lines } = nova({ secret: 'not-the-right-secret-value' });
    const error = (await client.getServer(SERVER).catch((caught: unknown) => caught)) as IntegrationError;
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error.status).toBe(401);
    expect(error.message).toContain('Keystone of provider 4 refused the application credential');
    expect(JSON.stringify(lines) + error.message).not.toContain('not-the-right-secret-value');
  });

  it('gives up after the configured timeout, naming the wait', async () => {
    cloud = await startFakeOpenStack({ servers: { [SERVER]: { status: 'ACTIVE' } } });
    const { nova: client } = nova({ timeoutMs: 300 });
    await client.getServer(SERVER);
    cloud.delayNext('/compute/', 2_000);
    const started = Date.now();
    const error = (await client.getServer(SERVER).catch((caught: unknown) => caught)) as IntegrationError;
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(error.message).toBe(`could not reach OpenStack of provider 4 for GET /servers/${SERVER}: waited 300 ms`);
  });

  it('refuses a body that is not a server, and passes on a Nova error with its status', async () => {
    cloud = await startFakeOpenStack({ servers: { [SERVER]: { status: 'ACTIVE' } } });
    const { nova: client } = nova();
    cloud.malformNext('/compute/');
    const malformed = (await client.getServer(SERVER).catch((caught: unknown) => caught)) as IntegrationError;
    expect(malformed.message).toContain('answered GET /servers/' + SERVER + ' with a body that is not a server');
    cloud.failNext('/compute/', 503);
    const refused = (await client.getServer(SERVER).catch((caught: unknown) => caught)) as IntegrationError;
    expect(refused.status).toBe(503);
    expect(refused.message).toContain('Nova of provider 4 refused GET /servers/');
  });
});
