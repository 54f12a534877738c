import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../src/errors.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { createRestGateway } from '../../../src/integrations/atmosphere/rest-gateway.js';
import { startFakeAtmosphereApi, type FakeAtmosphereApi, type FakeInstance } from '../../fakes/atmosphere-api.js';

const TOKEN = 'staff-token-instance-actions-0123';
const UUID = '3f9a6c1e-2b4d-4e8f-9a0b-1c2d3e4f5a6b';

describe('instance actions through the REST gateway and the fake Atmosphere API', () => {
  let api: FakeAtmosphereApi;
  let instances: Map<string, FakeInstance>;
  const memory = createMemoryLogger('debug');
  const gateway = () => createRestGateway({ baseUrl: api.url, token: TOKEN, log: memory.log, statusId: async () => 1 });

  beforeEach(async () => {
    instances = new Map([[UUID, { status: 'active', activity: 'deploy_error' }]]);
    api = await startFakeAtmosphereApi({ token: TOKEN, instances: (uuid) => instances.get(uuid) ?? null });
  });
  afterEach(async () => {
    await api.close();
  });

  async function failure(promise: Promise<unknown>): Promise<IntegrationError> {
    const error = await promise.then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(IntegrationError);
    return error as IntegrationError;
  }

  it('lists the actions valid for the instance (GET, by provider_alias, no body)', async () => {
    expect(await gateway().listInstanceActions({ uuid: UUID })).toEqual(['Terminate', 'Reboot', 'Hard Reboot', 'Redeploy']);
    instances.set(UUID, { status: 'deploy_error', activity: 'deploy_error' });
    expect(await gateway().listInstanceActions({ uuid: UUID })).toEqual(['Terminate', 'Reboot', 'Hard Reboot']);
    instances.set(UUID, { status: 'active', activity: null, disabled: ['Imaging'] });
    expect(await gateway().listInstanceActions({ uuid: UUID })).toEqual(['Terminate', 'Reboot', 'Hard Reboot', 'Redeploy', 'Resize', 'Shelve', 'Suspend', 'Stop']);
    const call = api.calls.at(-1)!;
    expect(call).toMatchObject({ method: 'GET', path: `/api/v2/instances/${UUID}/actions`, body: undefined, status: 200 });
    expect(call.headers.authorization).toBe(`Token ${TOKEN}`);
  });

  it('posts redeploy and reboots with the bodies the view reads', async () => {
    await gateway().instanceAction({ uuid: UUID, action: 'redeploy' });
    await gateway().instanceAction({ uuid: UUID, action: 'reboot', rebootType: 'SOFT' });
    await gateway().instanceAction({ uuid: UUID, action: 'reboot', rebootType: 'HARD' });
    const posts = api.calls.filter((call) => call.method === 'POST');
    expect(posts.map((call) => call.body)).toEqual([{ action: 'redeploy' }, { action: 'reboot', reboot_type: 'SOFT' }, { action: 'reboot', reboot_type: 'HARD' }]);
    expect(posts.every((call) => call.path === `/api/v2/instances/${UUID}/actions` && call.status === 200)).toBe(true);
    expect(posts[2]!.change).toEqual({ kind: 'instance_action', uuid: UUID, action: 'reboot', rebootType: 'HARD' });
  });

  it('turns the 409 of an action the provider disabled into its message', async () => {
    instances.set(UUID, { status: 'active', activity: 'deploy_error', disabled: ['Redeploy'] });
    const error = await failure(gateway().instanceAction({ uuid: UUID, action: 'redeploy' }));
    expect(error.status).toBe(409);
    expect(error.message).toBe(`the Atmosphere API rejected POST /instances/${UUID}/actions (HTTP 409): The requested action redeploy has been explicitly disabled on this provider.`);
  });

  it('reports a 403 from the action as Atmosphere failing to run it, not as a token problem', async () => {
    api.failNext({ method: 'POST', pathPrefix: '/instances/' }, 403, {
      errors: [{ code: 403, message: 'The requested action redeploy encountered an irrecoverable exception: SSH timed out' }],
    });
    const error = await failure(gateway().instanceAction({ uuid: UUID, action: 'redeploy' }));
    expect(error.status).toBe(403);
    expect(error.message).toBe(`Atmosphere could not run POST /instances/${UUID}/actions (HTTP 403): The requested action redeploy encountered an irrecoverable exception: SSH timed out`);
    expect(error.message).not.toMatch(/ATMOSPHERE_API_TOKEN/);
  });

  it('says the instance no longer exists on a 404, and maps a 500 page as unavailable', async () => {
    const gone = await failure(gateway().instanceAction({ uuid: '00000000-0000-0000-0000-000000000000', action: 'redeploy' }));
    expect(gone.status).toBe(404);
    expect(gone.detail).toBe('instance 00000000-0000-0000-0000-000000000000: Instance 00000000-0000-0000-0000-000000000000 no longer exists');
    api.failNext({ method: 'POST' }, 500);
    const broken = await failure(gateway().instanceAction({ uuid: UUID, action: 'reboot', rebootType: 'SOFT' }));
    expect(broken.message).toBe(`Atmosphere is unavailable: POST /instances/${UUID}/actions answered HTTP 500`);
  });
});
