import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maintenanceRecord } from '../../../src/db/atmosphere-schema.js';
import { createStatusIo } from '../../../src/integrations/statusio/statusio-client.js';
import { listMaintenanceWindows } from '../../../src/db/queries/maintenance-windows.js';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { startFakeStatusIo, type FakeStatusIo } from '../../fakes/statusio.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { staff } from '../maintenance/maintenance-harness.js';

const credentials = { apiId: 'test-api-id', apiKey: 'test-api-key', pageId: 'page123' };
const minutes = (n: number) => new Date(TEST_NOW.getTime() + n * 60_000);

describe.each(dbKinds())('status.io commands and maintenance with --statusio on %s', (kind) => {
  let t: TestContext;
  let dispatcher: Dispatcher;
  let fake: FakeStatusIo;

  beforeAll(async () => {
    fake = await startFakeStatusIo(credentials);
    t = await createTestContext(kind);
    t.deps.statusPage = createStatusIo({ baseUrl: fake.url, ...credentials, components: [], retries: 1, backoffMs: 1, sleep: async () => {}, log: t.deps.log });
    dispatcher = t.dispatcher;
  });
  afterAll(async () => {
    await t.database.drop();
    await fake.close();
  });

  const run = async (text: string) => (await dispatch(dispatcher, commandEvent(text, staff))).replies[0]!;

  it('schedules, starts, updates and finishes a status.io maintenance, and lists it', async () => {
    const scheduled = await run('statusio schedule --title "DB upgrade" --details "Database upgrade" --start "2026-12-01 22:00" --end "2026-12-01T16:00-07:00"');
    const id = /maintenance (\w+) "DB upgrade"/.exec(scheduled.text)?.[1];
    expect(id).toBeDefined();
    const body = fake.requests.find((r) => r.route === 'maintenance/schedule')!.body as Record<string, unknown>;
    expect(body).toMatchObject({ maintenance_name: 'DB upgrade', date_planned_start: '12/01/2026', time_planned_start: '22:00', time_planned_end: '23:00' });

    expect((await run('statusio list')).text).toContain(`${id} "DB upgrade"`);
    expect((await run(`statusio start ${id}`)).text).toContain(`maintenance ${id} started`);
    expect((await run(`statusio update ${id} Halfway through`)).text).toContain('updated');
    expect((await run(`statusio finish ${id}`)).text).toContain('finished');
    expect(fake.state.maintenances.find((m) => m._id === id)).toMatchObject({ phase: 'resolved' });
    expect(fake.state.maintenances.find((m) => m._id === id)!.messages.map((m) => m.details)).toContain('Halfway through');
    expect((await run('statusio update nosuchid x')).text).toContain('status.io');
  });

  it('opens, updates and resolves an incident, retrying a 5xx without posting twice', async () => {
    fake.failNext('incident/create', { status: 503 });
    const opened = await run('statusio incident --title "API slow" --details "Looking into it" --status degraded-performance');
    const id = /incident (\w+) "API slow"/.exec(opened.text)?.[1];
    expect(id).toBeDefined();
    expect(fake.state.incidents.filter((i) => i.name === 'API slow')).toHaveLength(1);
    expect(fake.state.incidents[0]).toMatchObject({ status: 300, state: 100 });

    expect((await run(`statusio incident-update ${id} --state monitoring Fix deployed`)).text).toContain('updated (service-disruption, monitoring)');
    expect((await run('statusio incident-update x --state sleeping words')).text).toContain('The state is one of investigating, identified, monitoring');
    fake.failNext('incident/resolve', { status: 500, times: 2 });
    const failed = await run(`statusio resolve ${id}`);
    expect(failed.text).toMatch(/status\.io|HTTP 500/i);
    expect(fake.state.incidents[0]!.resolved).toBe(false);
    expect((await run(`statusio resolve ${id} All good`)).text).toContain('resolved');
    expect(fake.state.incidents[0]!.resolved).toBe(true);
  });

  it('maintenance schedule --statusio, then start --window starts it on status.io and stop finishes it', async () => {
    const scheduled = await run('maintenance schedule --start "2026-12-01 16:00" --end "2026-12-01 23:00" --title "v37-0 deployment" --message "Down today 9am-4pm MST" --statusio');
    expect(scheduled.text).toContain('Send the notice to atmosphere-users by 2026-11-27 16:00 UTC');
    const [window] = await listMaintenanceWindows(t.deps.db, ['scheduled']);
    expect(window!.statusioMaintenanceId).toMatch(/\w+/);
    expect((await run('maintenance status')).text).toContain(`#${window!.id} "v37-0 deployment" 2026-12-01 16:00 UTC → 2026-12-01 23:00 UTC (status.io ${window!.statusioMaintenanceId})`);

    t.setNow(new Date('2026-12-01T15:55:00Z'));
    const asked = await run(`maintenance start --window ${window!.id}`);
    expect(asked.text).toContain(`• status.io: start maintenance ${window!.statusioMaintenanceId}`);
    const started = (await dispatch(dispatcher, actionEvent('mt:confirm-start', asked.buttons![0]!.value, staff))).replies[0]!;
    expect(started.text).toContain(`status.io: maintenance ${window!.statusioMaintenanceId} started`);
    expect(fake.state.maintenances.find((m) => m._id === window!.statusioMaintenanceId)!.phase).toBe('active');
    const [startedWindow] = await listMaintenanceWindows(t.deps.db, ['started']);
    expect(startedWindow).toMatchObject({ id: window!.id, startedAt: new Date('2026-12-01T15:55:00Z') });

    t.setNow(new Date('2026-12-01T22:00:00Z'));
    const stop = await run('maintenance stop Back up, thanks for waiting');
    expect(stop.text).toContain(`• status.io: finish maintenance ${window!.statusioMaintenanceId}`);
    const stopped = (await dispatch(dispatcher, actionEvent('mt:confirm-stop', stop.buttons![0]!.value, staff))).replies[0]!;
    expect(stopped.text).toContain(`status.io: maintenance ${window!.statusioMaintenanceId} finished`);
    const finished = fake.state.maintenances.find((m) => m._id === window!.statusioMaintenanceId)!;
    expect(finished.phase).toBe('resolved');
    expect(finished.messages.at(-1)!.details).toBe('Back up, thanks for waiting');
  });

  it('cancelling a scheduled window removes its status.io maintenance, and says so when that fails', async () => {
    t.setNow(TEST_NOW);
    const first = await run('maintenance schedule --start "2026-12-10 16:00" --end "2026-12-10 20:00" --title "Cancelled one" --message "x" --statusio');
    expect(first.text).toContain('Scheduled maintenance window');
    const windows = await listMaintenanceWindows(t.deps.db, ['scheduled']);
    const window = windows.find((w) => w.title === 'Cancelled one')!;
    const cancelled = await run(`maintenance cancel ${window.id}`);
    expect(cancelled.text).toContain(`Removed status.io maintenance ${window.statusioMaintenanceId} from the status page.`);
    expect(fake.state.maintenances.some((m) => m._id === window.statusioMaintenanceId)).toBe(false);
    const deleteBody = fake.requests.filter((r) => r.route === 'maintenance/delete').at(-1)!.body as Record<string, unknown>;
    expect(deleteBody).toMatchObject({ maintenance_id: window.statusioMaintenanceId, notify_email: '0', notify_webhook: '0' });

    await run('maintenance schedule --start "2026-12-11 16:00" --end "2026-12-11 20:00" --title "Stays on status.io" --message "x" --statusio');
    const second = (await listMaintenanceWindows(t.deps.db, ['scheduled'])).find((w) => w.title === 'Stays on status.io')!;
    fake.failNext('maintenance/delete', { status: 400, message: 'Maintenance locked' });
    const failed = await run(`maintenance cancel ${second.id}`);
    expect(failed.text).toContain('Cancelled maintenance window');
    expect(failed.text).toContain(`status.io maintenance ${second.statusioMaintenanceId} could NOT be removed`);
    expect(fake.state.maintenances.some((m) => m._id === second.statusioMaintenanceId)).toBe(true);
    expect(await listMaintenanceWindows(t.deps.db, ['scheduled'])).not.toContainEqual(expect.objectContaining({ id: second.id }));
  });

  it('reports a status.io failure after the databases changed, without rolling the maintenance back', async () => {
    t.setNow(minutes(30 * 24 * 60));
    fake.failNext('maintenance/start', { status: 502, times: 5 });
    const asked = await run('maintenance start --title "Emergency patch" --message "Back soon" --until +2h --statusio');
    expect(asked.text).toContain('• status.io: schedule "Emergency patch" from now until');
    const reply = (await dispatch(dispatcher, actionEvent('mt:confirm-start', asked.buttons![0]!.value, staff))).replies[0]!;
    const scheduled = fake.state.maintenances.find((m) => m.name === 'Emergency patch')!;
    expect(reply.text).toContain('started by kpatel');
    expect(reply.text).toContain(`status.io: maintenance ${scheduled._id} was scheduled but FAILED to start`);
    expect(reply.text).toContain(`/atmo statusio start ${scheduled._id}`);
    expect(scheduled.phase).toBe('upcoming');
    const active = (await t.deps.db.select().from(maintenanceRecord)).filter((r) => r.title === 'Emergency patch');
    expect(active).toHaveLength(1);
    expect(active[0]!.endDate).toEqual(minutes(30 * 24 * 60 + 120));
  });

  it('refuses when status.io is not configured', async () => {
    const saved = t.deps.statusPage;
    t.deps.statusPage = null;
    try {
      expect((await run('statusio list')).text).toContain('status.io is not configured');
      expect((await run('maintenance start --title t --message m --until +1h --statusio')).text).toContain('status.io is not configured');
    } finally {
      t.deps.statusPage = saved;
    }
  });
  it('counts a relative --end from the start, as maintenance schedule does', async () => {
    const start = new Date(t.deps.now().getTime() + 24 * 3_600_000);
    const scheduled = await run('statusio schedule --title "Short window" --details "Ninety minutes" --start +1d --end +90m');
    expect(scheduled.text).toContain('"Short window"');
    const body = fake.requests.filter((r) => r.route === 'maintenance/schedule').at(-1)!.body as Record<string, unknown>;
    const hhmm = (at: Date) => at.toISOString().slice(11, 16);
    expect(body).toMatchObject({ maintenance_name: 'Short window', time_planned_start: hhmm(start), time_planned_end: hhmm(new Date(start.getTime() + 90 * 60_000)) });
  });
});
