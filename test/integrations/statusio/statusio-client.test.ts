import { createServer } from 'node:http';
import { renderIntegrationError } from '../../../src/bot/chat/render-error.js';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntegrationError, UserError } from '../../../src/errors.js';
import { createMemoryLogger } from '../../../src/logger.js';
import {
  backoffDelay,
  createStatusIo,
  formatStatusIoDateTime,
  type StatusIoOptions,
  type StatusPage,
} from '../../../src/integrations/statusio/statusio-client.js';
import { startFakeStatusIo, type FakeRoute, type FakeStatusIo } from '../../fakes/statusio.js';

const API_ID = 'apiid-5f7e1c0a9b';
const API_KEY = 'apikey-SECRET-93b1c7d2e4';
const PAGE_ID = 'page-568d8a3e3cada8c249';

const START = new Date(Date.UTC(2026, 11, 1, 22, 0));
const END = new Date(Date.UTC(2026, 11, 1, 23, 30));

let fake: FakeStatusIo;
let memory: ReturnType<typeof createMemoryLogger>;
let sleeps: number[];

function client(overrides: Partial<StatusIoOptions> = {}): StatusPage {
  return createStatusIo({
    baseUrl: fake.url,
    apiId: API_ID,
    apiKey: API_KEY,
    pageId: PAGE_ID,
    components: [],
    timeoutMs: 2_000,
    retries: 3,
    backoffMs: 1,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    log: memory.log,
    ...overrides,
  });
}

const posts = (route: FakeRoute) => fake.requests.filter((r) => r.route === route);
const pairOf = (component: number, container: number) => {
  const c = fake.state.components[component]!;
  return `${c._id}-${c.containers[container]!._id}`;
};

async function rejection(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IntegrationError);
  return error as IntegrationError;
}

beforeEach(async () => {
  fake = await startFakeStatusIo({ apiId: API_ID, apiKey: API_KEY, pageId: PAGE_ID });
  memory = createMemoryLogger();
  sleeps = [];
});

afterEach(async () => {
  await fake.close();
});

describe('formatStatusIoDateTime', () => {
  it('writes MM/DD/YYYY and HH:MM in UTC, dropping seconds', () => {
    expect(formatStatusIoDateTime(new Date(Date.UTC(2026, 11, 1, 22, 5, 59)))).toEqual({ date: '12/01/2026', time: '22:05' });
    expect(formatStatusIoDateTime(new Date(Date.UTC(2027, 0, 9, 3, 7)))).toEqual({ date: '01/09/2027', time: '03:07' });
  });

  it('uses the UTC day when the local evening is already the next UTC day', () => {
    expect(formatStatusIoDateTime(new Date('2026-03-01T23:30:00-07:00'))).toEqual({ date: '03/02/2026', time: '06:30' });
  });

  it('refuses an invalid date', () => {
    expect(() => formatStatusIoDateTime(new Date('not a date'))).toThrow(RangeError);
  });
});

describe('backoffDelay', () => {
  it('doubles from the base and adds at most a quarter of jitter', () => {
    expect([1, 2, 3].map((n) => backoffDelay(n, 500, () => 0))).toEqual([500, 1000, 2000]);
    expect([1, 2, 3].map((n) => backoffDelay(n, 500, () => 1))).toEqual([625, 1250, 2500]);
  });
});

describe('status.io client: request shapes', () => {
  it('lists components with their containers, sending both auth headers', async () => {
    const components = await client().components();
    expect(components).toEqual(
      fake.state.components.map((c) => ({ id: c._id, name: c.name, containers: c.containers.map((k) => ({ id: k._id, name: k.name })) })),
    );
    const request = fake.requests[0]!;
    expect(request.path).toBe(`component/list/${PAGE_ID}`);
    expect(request.headers['x-api-id']).toBe(API_ID);
    expect(request.headers['x-api-key']).toBe(API_KEY);
  });

  it('schedules a maintenance on the configured components with string flags and UTC dates', async () => {
    const pairs = [pairOf(0, 0), pairOf(1, 1)];
    const { id } = await client({ components: pairs }).scheduleMaintenance({
      title: 'Atmosphere v36-6 release',
      details: 'Atmosphere will be unavailable during the release.',
      start: START,
      end: END,
    });

    expect(posts('maintenance/schedule')[0]!.body).toEqual({
      statuspage_id: PAGE_ID,
      infrastructure_affected: pairs,
      automation: '0',
      maintenance_name: 'Atmosphere v36-6 release',
      maintenance_details: 'Atmosphere will be unavailable during the release.',
      date_planned_start: '12/01/2026',
      time_planned_start: '22:00',
      date_planned_end: '12/01/2026',
      time_planned_end: '23:30',
      maintenance_notify_now: '0',
      maintenance_notify_72_hr: '0',
      maintenance_notify_24_hr: '1',
      maintenance_notify_1_hr: '1',
    });
    expect(fake.state.maintenances).toHaveLength(1);
    expect(fake.state.maintenances[0]).toMatchObject({ _id: id, phase: 'upcoming', plannedStart: START.toISOString(), infrastructure: pairs });
  });

  it('marks all infrastructure when no components are configured, and passes notify and automation', async () => {
    await client().scheduleMaintenance({
      title: 'Cloud-wide outage window',
      details: 'Everything is down.',
      start: START,
      end: END,
      notify: { now: true, hr72: true, hr24: false, hr1: false },
      automation: true,
    });
    expect(posts('maintenance/schedule')[0]!.body).toMatchObject({
      infrastructure_affected: [],
      all_infrastructure_affected: '1',
      automation: '1',
      maintenance_notify_now: '1',
      maintenance_notify_72_hr: '1',
      maintenance_notify_24_hr: '0',
      maintenance_notify_1_hr: '0',
    });
    expect(fake.state.maintenances[0]).toMatchObject({ infrastructure: 'all', automation: true, notify: { now: true, hr72: true, hr24: false, hr1: false } });
  });

  it('refuses a malformed component pair, configured or given, without calling status.io', async () => {
    expect(() => client({ components: ['justacomponent'] })).toThrow(/STATUSIO_COMPONENTS entry "justacomponent"/);
    const incident = client().createIncident({ title: 't', details: 'd', status: 'operational', state: 'monitoring', components: ['a-b-c'] });
    await expect(incident).rejects.toBeInstanceOf(UserError);
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses a window that ends before it starts without calling status.io', async () => {
    await expect(client().scheduleMaintenance({ title: 't', details: 'd', start: END, end: START })).rejects.toBeInstanceOf(UserError);
    expect(fake.requests).toHaveLength(0);
  });

  it('starts, updates and finishes a maintenance, and lists it in the right bucket each time', async () => {
    const page = client();
    const { id } = await page.scheduleMaintenance({ title: 'Release', details: 'Scheduled.', start: START, end: END });
    expect((await page.listMaintenances()).upcoming.map((m) => m.id)).toEqual([id]);

    await page.startMaintenance(id, 'Started.');
    await page.updateMaintenance(id, 'Database migrated.');
    const during = await page.listMaintenances();
    expect(during.active).toEqual([{ id, name: 'Release', plannedStart: START, plannedEnd: END, latestDetails: 'Database migrated.' }]);
    expect(during.upcoming).toEqual([]);

    await page.finishMaintenance(id, 'Done.');
    expect((await page.listMaintenances()).resolved.map((m) => [m.id, m.latestDetails])).toEqual([[id, 'Done.']]);

    for (const route of ['maintenance/start', 'maintenance/update', 'maintenance/finish'] as const) {
      expect(posts(route)[0]!.body).toEqual({
        statuspage_id: PAGE_ID,
        maintenance_id: id,
        maintenance_details: expect.any(String),
        notify_email: '1',
        notify_sms: '0',
        notify_webhook: '1',
        social: '0',
      });
      expect(posts(route)[0]!.headers['content-type']).toBe('application/json');
    }
    expect(fake.state.maintenances[0]!.messages.map((m) => m.details)).toEqual(['Scheduled.', 'Started.', 'Database migrated.', 'Done.']);
  });

  it('creates, updates and resolves an incident with numeric status and state codes', async () => {
    const page = client({ components: [pairOf(0, 0)] });
    const { id } = await page.createIncident({
      title: 'Instance launches failing',
      details: 'We are looking into failed launches.',
      status: 'partial-disruption',
      state: 'investigating',
    });
    expect(posts('incident/create')[0]!.body).toEqual({
      statuspage_id: PAGE_ID,
      infrastructure_affected: [pairOf(0, 0)],
      incident_name: 'Instance launches failing',
      incident_details: 'We are looking into failed launches.',
      current_status: 400,
      current_state: 100,
      notify_email: '1',
      notify_sms: '0',
      notify_webhook: '1',
      social: '0',
    });

    await page.updateIncident(id, { details: 'A compute node is down.', status: 'degraded-performance', state: 'identified' });
    expect(posts('incident/update')[0]!.body).toMatchObject({ incident_id: id, incident_details: 'A compute node is down.', current_status: 300, current_state: 200 });
    expect(fake.state.incidents[0]).toMatchObject({ status: 300, state: 200, resolved: false });
    expect((await page.listIncidents()).active.map((i) => [i.id, i.latestDetails])).toEqual([[id, 'A compute node is down.']]);

    await page.resolveIncident(id, 'Launches work again.');
    expect(posts('incident/resolve')[0]!.body).toMatchObject({ statuspage_id: PAGE_ID, incident_id: id, incident_details: 'Launches work again.' });
    const after = await page.listIncidents();
    expect(after.active).toEqual([]);
    expect(after.resolved).toEqual([{ id, name: 'Instance launches failing', openedAt: expect.any(Date), latestDetails: 'Launches work again.' }]);
  });
});

describe('status.io client: retries without duplicate notices', () => {
  it('retries a 5xx in the middle of a sequence and ends with exactly one maintenance', async () => {
    const page = client();
    const { id } = await page.scheduleMaintenance({ title: 'Release', details: 'Scheduled.', start: START, end: END });
    fake.failNext('maintenance/start', { status: 500 });
    await page.startMaintenance(id, 'Started.');
    await page.finishMaintenance(id, 'Done.');

    expect(posts('maintenance/start')).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
    expect(fake.state.maintenances).toHaveLength(1);
    expect(fake.state.maintenances[0]!.phase).toBe('resolved');
    expect(fake.state.maintenances[0]!.messages.map((m) => m.details)).toEqual(['Scheduled.', 'Started.', 'Done.']);
  });

  it('looks the maintenance up after a 503 on schedule, finds none, and schedules it once', async () => {
    fake.failNext('maintenance/schedule', { status: 503 });
    const { id } = await client().scheduleMaintenance({ title: 'Release', details: 'Scheduled.', start: START, end: END });
    expect(posts('maintenance/schedule')).toHaveLength(2);
    expect(posts('maintenance/list')).toHaveLength(1);
    expect(fake.state.maintenances.map((m) => m._id)).toEqual([id]);
  });

  it.each([{ status: 502 }, { hang: true as const }])('returns the existing maintenance when the schedule was applied but answered %o', async (failure) => {
    fake.failAfterApplying('maintenance/schedule', failure);
    const { id } = await client({ timeoutMs: 300 }).scheduleMaintenance({ title: 'Release', details: 'Scheduled.', start: START, end: END });
    expect(posts('maintenance/schedule')).toHaveLength(1);
    expect(fake.state.maintenances.map((m) => m._id)).toEqual([id]);
  });

  it.each([{ status: 502 }, { hang: true as const }])('posts an update once when it was applied but answered %o', async (failure) => {
    const page = client({ timeoutMs: 300 });
    const { id } = await page.scheduleMaintenance({ title: 'Release', details: 'Scheduled.', start: START, end: END });
    await page.startMaintenance(id, 'Started.');
    fake.failAfterApplying('maintenance/update', failure);
    await page.updateMaintenance(id, 'Half way.');
    expect(posts('maintenance/update')).toHaveLength(1);
    expect(posts('maintenance/one')).toHaveLength(1);
    expect(fake.state.maintenances).toHaveLength(1);
    expect(fake.state.maintenances[0]!.messages.map((m) => m.details)).toEqual(['Scheduled.', 'Started.', 'Half way.']);
  });

  it('re-posts an update whose text appeared earlier but is not the newest message', async () => {
    const page = client();
    const { id } = await page.scheduleMaintenance({ title: 'Release', details: 'Scheduled.', start: START, end: END });
    await page.updateMaintenance(id, 'Still working.');
    await page.updateMaintenance(id, 'Nearly there.');
    fake.failNext('maintenance/update', { status: 500 });
    await page.updateMaintenance(id, 'Still working.');
    expect(fake.state.maintenances[0]!.messages.map((m) => m.details)).toEqual(['Scheduled.', 'Still working.', 'Nearly there.', 'Still working.']);
  });

  it('does not start or finish twice when status.io applied the call but the answer was lost', async () => {
    const page = client({ timeoutMs: 300 });
    const { id } = await page.scheduleMaintenance({ title: 'Release', details: 'Scheduled.', start: START, end: END });
    fake.failAfterApplying('maintenance/start', { status: 502 });
    await page.startMaintenance(id, 'Started.');
    fake.failAfterApplying('maintenance/finish', { hang: true });
    await page.finishMaintenance(id, 'Done.');
    expect(posts('maintenance/start')).toHaveLength(1);
    expect(posts('maintenance/finish')).toHaveLength(1);
    expect(fake.state.maintenances[0]!.phase).toBe('resolved');
    expect(fake.state.maintenances[0]!.messages.map((m) => m.details)).toEqual(['Scheduled.', 'Started.', 'Done.']);
  });

  it('keeps one incident and one message each when create, update and resolve answers are lost', async () => {
    const page = client({ timeoutMs: 300 });
    fake.failAfterApplying('incident/create', { status: 502 });
    const { id } = await page.createIncident({ title: 'Outage', details: 'Investigating.', status: 'service-disruption', state: 'investigating' });
    fake.failAfterApplying('incident/update', { hang: true });
    await page.updateIncident(id, { details: 'Found it.', status: 'service-disruption', state: 'identified' });
    fake.failAfterApplying('incident/resolve', { status: 504 });
    await page.resolveIncident(id, 'Fixed.');

    expect(fake.state.incidents.map((i) => i._id)).toEqual([id]);
    expect(fake.state.incidents[0]!.messages.map((m) => m.details)).toEqual(['Investigating.', 'Found it.', 'Fixed.']);
    expect(fake.state.incidents[0]!.resolved).toBe(true);
    for (const route of ['incident/create', 'incident/update', 'incident/resolve'] as const) expect(posts(route)).toHaveLength(1);
  });

  it('does not take an older open incident of the same name for the one it created', async () => {
    const page = client();
    const older = await page.createIncident({ title: 'Outage', details: 'Old outage.', status: 'service-disruption', state: 'identified' });
    fake.failNext('incident/create', { status: 500 });
    const newer = await page.createIncident({ title: 'Outage', details: 'New outage.', status: 'service-disruption', state: 'investigating' });
    expect(newer.id).not.toBe(older.id);
    expect(fake.state.incidents).toHaveLength(2);
  });

  it('creates its own incident when the listing shows an older one of the same name without messages', async () => {
    const page = client();
    const older = await page.createIncident({ title: 'Outage', details: 'Old outage.', status: 'service-disruption', state: 'identified' });
    fake.omitListMessages(true);
    fake.failNext('incident/create', { status: 503 });
    const newer = await page.createIncident({ title: 'Outage', details: 'New outage.', status: 'service-disruption', state: 'investigating' });

    expect(newer.id).not.toBe(older.id);
    expect(fake.state.incidents.filter((i) => i.name === 'Outage').map((i) => i._id)).toEqual([older.id, newer.id]);
    expect(fake.state.incidents.find((i) => i._id === newer.id)!.messages.map((m) => m.details)).toEqual(['New outage.']);
    // The listing said nothing about messages, so the older incident itself was read before re-sending.
    expect(fake.requests.filter((r) => r.route === 'incident/one').map((r) => r.path)).toEqual([`incident/${PAGE_ID}/${older.id}`]);
    expect(posts('incident/create')).toHaveLength(3);
  });

  it('finds its own applied incident next to an older one of the same name when the listing has no messages', async () => {
    const page = client({ timeoutMs: 300 });
    const older = await page.createIncident({ title: 'Outage', details: 'Old outage.', status: 'service-disruption', state: 'identified' });
    fake.omitListMessages(true);
    fake.failAfterApplying('incident/create', { status: 502 });
    const newer = await page.createIncident({ title: 'Outage', details: 'New outage.', status: 'service-disruption', state: 'investigating' });

    expect(newer.id).not.toBe(older.id);
    const named = fake.state.incidents.filter((i) => i.name === 'Outage');
    expect(named.map((i) => i._id)).toEqual([older.id, newer.id]);
    expect(named[1]!.messages.map((m) => m.details)).toEqual(['New outage.']);
    expect(posts('incident/create')).toHaveLength(2);
  });

  it('gives up after the configured retries with growing waits and says the change may have been applied', async () => {
    fake.failNext('maintenance/schedule', { status: 503, times: 10 });
    const error = await rejection(client().scheduleMaintenance({ title: 'Release', details: 'x', start: START, end: END }));
    expect(error.service).toBe('statusio');
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/after 4 attempts/);
    expect(error).toMatchObject({ unclear: true, hint: 'it may or may not have been applied: check the status page before trying again' });
    expect(renderIntegrationError(error)).toBe('status.io is unavailable (HTTP 503). It may or may not have been applied: check the status page before trying again.');
    expect(posts('maintenance/schedule')).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
    expect(sleeps[1]!).toBeGreaterThan(sleeps[0]!);
    expect(sleeps[2]!).toBeGreaterThan(sleeps[1]!);
    expect(fake.state.maintenances).toHaveLength(0);
  });

  it('retries when status.io cannot be reached and then reports it', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await rejection(client({ baseUrl: `http://127.0.0.1:${port}/v2/`, retries: 2 }).components());
    expect(error.message).toMatch(/could not list components after 3 attempts: could not reach status\.io/);
    expect(sleeps).toHaveLength(2);
  });
});

describe('status.io client: refusals', () => {
  it('does not retry a 4xx and names what status.io said', async () => {
    const error = await rejection(client().updateMaintenance('000000000000000000000000', 'Hello.'));
    expect(error.status).toBe(404);
    expect(error.detail).toBe('Maintenance not found');
    expect(error.message).toContain('Maintenance not found');
    expect(fake.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('does not retry an error envelope that came with HTTP 200', async () => {
    fake.failNext('incident/create', { status: 200, message: 'Incident name is too long' });
    const error = await rejection(client().createIncident({ title: 'x', details: 'y', status: 'operational', state: 'monitoring' }));
    expect(error.message).toContain('Incident name is too long');
    expect(posts('incident/create')).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(fake.state.incidents).toHaveLength(0);
  });

  it('turns "Authentication failed" into a message naming the two variables, without retrying', async () => {
    const error = await rejection(client({ apiKey: 'wrong-key-ABCDEF123' }).listMaintenances());
    expect(error.message).toBe('status.io refused the credentials for list maintenances');
    expect(renderIntegrationError(error)).toContain('An operator should check STATUSIO_API_ID and STATUSIO_API_KEY.');
    expect(error.status).toBe(401);
    expect(error.message).not.toContain('wrong-key-ABCDEF123');
    expect(fake.requests).toHaveLength(1);
  });

  it('refuses to start a maintenance twice (the fake enforces the state, so the client must check it)', async () => {
    const page = client();
    const { id } = await page.scheduleMaintenance({ title: 'Release', details: 'Scheduled.', start: START, end: END });
    await page.startMaintenance(id, 'Started.');
    const error = await rejection(page.startMaintenance(id, 'Started.'));
    expect(error.message).toContain('Maintenance already started');
  });

  it('never writes the API id or key into a log line or an error message', async () => {
    const page = client({ timeoutMs: 300 });
    fake.failNext('component/list', { status: 500 });
    await page.components();
    fake.failAfterApplying('maintenance/schedule', { hang: true });
    await page.scheduleMaintenance({ title: 'Release', details: 'Scheduled.', start: START, end: END });
    fake.failNext('maintenance/list', { status: 200, message: `echo ${API_KEY} ${API_ID}` });
    const echoed = await rejection(page.listMaintenances());
    const denied = await rejection(client({ apiKey: `${API_KEY}-x` }).components());

    expect(memory.lines.length).toBeGreaterThan(0);
    const everything = JSON.stringify(memory.lines) + [echoed, denied].map((e) => `${e.message} ${e.detail ?? ''}`).join(' ');
    expect(everything).toContain('retrying');
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(API_KEY);
    expect(everything).not.toContain(API_ID);
  });
});

describe('fake status.io', () => {
  async function post(route: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
    const response = await fetch(new URL(route, fake.url), {
      method: 'POST',
      headers: { 'x-api-id': API_ID, 'x-api-key': API_KEY, ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { status: { error: string; message: string } } };
  }
  const valid = () => ({
    statuspage_id: PAGE_ID,
    infrastructure_affected: [pairOf(0, 0)],
    automation: '0',
    maintenance_name: 'n',
    maintenance_details: 'd',
    date_planned_start: '12/01/2026',
    time_planned_start: '22:00',
    date_planned_end: '12/01/2026',
    time_planned_end: '23:00',
    maintenance_notify_now: '0',
    maintenance_notify_72_hr: '0',
    maintenance_notify_24_hr: '1',
    maintenance_notify_1_hr: '1',
  });

  it.each([
    ['a numeric flag', { automation: 1 }, 'automation must be "0" or "1"'],
    ['an ISO date', { date_planned_start: '2026-12-01' }, 'date_planned_start must be MM/DD/YYYY'],
    ['another page', { statuspage_id: 'other' }, 'Invalid statuspage_id'],
    ['a bare component id', { infrastructure_affected: ['abc'] }, 'is not <component>-<container>'],
  ])('refuses %s', async (_label, change, message) => {
    const answer = await post('maintenance/schedule', { ...valid(), ...change });
    expect(answer.status).toBe(400);
    expect(answer.body.status.error).toBe('yes');
    expect(answer.body.status.message).toContain(message);
    expect(fake.state.maintenances).toHaveLength(0);
  });

  it('refuses a POST that is not declared as JSON', async () => {
    const answer = await post('maintenance/schedule', valid(), { 'content-type': 'text/plain' });
    expect(answer.status).toBe(415);
    expect(answer.body.status.error).toBe('yes');
  });
});
