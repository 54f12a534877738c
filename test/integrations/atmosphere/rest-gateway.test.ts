import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntegrationError, UserError } from '../../../src/errors.js';
import { createMemoryLogger } from '../../../src/logger.js';
import type { AtmosphereGateway, CompleteQuota } from '../../../src/integrations/atmosphere/gateway.js';
import { renderIntegrationError } from '../../../src/bot/chat/render-error.js';
import { createReadOnlyGateway } from '../../../src/integrations/atmosphere/read-only-gateway.js';
import { createRestGateway } from '../../../src/integrations/atmosphere/rest-gateway.js';
import { DEFAULT_STATUS_NAMES, startFakeAtmosphereApi, type FakeAtmosphereApi } from '../../fakes/atmosphere-api.js';

const TOKEN = 'staff-token-5f1c9a7e2b3d4c6f8a0b';
const IDENTITY = '6d2c1f0e-3b4a-4c5d-8e9f-0a1b2c3d4e5f';
const QUOTA: CompleteQuota = {
  cpu: 32,
  memory: 128,
  storage: 1000,
  instance_count: 10,
  snapshot_count: 10,
  storage_count: 10,
  floating_ip_count: 10,
  port_count: 10,
};
const MAINTENANCE = '5/1 (master) Maintenance: Atmosphere is down for a Scheduled Maintenance';

const statusIds = Object.fromEntries(Object.entries(DEFAULT_STATUS_NAMES).map(([id, name]) => [name, Number(id)]));

let api: FakeAtmosphereApi;
let memory: ReturnType<typeof createMemoryLogger>;
let statusLookups: string[];

function gateway(overrides: { token?: string; baseUrl?: string; timeoutMs?: number; statusId?: (name: string) => Promise<number> } = {}) {
  return createRestGateway({
    baseUrl: overrides.baseUrl ?? api.url,
    token: overrides.token ?? TOKEN,
    timeoutMs: overrides.timeoutMs,
    log: memory.log,
    statusId:
      overrides.statusId ??
      (async (name) => {
        statusLookups.push(name);
        const id = statusIds[name];
        if (id === undefined) throw new Error(`no status ${name}`);
        return id;
      }),
  });
}

async function failure(promise: Promise<unknown>): Promise<IntegrationError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(IntegrationError);
  if (!(error instanceof IntegrationError)) throw new Error('expected an IntegrationError');
  expect(error.service).toBe('atmosphere');
  return error;
}

function expectNoToken(error: IntegrationError) {
  expect(error.message).not.toContain(TOKEN);
  expect(error.detail ?? '').not.toContain(TOKEN);
  expect(renderIntegrationError(error)).not.toContain(TOKEN);
}

const SOURCE_UUID = '0c3b7f4e-2a1d-4e6f-9b8a-7c6d5e4f3a2b';

beforeEach(async () => {
  api = await startFakeAtmosphereApi({
    token: TOKEN,
    allocationSources: (uuid) => (uuid === SOURCE_UUID ? { id: 7, name: 'TG-BIO210056', computeAllowed: 100_000, computeUsed: 4_200 } : null),
  });
  memory = createMemoryLogger();
  statusLookups = [];
});

afterEach(async () => {
  await api.close();
});

describe('createRestGateway', () => {
  it('is the rest kind', () => {
    expect(gateway().kind).toBe('rest');
  });

  it('posts all eight quota values to /quotas with the token and JSON headers, and reports a new row', async () => {
    const result = await gateway().findOrCreateQuota(QUOTA);

    expect(result).toEqual({ id: 1, created: true });
    expect(api.calls).toHaveLength(1);
    const [call] = api.calls;
    expect(call?.method).toBe('POST');
    expect(call?.path).toBe('/api/v2/quotas');
    expect(call?.headers.authorization).toBe(`Token ${TOKEN}`);
    expect(call?.headers.accept).toBe('application/json');
    expect(call?.headers['content-type']).toBe('application/json');
    expect(call?.body).toEqual(QUOTA);
    expect(call?.status).toBe(201);
  });

  it('finds the existing quota row for identical values and creates another for different ones', async () => {
    const gw = gateway();
    const first = await gw.findOrCreateQuota(QUOTA);
    const again = await gw.findOrCreateQuota({ ...QUOTA });
    const bigger = await gw.findOrCreateQuota({ ...QUOTA, cpu: 64 });

    expect(again).toEqual({ id: first.id, created: false });
    expect(bigger.created).toBe(true);
    expect(bigger.id).not.toBe(first.id);
    expect(api.quotas.map((quota) => quota.cpu)).toEqual([32, 64]);
  });

  it('is refused, as Atmosphere\'s quota serializer refuses it, for a value below 1 or a null in cpu, memory, storage or volumes', async () => {
    const gw = gateway();
    const zero = await failure(gw.findOrCreateQuota({ ...QUOTA, cpu: 0 }));
    expect(zero.status).toBe(400);
    expect(renderIntegrationError(zero)).toContain('cpu: Value of cpu should be >= 1');
    // The type forbids it; a raw call shows what the real API would answer a null with.
    const response = await fetch(`${api.url}/quotas`, {
      method: 'POST',
      headers: { Authorization: `Token ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...QUOTA, storage_count: null }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ storage_count: ['Value of storage_count should be >= 1'] });
    expect(api.quotas).toEqual([]);
  });

  it('grants an allocation with PATCH /allocation_sources/<uuid> and only {"compute_allowed": N}, as Troposphere does', async () => {
    await gateway().setAllocationComputeAllowed({ uuid: SOURCE_UUID, name: 'TG-BIO210056', computeAllowed: 150_000 });
    const [call] = api.calls;
    expect(call).toMatchObject({ method: 'PATCH', path: `/api/v2/allocation_sources/${SOURCE_UUID}`, body: { compute_allowed: 150_000 }, status: 200 });
    expect(call?.change).toEqual({ kind: 'allocation_compute', uuid: SOURCE_UUID, name: 'TG-BIO210056', computeAllowed: 150_000 });
  });

  it('reports Atmosphere\'s refusal of an allowance below what was used, and an unknown source', async () => {
    const below = await failure(gateway().setAllocationComputeAllowed({ uuid: SOURCE_UUID, name: 'TG-BIO210056', computeAllowed: 1_000 }));
    expect(below.status).toBe(400);
    expect(renderIntegrationError(below)).toContain('Compute allowed cannot be less than compute used');
    const unknown = await failure(gateway().setAllocationComputeAllowed({ uuid: '11111111-2222-4333-8444-555555555555', name: 'gone', computeAllowed: 10 }));
    expect(unknown.status).toBe(500);
    expect(api.calls.every((call) => call.change === undefined)).toBe(true);
  });

  it('accepts a base URL with a trailing slash without doubling it', async () => {
    await gateway({ baseUrl: `${api.url}/` }).findOrCreateQuota(QUOTA);

    expect(api.calls[0]?.path).toBe('/api/v2/quotas');
    expect(api.calls[0]?.status).toBe(201);
  });

  it('assigns a quota with PATCH /identities/<uuid>?username=<user> and a {"quota": {"id"}} body', async () => {
    const gw = gateway();
    const { id } = await gw.findOrCreateQuota(QUOTA);
    await gw.assignQuota({ identityUuid: IDENTITY, username: 'alice', quotaId: id });

    const call = api.calls[1];
    expect(call?.method).toBe('PATCH');
    expect(call?.path).toBe(`/api/v2/identities/${IDENTITY}`);
    expect(call?.query).toEqual({ username: 'alice' });
    expect(call?.body).toEqual({ quota: { id } });
    expect(call?.headers.authorization).toBe(`Token ${TOKEN}`);
    expect(api.identities.get(IDENTITY)).toEqual({ username: 'alice', quotaId: id });
  });

  it('sets a resource request status by name with {"status": {"id"}} and the admin message', async () => {
    const changes: unknown[] = [];
    api.onChange = (call) => {
      changes.push(call.change);
    };

    await gateway().setResourceRequestStatus({ id: 41, status: 'approved', adminMessage: 'Enjoy the extra cores' });

    expect(statusLookups).toEqual(['approved']);
    const call = api.calls[0];
    expect(call?.method).toBe('PATCH');
    expect(call?.path).toBe('/api/v2/admin/resource_requests/41');
    expect(call?.body).toEqual({ status: { id: statusIds.approved }, admin_message: 'Enjoy the extra cores' });
    expect(call?.headers['content-type']).toBe('application/json');
    expect(changes).toEqual([
      {
        kind: 'resource_request_status',
        id: 41,
        statusId: statusIds.approved,
        statusName: 'approved',
        adminMessage: 'Enjoy the extra cores',
      },
    ]);
  });

  it('sets a machine request status with a bare integer status id', async () => {
    await gateway().setMachineRequestStatus({ id: 12, status: 'pending' });

    expect(statusLookups).toEqual(['pending']);
    const call = api.calls[0];
    expect(call?.method).toBe('PATCH');
    expect(call?.path).toBe('/api/v2/machine_requests/12');
    expect(call?.body).toEqual({ status: statusIds.pending });
    expect(api.machineRequests.get(12)).toEqual({ statusId: statusIds.pending });
  });

  it('sends nothing when the status lookup fails', async () => {
    const gw = gateway({ statusId: async () => Promise.reject(new Error('status_type has no row named approved')) });

    await expect(gw.setMachineRequestStatus({ id: 12, status: 'approved' })).rejects.toThrow('status_type');
    expect(api.calls).toHaveLength(0);
  });

  it('turns a 400 into an IntegrationError carrying what the API rejected', async () => {
    const gw = gateway({ statusId: async () => 99 });

    const resource = await failure(gw.setResourceRequestStatus({ id: 41, status: 'denied', adminMessage: 'no' }));
    expect(resource.status).toBe(400);
    expect(resource.detail).toBe('status: Invalid pk "99" - object does not exist.');
    expect(resource.message).toContain('rejected PATCH /admin/resource_requests/41');

    const machine = await failure(gw.setMachineRequestStatus({ id: 12, status: 'denied' }));
    expect(machine.status).toBe(400);
    expect(machine.detail).toBe('StatusType matching query does not exist.');
    expect(renderIntegrationError(machine)).toBe('The Atmosphere API refused: StatusType matching query does not exist.');
  });

  it('joins nested DRF field errors into one line', async () => {
    api.failNext({ pathPrefix: '/identities' }, 400, { quota: { id: ['Invalid pk "7" - object does not exist.'] } });

    const error = await failure(gateway().assignQuota({ identityUuid: IDENTITY, username: 'alice', quotaId: 7 }));
    expect(error.detail).toBe('quota.id: Invalid pk "7" - object does not exist.');
  });

  it('turns a 401 into an error that names ATMOSPHERE_API_TOKEN without quoting any token', async () => {
    const wrong = 'not-the-right-token-123456';
    const error = await failure(gateway({ token: wrong }).findOrCreateQuota(QUOTA));

    expect(error.status).toBe(401);
    expect(error.detail).toBe('Invalid token.');
    expect(error.message).not.toContain(wrong);
    expect(JSON.stringify(memory.lines)).not.toContain(wrong);
    expect(renderIntegrationError(error)).toContain('ATMOSPHERE_API_TOKEN');
  });

  it('turns a 403 into an error saying the token must belong to staff', async () => {
    api.failNext({ method: 'PATCH' }, 403);

    const error = await failure(gateway().setMachineRequestStatus({ id: 12, status: 'approved' }));
    expect(error.status).toBe(403);
    expect(error.detail).toBe('You do not have permission to perform this action.');
    // The facts only: who the token must belong to is said once, by the chat core's renderer.
    expect(error.message).toBe('the Atmosphere API refused PATCH /machine_requests/12 (HTTP 403: You do not have permission to perform this action.)');
    expect(error.operation).toBe('PATCH /machine_requests/12');
    expect(renderIntegrationError(error)).toBe(
      'The Atmosphere API refused: You do not have permission to perform this action. The account behind ATMOSPHERE_API_TOKEN must be staff.',
    );
  });

  it('turns a 404 into an error naming the missing record', async () => {
    await api.close();
    api = await startFakeAtmosphereApi({ token: TOKEN, exists: (kind, id) => !(kind === 'machine_request' && id === '12') });

    const error = await failure(gateway().setMachineRequestStatus({ id: 12, status: 'approved' }));
    expect(error.status).toBe(404);
    expect(error.detail).toBe('machine request 12');
    expect(error.message).toContain('machine request 12 does not exist in Atmosphere');
    expect(renderIntegrationError(error)).toBe('Not found in Atmosphere: machine request 12.');
    expect(api.machineRequests.size).toBe(0);
  });

  it('reports maintenance with its detail on gated routes while quotas still answer', async () => {
    api.setMaintenance(MAINTENANCE);
    const gw = gateway();

    const error = await failure(gw.setResourceRequestStatus({ id: 41, status: 'approved', adminMessage: 'ok' }));
    expect(error.status).toBe(503);
    expect(error.detail).toBe(MAINTENANCE);
    expect(error.message).toContain('in maintenance');
    expect(renderIntegrationError(error)).toBe(
      `Atmosphere is in maintenance: ${MAINTENANCE}. Try again when it ends, or ask for your username to be exempted (MAINTENANCE_EXEMPT_USERNAMES).`,
    );
    await expect(gw.findOrCreateQuota(QUOTA)).resolves.toEqual({ id: 1, created: true });
    const identity = await failure(gw.assignQuota({ identityUuid: IDENTITY, username: 'alice', quotaId: 1 }));
    expect(identity.status).toBe(503);

    api.setMaintenance(null);
    await expect(gw.assignQuota({ identityUuid: IDENTITY, username: 'alice', quotaId: 1 })).resolves.toBeUndefined();
  });

  it('treats a 5xx HTML page as unavailable without quoting the page', async () => {
    api.failNext({ pathPrefix: '/api/v2/machine_requests' }, 502);

    const error = await failure(gateway().setMachineRequestStatus({ id: 12, status: 'approved' }));
    expect(error.status).toBe(502);
    expect(error.detail).toBeUndefined();
    expect(error.message).toContain('unavailable');
    expect(renderIntegrationError(error)).toBe('Atmosphere is unavailable (HTTP 502). Try again later.');
  });

  it('gives up after the timeout, once, and says so', async () => {
    api.delay(2_000);

    const error = await failure(gateway({ timeoutMs: 50 }).setResourceRequestStatus({ id: 41, status: 'approved', adminMessage: 'ok' }));
    expect(error.status).toBeUndefined();
    expect(error.message).toContain('did not answer PATCH /admin/resource_requests/41 within 50 ms');
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).name).toBe('TimeoutError');
    expect(renderIntegrationError(error)).toMatch(/^Atmosphere did not answer in time/);
    // A retried approval could e-mail the user twice: exactly one request reached the server.
    expect(api.calls).toHaveLength(1);
  });

  it('does not retry a failed write', async () => {
    api.failNext({ method: 'PATCH' }, 500);

    await failure(gateway().setMachineRequestStatus({ id: 12, status: 'approved' }));
    expect(api.calls).toHaveLength(1);
    expect(api.machineRequests.size).toBe(0);
  });

  it('reports an unreachable API with the network reason', async () => {
    const url = api.url;
    await api.close();
    api = await startFakeAtmosphereApi({ token: TOKEN });

    const error = await failure(gateway({ baseUrl: url }).findOrCreateQuota(QUOTA));
    expect(error.status).toBeUndefined();
    expect(error.detail).toBe('ECONNREFUSED');
    expect(error.message).toContain('could not reach the Atmosphere API at http://127.0.0.1:');
    expect(renderIntegrationError(error)).toMatch(/^Atmosphere could not be reached \(ECONNREFUSED\)/);
  });

  it('reports a redirect instead of following it without the token', async () => {
    const redirecting = createServer((request, response) => {
      response.writeHead(301, { Location: `https://atmo.example.org${request.url ?? '/'}?next=1` });
      response.end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    const { port } = redirecting.address() as AddressInfo;
    try {
      const error = await failure(gateway({ baseUrl: `http://127.0.0.1:${port}/api/v2` }).findOrCreateQuota(QUOTA));
      expect(error.status).toBe(301);
      expect(error.message).toContain('https://atmo.example.org/api/v2/quotas');
      expect(error.code).toBe('redirect');
      expect(error.detail).toBe('it points to https://atmo.example.org/api/v2/quotas');
      expect(renderIntegrationError(error)).toContain('An operator should check ATMOSPHERE_API_URL.');
    } finally {
      await new Promise<void>((resolve) => redirecting.close(() => resolve()));
    }
  });

  it('refuses a quota answer without an id', async () => {
    api.failNext({ pathPrefix: '/quotas' }, 200, { detail: 'ok' });

    const error = await failure(gateway().findOrCreateQuota(QUOTA));
    expect(error.status).toBe(200);
    expect(error.message).toContain('without a quota id');
  });

  it('never puts the token in an error or a log line, even when the API echoes it', async () => {
    const gw = gateway({ timeoutMs: 200 });
    const errors: IntegrationError[] = [];
    api.failNext({ pathPrefix: '/quotas' }, 400, { detail: `Token ${TOKEN} is malformed` });
    errors.push(await failure(gw.findOrCreateQuota(QUOTA)));
    api.failNext({ method: 'PATCH' }, 401, { detail: `Invalid token ${TOKEN}.` });
    errors.push(await failure(gw.setMachineRequestStatus({ id: 1, status: 'approved' })));
    api.failNext({ method: 'PATCH' }, 403, [`${TOKEN} is not staff`]);
    errors.push(await failure(gw.setResourceRequestStatus({ id: 2, status: 'denied', adminMessage: 'no' })));
    api.failNext({ method: 'PATCH' }, 404, { detail: `No identity for ${TOKEN}` });
    errors.push(await failure(gw.assignQuota({ identityUuid: IDENTITY, username: 'bob', quotaId: 1 })));
    api.setMaintenance(`Maintenance: rotating ${TOKEN}`);
    errors.push(await failure(gw.setMachineRequestStatus({ id: 1, status: 'approved' })));
    api.setMaintenance(null);
    await gw.findOrCreateQuota(QUOTA);
    await gw.setMachineRequestStatus({ id: 1, status: 'approved' });

    expect(errors.map((error) => error.status)).toEqual([400, 401, 403, 404, 503]);
    expect(errors[0]?.detail).toBe('Token [redacted] is malformed');
    for (const error of errors) expectNoToken(error);
    // The gateway logs its answered calls; a failure is logged once, by whoever ends it (the dispatcher).
    expect(memory.lines.map((line) => line.msg)).toEqual(['atmosphere API call', 'atmosphere API call']);
    expect(JSON.stringify(memory.lines)).not.toContain(TOKEN);
  });
});

describe('the fake Atmosphere API', () => {
  async function raw(path: string, init: { method: string; body?: string; headers?: Record<string, string> }) {
    const response = await fetch(`${api.url}${path}`, {
      method: init.method,
      body: init.body,
      headers: { 'Content-Type': 'application/json', Authorization: `Token ${TOKEN}`, ...init.headers },
    });
    const text = await response.text();
    return { status: response.status, text };
  }

  it('rejects a machine request status given as an object, as the real view does', async () => {
    const answer = await raw('/machine_requests/12', { method: 'PATCH', body: JSON.stringify({ status: { id: 2 } }) });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toHaveProperty('detail');
  });

  it('answers 404 for a trailing slash and 401 without credentials', async () => {
    expect((await raw('/machine_requests/12/', { method: 'PATCH', body: '{"status": 2}' })).status).toBe(404);
    const anonymous = await fetch(`${api.url}/quotas`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
  });

  it('refuses bodies that are not JSON and quotas with missing values', async () => {
    const form = await raw('/quotas', { method: 'POST', body: 'cpu=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    const partial = await raw('/quotas', { method: 'POST', body: JSON.stringify({ cpu: 4, memory: '8' }) });
    expect(partial.status).toBe(400);
    expect(JSON.parse(partial.text)).toMatchObject({ memory: ['A valid integer is required.'], storage: ['This field is required.'] });
  });
});

describe('createReadOnlyGateway', () => {
  const readOnly: AtmosphereGateway = createReadOnlyGateway();

  it.each([
    ['findOrCreateQuota', () => readOnly.findOrCreateQuota(QUOTA)],
    ['assignQuota', () => readOnly.assignQuota({ identityUuid: IDENTITY, username: 'alice', quotaId: 1 })],
    ['setResourceRequestStatus', () => readOnly.setResourceRequestStatus({ id: 41, status: 'approved', adminMessage: 'ok' })],
    ['setMachineRequestStatus', () => readOnly.setMachineRequestStatus({ id: 12, status: 'approved' })],
  ])('refuses %s and says which settings would allow it', async (_name, write) => {
    const error: unknown = await write().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'unavailable' });
    const message = (error as UserError).message;
    expect(message).toContain('ATMOSPHERE_API_URL');
    expect(message).toContain('ATMOSPHERE_API_TOKEN');
    expect(message).toContain('e-mails');
  });

  it('is the read-only kind', () => {
    expect(readOnly.kind).toBe('read-only');
  });
});
