import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { createTestContext, type TestContext } from '../../support/test-deps.js';
import { runAlertScan } from '../../../src/jobs/alert-scan-job.js';
import { ALERT_CLAIM_LEASE_MS } from '../../../src/jobs/alerts/sync-alert-thread.js';
import { claimAlertThread, claimThreadUpdate, findAlertThread } from '../../../src/db/queries/alert-threads.js';
import { recordRequestEvent } from '../../../src/db/queries/request-events.js';
import { enqueueImagingRequest, removeQueuedRequest } from '../../../src/db/queries/imaging-queue.js';
import { machineRequestId, processingError, setMachineRequest } from './mutate-requests.js';

const MINUTE = 60_000;

describe.each(dbKinds())('imaging alert threads on %s', (kind) => {
  let t: TestContext;
  let clock = TEST_NOW;
  let tickNo = 0;

  beforeAll(async () => {
    t = await createTestContext(kind, { env: { ALERT_CHANNEL: 'console:alerts', IMAGING_STUCK_MINUTES: '120' } });
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  /** One tick at `clock + minutes`; returns what it posted and edited. */
  async function tick(minutes = 1) {
    clock = new Date(clock.getTime() + minutes * MINUTE);
    t.setNow(clock);
    const posts = t.chat.posts.length;
    const updates = t.chat.updates.length;
    await runAlertScan(t.deps, { now: clock, slot: `slot-${++tickNo}` });
    return { posts: t.chat.posts.slice(posts), updates: t.chat.updates.slice(updates) };
  }

  const parentsOf = (recordId: number) => t.chat.posts.filter((p) => !p.thread && p.reply.title?.startsWith(`Imaging request #${recordId}:`));

  it('opens one thread per errored or stuck request, with category, next steps and buttons', async () => {
    const { posts } = await tick(0);
    const titles = posts.map((p) => p.reply.title).sort();
    expect(titles).toHaveLength(6);
    expect(posts.every((p) => p.thread === undefined && p.channel.channel === 'alerts')).toBe(true);
    const canary = await machineRequestId(t.deps.db, 'Jetstream Canary');
    const parent = parentsOf(canary)[0]!.reply;
    expect(parent.title).toBe(`Imaging request #${canary}: imaging cache problem`);
    expect(parent.fields?.find((f) => f.label === 'Next steps')?.value).toMatch(/^1\. /);
    expect(parent.fields?.find((f) => f.label === 'Last error')?.value).toContain("'NoneType' object has no attribute 'id'");
    expect(parent.buttons).toEqual([
      { label: 'Triage', action: 'mr:triage', value: String(canary) },
      { label: 'Re-submit', action: 'mr:resubmit', value: String(canary), style: 'primary' },
    ]);
    const stuck = await machineRequestId(t.deps.db, 'Thesis MPI Environment');
    expect(parentsOf(stuck)[0]!.reply.title).toBe(`Imaging request #${stuck}: stuck in started`);
    // Imaging for 50 minutes: not stuck yet; nothing about the healthy or pending ones either.
    expect(parentsOf(await machineRequestId(t.deps.db, 'Ubuntu 18.04 NoGUI Base'))).toHaveLength(0);
  });

  it('posts nothing on ticks where nothing changed', async () => {
    expect(await tick()).toEqual({ posts: [], updates: [] });
    expect(await tick()).toEqual({ posts: [], updates: [] });
  });

  it('follows a request through re-submit, approval, processing, a new error and completion in one thread', async () => {
    const id = await machineRequestId(t.deps.db, 'Jetstream Canary');
    const parentRef = parentsOf(id)[0]!.ref;

    await setMachineRequest(t.deps.db, id, 'pending');
    await recordRequestEvent(t.deps.db, { subject: 'machine_request', recordId: id, at: clock, actor: 'kpatel', platform: 'slack', action: 'resubmitted' });
    let step = await tick();
    expect(step.posts).toHaveLength(1);
    expect(step.posts[0]!.thread).toEqual(parentRef);
    expect(step.posts[0]!.reply.text).toMatch(/^kpatel re-submitted it on slack at .*\nRe-submitted: waiting for approval\.$/);
    expect(step.updates).toHaveLength(1);
    expect(step.updates[0]!.message).toEqual(parentRef);
    expect(step.updates[0]!.reply.title).toBe(`Imaging request #${id}: waiting for approval`);
    // Waiting for approval again: Approve is on the parent.
    expect(step.updates[0]!.reply.buttons?.map((b) => b.action)).toEqual(['mr:triage', 'mr:approve']);

    // Approved while the slot is busy, it waits in the queue: the parent says so and drops Approve.
    await enqueueImagingRequest(t.deps.db, { requestId: id, queuedBy: 'kpatel', platform: 'slack', queuedAt: clock });
    step = await tick();
    expect(step.posts).toHaveLength(0);
    expect(step.updates).toHaveLength(1);
    expect(step.updates[0]!.reply.title).toBe(`Imaging request #${id}: queued for the imaging slot`);
    expect(step.updates[0]!.reply.fields?.find((f) => f.label === 'Status')?.value).toMatch(/^pending, queued: place \d+ in the imaging queue/);
    expect(step.updates[0]!.reply.buttons?.map((b) => b.action)).toEqual(['mr:triage']);
    await removeQueuedRequest(t.deps.db, id);

    await setMachineRequest(t.deps.db, id, 'started', 'processing - 6f1c');
    step = await tick();
    expect(step.posts.map((p) => p.reply.text)).toEqual(['Imaging started.']);
    await setMachineRequest(t.deps.db, id, 'processing', 'processing - 6f1c');
    step = await tick();
    expect(step.posts.map((p) => p.reply.text)).toEqual(['Processing: the new image is in Glance; its records are being created.']);

    await setMachineRequest(t.deps.db, id, 'processing', processingError('second failure'));
    step = await tick();
    expect(step.posts).toHaveLength(1);
    expect(step.posts[0]!.reply.text).toMatch(/^Errored again \(imaging cache problem\)/);
    expect(step.updates[0]!.reply.title).toBe(`Imaging request #${id}: imaging cache problem`);

    await setMachineRequest(t.deps.db, id, 'completed', 'completed');
    step = await tick();
    expect(step.posts.map((p) => p.reply.text)).toEqual(['Completed: the new image is ready. Resolved.']);
    expect(step.updates[0]!.reply.title).toBe(`Imaging request #${id}: completed (resolved)`);
    expect(step.updates[0]!.reply.buttons).toBeUndefined();
    expect((await findAlertThread(t.deps.db, 'machine_request', id))?.state).toBe('resolved');

    expect(await tick()).toEqual({ posts: [], updates: [] });
    expect(parentsOf(id)).toHaveLength(1);
  });

  it('reopens the same thread when a resolved request errors again', async () => {
    const id = await machineRequestId(t.deps.db, 'Jetstream Canary');
    await setMachineRequest(t.deps.db, id, 'processing', processingError('after completion'));
    const step = await tick();
    expect(step.posts).toHaveLength(1);
    expect(step.posts[0]!.thread).toEqual(parentsOf(id)[0]!.ref);
    expect(step.posts[0]!.reply.text).toMatch(/^Reopened\. Errored again/);
    expect(parentsOf(id)).toHaveLength(1);
    expect((await findAlertThread(t.deps.db, 'machine_request', id))?.state).toBe('open');
  });

  it('opens a thread when a running request becomes stuck, timed from when it started', async () => {
    const id = await machineRequestId(t.deps.db, 'Ubuntu 18.04 NoGUI Base');
    expect((await tick(60)).posts).toHaveLength(0);
    const step = await tick(60);
    expect(step.posts.map((p) => p.reply.title)).toEqual([`Imaging request #${id}: stuck in started`]);
  });

  it('retries a parent whose claim was never posted only after the lease, and posts it once', async () => {
    const id = await machineRequestId(t.deps.db, 'QIIME2 2021.2');
    // A runner claimed the thread and crashed before posting.
    await claimAlertThread(t.deps.db, {
      subject: 'machine_request', recordId: id, channel: 'console:alerts', token: 'crashed', now: clock,
      state: 'open', status: 'processing', oldStatus: null, category: 'in-progress', fingerprint: 'x', lastEventId: 0,
    });
    await setMachineRequest(t.deps.db, id, 'processing', processingError('qiime'));
    expect((await tick()).posts).toHaveLength(0);
    const step = await tick(ALERT_CLAIM_LEASE_MS / MINUTE);
    expect(step.posts.map((p) => p.reply.title)).toEqual([`Imaging request #${id}: imaging cache problem`]);
    expect(await tick()).toEqual({ posts: [], updates: [] });
  });

  it('posts an update claimed by a crashed runner once, after the lease', async () => {
    const id = await machineRequestId(t.deps.db, 'QIIME2 2021.2');
    const thread = (await findAlertThread(t.deps.db, 'machine_request', id))!;
    await setMachineRequest(t.deps.db, id, 'closed');
    expect(await claimThreadUpdate(t.deps.db, thread.id, thread, 'crashed', clock, new Date(0))).toBe(true);
    expect((await tick()).posts).toHaveLength(0);
    const step = await tick(ALERT_CLAIM_LEASE_MS / MINUTE);
    expect(step.posts.map((p) => p.reply.text)).toEqual(['Closed. Resolved.']);
    expect(await tick()).toEqual({ posts: [], updates: [] });
  });
});
