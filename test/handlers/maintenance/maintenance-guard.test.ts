import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAINTENANCE_RECHECK_MS, withMaintenanceGuard } from '../../../src/integrations/atmosphere/maintenance-guard.js';
import { countingDatabase } from '../../support/counting-database.js';
import { insertAtmosphereMaintenance } from '../../../src/db/queries/maintenance.js';
import { listPendingResourceRequests } from '../../../src/db/queries/resource-requests.js';
import { maintenanceRecord } from '../../../src/db/atmosphere-schema.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { createReadOnlyGateway } from '../../../src/integrations/atmosphere/read-only-gateway.js';
import { listImagingQueue } from '../../../src/db/queries/imaging-queue.js';
import { advanceQueueIfWaiting } from '../../../src/handlers/imaging/advance-queue-if-waiting.js';
import { freeImagingSlot, requestId, statusOf } from '../imaging/imaging-support.js';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { otherStaff, staff } from './maintenance-harness.js';
import { isNull } from 'drizzle-orm';

describe.each(dbKinds())('withMaintenanceGuard on %s', (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
    t.deps.gateway = withMaintenanceGuard(t.deps.gateway, t.deps.db, t.deps.now);
  });
  afterAll(() => t.database.drop());

  it('refuses an approval during global maintenance, naming it, and lets it through afterwards', async () => {
    const dispatcher = t.dispatcher;
    const { rows } = await listPendingResourceRequests(t.deps.db, { limit: 1 });
    const id = rows[0]!.id;
    await insertAtmosphereMaintenance(t.deps.db, { title: 'v37-0 deployment', message: 'Down until 4pm MST', start: TEST_NOW, end: null });

    const refused = (await dispatch(dispatcher, commandEvent(`approve ${id}`, staff))).replies[0]!.text;
    expect(refused).toContain('Atmosphere is in maintenance ("v37-0 deployment": Down until 4pm MST)');
    expect(refused).toContain('/atmo maintenance stop');
    expect(refused).toContain('MAINTENANCE_EXEMPT_USERNAMES');
    expect((await listPendingResourceRequests(t.deps.db, { limit: 50 })).rows.map((r) => r.id)).toContain(id);

    await t.deps.db.update(maintenanceRecord).set({ endDate: TEST_NOW }).where(isNull(maintenanceRecord.endDate));
    const approved = (await dispatch(dispatcher, commandEvent(`approve ${id}`, staff))).replies[0]!.text;
    expect(approved).not.toContain('maintenance');
    expect((await listPendingResourceRequests(t.deps.db, { limit: 50 })).rows.map((r) => r.id)).not.toContain(id);
  });
});

describe.each(dbKinds())('approvals, the imaging queue and the Approve buttons are guarded alike on %s', (kind) => {
  let t: TestContext;
  let embedded: TestContext['deps']['gateway'];
  beforeAll(async () => {
    t = await createTestContext(kind, { env: { ALERT_CHANNEL: 'console:alerts' } });
    embedded = t.deps.gateway;
  });
  afterAll(() => t.database.drop());
  const send = async (event: Parameters<typeof dispatch>[1]) => dispatch(t.dispatcher, event);
  const endMaintenance = () => t.deps.db.update(maintenanceRecord).set({ endDate: TEST_NOW }).where(isNull(maintenanceRecord.endDate));

  it('refuses during maintenance before a form opens and before a request is queued; the queue waits', async () => {
    t.deps.gateway = withMaintenanceGuard(embedded, t.deps.db, t.deps.now);
    const trinity = await requestId(t.deps.db, 'Trinity 2.11 RNA-Seq');
    // Queued while the slot is busy and Atmosphere is up: the queue job would approve it later.
    expect((await send(commandEvent(`imaging approve ${trinity}`, staff))).replies[0]!.text).toContain('queued at place 1');
    await insertAtmosphereMaintenance(t.deps.db, { title: 'v37-0 deployment', message: 'Down until 4pm MST', start: TEST_NOW, end: null });

    const { rows } = await listPendingResourceRequests(t.deps.db, { limit: 1 });
    const button = await send(actionEvent('rr:approve', String(rows[0]!.id), staff));
    expect(button.outcome.kind).toBe('done');
    expect(button.replies[0]!.text).toContain('Atmosphere is in maintenance ("v37-0 deployment": Down until 4pm MST)');
    expect((await send(actionEvent('rr:deny', String(rows[0]!.id), staff))).outcome.kind).toBe('done');

    const genomics = await requestId(t.deps.db, 'Genomics Workshop 2021');
    for (const event of [commandEvent(`imaging approve ${genomics}`, staff), actionEvent('mr:approve', `${genomics}:pending`, staff), actionEvent('mr:deny', `${genomics}:pending`, staff)]) {
      const { outcome, replies } = await send(event);
      expect(outcome.kind).toBe('done');
      expect(replies[0]!.text).toContain('Atmosphere is in maintenance');
    }
    const canary = await requestId(t.deps.db, 'Jetstream Canary');
    expect((await send(commandEvent(`imaging resubmit ${canary}`, staff))).replies[0]!.text).toContain('Atmosphere is in maintenance');
    expect((await listImagingQueue(t.deps.db)).map((q) => q.requestId)).toEqual([trinity]);

    await freeImagingSlot(t.deps.db);
    expect(await advanceQueueIfWaiting(t.deps)).toEqual({ approved: null });
    expect(await statusOf(t.deps.db, trinity)).toBe('pending');
    expect((await send(commandEvent('imaging queue', staff))).replies[0]!.text).toContain('The queue waits and approves nothing for now: Atmosphere is in maintenance');

    await endMaintenance();
    expect(await advanceQueueIfWaiting(t.deps)).toEqual({ approved: trinity });
  });

  it("lets approvals through during maintenance when the bot's API user is exempt, leaving the answer to the API", async () => {
    t.deps.gateway = withMaintenanceGuard(embedded, t.deps.db, t.deps.now, { exempt: true });
    await insertAtmosphereMaintenance(t.deps.db, { title: 'v37-1 deployment', message: 'Back at 5pm', start: TEST_NOW, end: null });
    const { rows } = await listPendingResourceRequests(t.deps.db, { limit: 1 });
    const id = rows[0]!.id;
    expect((await send(actionEvent('rr:approve', String(id), staff))).outcome.kind).toBe('form');
    const approved = (await send(commandEvent(`approve ${id}`, staff))).replies[0]!.text;
    expect(approved).toContain('was approved by kpatel');
    expect((await listPendingResourceRequests(t.deps.db, { limit: 50 })).rows.map((r) => r.id)).not.toContain(id);
    await endMaintenance();
  });

  it('refuses alike, before any form or queue place, with a database and no API', async () => {
    t.deps.gateway = createReadOnlyGateway();
    const { rows } = await listPendingResourceRequests(t.deps.db, { limit: 1 });
    const button = await send(actionEvent('rr:approve', String(rows[0]!.id), staff));
    expect(button.outcome.kind).toBe('done');
    expect(button.replies[0]!.text).toContain('ATMOSPHERE_API_URL');
    const genomics = await requestId(t.deps.db, 'Genomics Workshop 2021');
    const queued = await listImagingQueue(t.deps.db);
    expect((await send(commandEvent(`imaging approve ${genomics}`, staff))).replies[0]!.text).toContain('ATMOSPHERE_API_URL');
    expect(await listImagingQueue(t.deps.db)).toEqual(queued);
  });
});

describe.each(dbKinds())('the maintenance check remembered for a moment, on %s', (kind) => {
  let t: TestContext;
  let embedded: TestContext['deps']['gateway'];
  let clock: number;
  let counting: ReturnType<typeof countingDatabase>;
  const maintenanceReads = () => counting.statements.filter((statement) => statement.includes('from "maintenance_record"')).length;
  const START = 'maintenance start --title "v37-0 deployment" --message "Down until 4pm MST" --until +4h';

  beforeAll(async () => {
    t = await createTestContext(kind);
    embedded = t.deps.gateway;
  });
  afterAll(() => t.database.drop());
  beforeEach(async () => {
    await t.deps.db.delete(maintenanceRecord);
    clock = 0;
    counting = countingDatabase(t.deps.db);
    t.deps.gateway = withMaintenanceGuard(embedded, counting.db, t.deps.now, { recheckAfterMs: MAINTENANCE_RECHECK_MS, clock: () => clock });
  });

  it('reads the records once for the checks of one moment and again once that answer is older than the interval', async () => {
    await t.deps.gateway.checkWritable();
    clock += MAINTENANCE_RECHECK_MS / 2;
    await t.deps.gateway.checkWritable();
    expect(maintenanceReads()).toBe(1);

    // A window that begins inside the interval is not seen by the guard until the interval is over
    // (Atmosphere's own 503 refuses a write meanwhile); then it is.
    await insertAtmosphereMaintenance(t.deps.db, { title: 'v37-0 deployment', message: 'Down until 4pm MST', start: TEST_NOW, end: null });
    await expect(t.deps.gateway.checkWritable()).resolves.toBeUndefined();
    clock += MAINTENANCE_RECHECK_MS / 2;
    await expect(t.deps.gateway.checkWritable()).rejects.toThrow('Atmosphere is in maintenance ("v37-0 deployment": Down until 4pm MST)');
    expect(maintenanceReads()).toBe(2);
    // A refusal is remembered for as long.
    await expect(t.deps.gateway.setResourceRequestStatus({ id: 1, status: 'approved', adminMessage: '' })).rejects.toThrow('Atmosphere is in maintenance');
    expect(maintenanceReads()).toBe(2);
  });

  it('sees at once a maintenance the bot itself starts and ends, however fresh its last answer', async () => {
    const { rows } = await listPendingResourceRequests(t.deps.db, { limit: 1 });
    const id = rows[0]!.id;
    await t.deps.gateway.checkWritable();
    const asked = await dispatch(t.dispatcher, commandEvent(START, staff));
    const started = await dispatch(t.dispatcher, actionEvent('mt:confirm-start', asked.replies[0]!.buttons![0]!.value, otherStaff));
    expect(started.replies[0]!.text).toContain('started by mdelgado');
    // The clock has not moved: without the bot's own change forgotten, the answer from before would pass.
    const refused = (await dispatch(t.dispatcher, commandEvent(`approve ${id}`, otherStaff))).replies[0]!.text;
    expect(refused).toContain('Atmosphere is in maintenance ("v37-0 deployment": Down until 4pm MST)');
    expect((await listPendingResourceRequests(t.deps.db, { limit: 50 })).rows.map((r) => r.id)).toContain(id);

    const stop = await dispatch(t.dispatcher, commandEvent('maintenance stop', staff));
    const stopped = await dispatch(t.dispatcher, actionEvent('mt:confirm-stop', stop.replies[0]!.buttons![0]!.value, staff));
    expect(stopped.replies[0]!.text).toContain('Maintenance ended by kpatel');
    const approved = (await dispatch(t.dispatcher, commandEvent(`approve ${id}`, otherStaff))).replies[0]!.text;
    expect(approved).not.toContain('maintenance');
    expect((await listPendingResourceRequests(t.deps.db, { limit: 50 })).rows.map((r) => r.id)).not.toContain(id);
  });
});
