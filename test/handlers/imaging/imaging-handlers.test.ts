import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { advanceImagingQueue } from '../../../src/handlers/imaging/advance-imaging-queue.js';
import { listImagingQueue } from '../../../src/db/queries/imaging-queue.js';
import { listRequestEvents, listRequestEventsSince } from '../../../src/db/queries/request-events.js';
import { eq } from 'drizzle-orm';
import { replyAsText } from '../../../src/bot/chat/deliver-reply.js';
import { machineRequest } from '../../../src/db/atmosphere-schema.js';
import { dbKinds } from '../../support/databases.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { freeImagingSlot, requestId, statusOf } from './imaging-support.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };
const mdelgado = { id: 'c-mdelgado', actingAs: 'mdelgado' };
const jsmith = { id: 'c-jsmith', actingAs: 'jsmith' };

describe.each(dbKinds())('imaging requests on %s', (kind) => {
  let t: TestContext;
  let dispatcher: Dispatcher;

  beforeEach(async () => {
    t = await createTestContext(kind, { env: { ALERT_CHANNEL: 'slack:CALERTS' } });
    dispatcher = t.dispatcher;
  });
  afterEach(async () => {
    await t.database.drop();
  });

  it('lists pending requests with owner, image, instance, provider and Approve/Deny buttons', async () => {
    const { replies } = await dispatch(dispatcher, commandEvent('imaging pending', kpatel));
    const reply = replies[0]!;
    expect(reply.text).toContain('3 imaging requests pending');
    const trinity = await requestId(t.deps.db, 'Trinity 2.11 RNA-Seq');
    const section = reply.sections!.find((s) => s.text.startsWith(`#${trinity} `))!;
    expect(section.text).toContain('dchen');
    expect(section.text).toContain('trinity-assembly');
    expect(section.text).toContain('Jetstream - TACC');
    expect(section.buttons!.map((b) => `${b.action}:${b.value}`)).toEqual([`mr:approve:${trinity}:pending`, `mr:deny:${trinity}:pending`]);
  });

  it('lists errored and stuck requests with their triage and a Re-submit button', async () => {
    const { replies } = await dispatch(dispatcher, commandEvent('imaging errored', kpatel));
    const text = replies[0]!.sections!.map((s) => s.text).join('\n');
    expect(text).toContain('Triage: max-instances');
    expect(text).toContain('Triage: cache');
    expect(text).toContain('Triage: stuck');
    expect(text).toContain('Triage: imaging-host');
    expect(text).toContain("processing: AttributeError: 'NoneType' object has no attribute 'id'");
    expect(replies[0]!.sections!.every((s) => s.buttons!.length === 1 && s.buttons![0]!.action === 'mr:resubmit')).toBe(true);
  });

  it('shows one request and builds the level two triage report with the bot history', async () => {
    const canary = await requestId(t.deps.db, 'Jetstream Canary');
    await dispatch(dispatcher, commandEvent(`imaging resubmit ${canary}`, kpatel));
    const show = (await dispatch(dispatcher, commandEvent(`imaging show ${canary}`, kpatel))).replies[0]!;
    expect(show.title).toBe(`Imaging request #${canary}`);
    expect(show.fields!.find((f) => f.label === 'Bot history')!.value).toContain('kpatel resubmitted (console)');
    const report = (await dispatch(dispatcher, commandEvent(`imaging triage ${canary}`, kpatel))).replies[0]!;
    expect(report.text.split('\n')[0]).toMatch(/^Bot triage: /);
    const triage = replyAsText(report);
    expect(triage).toContain('Username: mdelgado');
    expect(triage).toContain('IP Address: 149.165.157.40');
    expect(triage).toContain("AttributeError: 'NoneType' object has no attribute 'id'");
    expect(triage).toMatch(/kpatel: resubmitted \(console\)/);
    // The Triage button of an alert thread answers with the same report, to the clicker only.
    const clicked = (await dispatch(dispatcher, actionEvent('mr:triage', String(canary), kpatel))).replies[0]!;
    expect(clicked.visibility).toBe('ephemeral');
    expect(replyAsText(clicked).replace(/report generated .*/, '')).toBe(triage.replace(/report generated .*/, ''));
  });

  it('sends the whole report as a file when the traceback is long, the findings in the message', async () => {
    const canary = await requestId(t.deps.db, 'Jetstream Canary');
    const frames = String.raw`  File "/opt/env/atmo/local/lib/python2.7/site-packages/celery/app/trace.py", line 240, in trace_task\n    R = retval = fun(*args, **kwargs)\n`.repeat(90);
    const oldStatus = String.raw`(validating) - ERROR - AttributeError("'NoneType' object has no attribute 'id'",) Exception:'Traceback (most recent call last):\n` + frames + String.raw`AttributeError: \'NoneType\' object has no attribute \'id\'\n'`;
    await t.deps.db.update(machineRequest).set({ oldStatus }).where(eq(machineRequest.id, canary));
    const report = (await dispatch(dispatcher, commandEvent(`imaging triage ${canary}`, kpatel))).replies[0]!;
    expect(report.text).toContain('Reminder: the user should NOT delete instance');
    const [file] = report.files ?? [];
    expect(file?.name).toBe(`imaging-request-${canary}-triage.txt`);
    const text = new TextDecoder().decode(file!.data);
    expect(text).toContain('R = retval = fun(*args, **kwargs)\n  File "/opt/env/atmo/local/lib/python2.7/site-packages/celery/app/trace.py"');
    expect(text.split('R = retval').length - 1).toBe(90);
    expect(text).toContain('Username: mdelgado');
  });

  it('summarises a long status message in the detail and sends it whole, on real lines, as a file', async () => {
    const canary = await requestId(t.deps.db, 'Jetstream Canary');
    const frames = String.raw`  File "/opt/env/atmo/local/lib/python2.7/site-packages/celery/app/trace.py", line 240, in trace_task\n    R = retval = fun(*args, **kwargs)\n`.repeat(40);
    const oldStatus = String.raw`(validating) - ERROR - AttributeError("'NoneType' object has no attribute 'id'",) Exception:'Traceback (most recent call last):\n` + frames + String.raw`AttributeError: \'NoneType\' object has no attribute \'id\'\n'`;
    await t.deps.db.update(machineRequest).set({ oldStatus }).where(eq(machineRequest.id, canary));
    const show = (await dispatch(dispatcher, commandEvent(`imaging show ${canary}`, kpatel))).replies[0]!;
    const field = show.fields!.find((f) => f.label === 'Status message')!.value;
    expect(field).toMatch(/^validating: AttributeError: 'NoneType' object has no attribute 'id'\n\(\d+ characters; the whole status message, \d+ lines, is in the file imaging-request-\d+-status\.txt sent with this message\)$/);
    const [file] = show.files ?? [];
    expect(file?.name).toBe(`imaging-request-${canary}-status.txt`);
    const text = new TextDecoder().decode(file!.data);
    expect(text.split('R = retval = fun(*args, **kwargs)\n').length - 1).toBe(40);
    expect(text).not.toMatch(/\\n|\\'/);
    // A short one stays in the field, read as the file would be: real lines and quotes, no escapes.
    const hpc = await requestId(t.deps.db, 'HPC Benchmark Suite');
    const short = (await dispatch(dispatcher, commandEvent(`imaging show ${hpc}`, kpatel))).replies[0]!;
    expect(short.files).toBeUndefined();
    const shortField = short.fields!.find((f) => f.label === 'Status message')!.value;
    expect(shortField).toContain('Traceback (most recent call last):\n  File "/opt/env/atmo/local/lib/python2.7/site-packages/celery/app/trace.py"');
    expect(shortField).not.toMatch(/\\n|\\'/);
  });

  it('re-submits an errored request to pending through the gateway, once', async () => {
    const hpc = await requestId(t.deps.db, 'HPC Benchmark Suite');
    const first = await dispatch(dispatcher, actionEvent('mr:resubmit', `${hpc}:errored`, kpatel));
    expect(first.replies[0]!.text).toContain('Re-submitted imaging request');
    expect(await statusOf(t.deps.db, hpc)).toBe('pending');
    expect(first.updates[0]!.title).toBe('Imaging requests in error or stuck');
    const again = await dispatch(dispatcher, actionEvent('mr:resubmit', `${hpc}:errored`, mdelgado));
    expect(again.replies[0]!.text).toContain('already pending');
    const events = await listRequestEvents(t.deps.db, 'machine_request', [hpc]);
    expect(events.map((e) => e.action)).toEqual(['resubmitted']);
  });

  it('queues an approval while another request is imaging, and approves at once when the slot is free', async () => {
    const trinity = await requestId(t.deps.db, 'Trinity 2.11 RNA-Seq');
    const rstudio = await requestId(t.deps.db, 'RStudio 4.0 Bioconductor Workshop');
    const queued = await dispatch(dispatcher, commandEvent(`imaging approve ${trinity}`, kpatel));
    expect(queued.replies[0]!.text).toContain('queued at place 1');
    const second = await dispatch(dispatcher, actionEvent('mr:approve', `${rstudio}`, mdelgado));
    expect(second.replies[0]!.text).toContain('queued at place 2');
    expect(await statusOf(t.deps.db, trinity)).toBe('pending');
    const twice = await dispatch(dispatcher, actionEvent('mr:approve', `${trinity}`, mdelgado));
    expect(twice.replies[0]!.text).toContain('imaging queue at place 1');

    await freeImagingSlot(t.deps.db);
    expect(await advanceImagingQueue(t.deps)).toEqual({ approved: trinity });
    expect(await statusOf(t.deps.db, trinity)).toBe('started');
    expect(t.chat.posts[0]!.channel).toEqual({ platform: 'slack', channel: 'CALERTS' });
    expect(t.chat.posts[0]!.reply.text).toContain(`#${trinity}`);
    expect(await advanceImagingQueue(t.deps)).toEqual({ approved: null });
    expect((await listImagingQueue(t.deps.db)).map((q) => q.requestId)).toEqual([rstudio]);

    const events = await listRequestEventsSince(t.deps.db, 0, 10);
    expect(events.map((e) => `${e.recordId}:${e.action}`)).toEqual([`${trinity}:queued`, `${rstudio}:queued`, `${trinity}:auto-approved`]);
  });

  it('approves directly when nothing is imaging', async () => {
    await freeImagingSlot(t.deps.db);
    const genomics = await requestId(t.deps.db, 'Genomics Workshop 2021');
    const { replies } = await dispatch(dispatcher, actionEvent('mr:approve', `${genomics}:pending`, kpatel));
    expect(replies[0]!.text).toContain('Atmosphere starts imaging now');
    expect(await statusOf(t.deps.db, genomics)).toBe('started');
    const trinity = await requestId(t.deps.db, 'Trinity 2.11 RNA-Seq');
    const next = await dispatch(dispatcher, commandEvent(`imaging approve ${trinity}`, mdelgado));
    expect(next.replies[0]!.text).toContain(`#${genomics} (started) holds the imaging slot`);
  });

  it('reorders and cancels the queue', async () => {
    const ids = [await requestId(t.deps.db, 'Trinity 2.11 RNA-Seq'), await requestId(t.deps.db, 'RStudio 4.0 Bioconductor Workshop'), await requestId(t.deps.db, 'Genomics Workshop 2021')];
    for (const id of ids) await dispatch(dispatcher, commandEvent(`imaging approve ${id}`, kpatel));
    const moved = await dispatch(dispatcher, commandEvent(`imaging queue move ${ids[2]} 1`, mdelgado));
    expect(moved.replies[0]!.text).toContain(`Moved #${ids[2]} from place 3 to 1`);
    await dispatch(dispatcher, commandEvent(`imaging queue cancel ${ids[0]}`, mdelgado));
    expect((await listImagingQueue(t.deps.db)).map((q) => q.requestId)).toEqual([ids[2], ids[1]]);
    // Cancelled, it is pending again and can be approved afresh (a new decision round).
    const again = await dispatch(dispatcher, commandEvent(`imaging approve ${ids[0]}`, mdelgado));
    expect(again.replies[0]!.text).toContain('queued at place 3');
  });

  it('denies with a reason and tells staff Atmosphere sends no e-mail', async () => {
    const trinity = await requestId(t.deps.db, 'Trinity 2.11 RNA-Seq');
    const form = await dispatch(dispatcher, actionEvent('mr:deny', `${trinity}`, kpatel));
    expect(form.outcome.kind).toBe('form');
    const done = await dispatch(dispatcher, actionEvent('mr:deny', `${trinity}`, kpatel, { reason: 'Duplicate of #12' }));
    expect(done.replies[0]!.text).toContain('does NOT e-mail');
    expect(await statusOf(t.deps.db, trinity)).toBe('denied');
    expect(done.updates[0]!.buttons).toEqual([]);
  });

  it('refuses non-staff, self-approval and tampered values', async () => {
    const trinity = await requestId(t.deps.db, 'Trinity 2.11 RNA-Seq');
    const nonStaff = await dispatch(dispatcher, actionEvent('mr:approve', `${trinity}`, jsmith));
    expect(nonStaff.replies[0]!.text).toContain('Only Atmosphere staff');
    const canary = await requestId(t.deps.db, 'Jetstream Canary');
    await dispatch(dispatcher, commandEvent(`imaging resubmit ${canary}`, kpatel));
    const own = await dispatch(dispatcher, actionEvent('mr:approve', `${canary}`, mdelgado));
    expect(own.replies[0]!.text).toContain('is your own');
    for (const value of [`${trinity}:evil`, `-${trinity}`, 'abc', '99999999999', `${trinity};drop`]) {
      const tampered = await dispatch(dispatcher, actionEvent('mr:approve', value, kpatel));
      expect(tampered.replies[0]!.text).toContain('cannot accept');
    }
    expect(await statusOf(t.deps.db, trinity)).toBe('pending');
    expect(await listImagingQueue(t.deps.db)).toEqual([]);
    const pendingStill = await dispatch(dispatcher, commandEvent(`imaging approve ${canary}`, kpatel));
    expect(pendingStill.replies[0]!.text).toContain('queued at place 1');
  });
});
