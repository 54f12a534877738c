import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunCoordinator } from '../../src/jobs/run-coordinator.js';
import { createReconcileJob, RECONCILE_JOB, runReconcile } from '../../src/jobs/reconcile-job.js';
import { startScheduler, type Scheduler } from '../../src/jobs/scheduler.js';
import type { Deps } from '../../src/deps.js';
import { dbKinds, TEST_NOW } from '../support/databases.js';
import { createTestContext, type TestContext } from '../support/test-deps.js';
import { startFakeOpenStack, type FakeOpenStack } from '../fakes/openstack.js';
import { busiestProvider, cloudsFor, driftedCloud, ORPHAN } from '../handlers/reconcile/reconcile-scenario.js';

const week = (n: number) => new Date(TEST_NOW.getTime() + n * 7 * 86_400_000);

describe.each(dbKinds())('the weekly reconciliation on %s', (kind) => {
  let t: TestContext;
  let cloud: FakeOpenStack;
  let deps: Deps;
  let provider: { id: number; name: string };
  const schedulers: Scheduler[] = [];

  beforeEach(async () => {
    t = await createTestContext(kind, { env: { ALERT_CHANNEL: 'slack:CALERTS' } });
    provider = await busiestProvider(t.deps.db);
    cloud = await startFakeOpenStack();
    await driftedCloud(t.deps.db, cloud, provider.id);
    deps = { ...t.deps, openstack: cloudsFor(cloud, provider.id, t.deps.log) };
  }, 180_000);
  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((s) => s.stop()));
    await cloud.close();
    await t.database.drop();
  });

  /** A replica: its own coordinator and scheduler over the shared store, database and chat. */
  function replica(name: string): Scheduler {
    const coordinator = createRunCoordinator({ kv: deps.kv, db: deps.db, runner: name, log: deps.log });
    const scheduler = startScheduler({ jobs: [createReconcileJob(deps)], coordinator, log: deps.log, now: () => deps.now() });
    schedulers.push(scheduler);
    return scheduler;
  }

  it('posts once across two replicas, then edits the same message when the findings change', async () => {
    const [a, b] = [replica('replica-a'), replica('replica-b')];
    t.setNow(week(0));
    const outcomes = await Promise.all([a.runNow(RECONCILE_JOB), b.runNow(RECONCILE_JOB)]);
    expect(outcomes.sort()).toEqual(['ok', 'skipped']);
    expect(t.chat.posts).toHaveLength(1);
    const parent = t.chat.posts[0]!;
    expect(parent.channel).toEqual({ platform: 'slack', channel: 'CALERTS' });
    expect(parent.reply.visibility).toBe('channel');
    expect(parent.reply.text).toContain('1 orphan(s), 1 stale, 1 status mismatch(es), 2 quota drift(s)');
    expect(parent.reply.footer).toContain('this message is edited when the findings change');

    // Both replicas running their own slot the same week: the thread's claim keeps it to one message.
    t.setNow(week(1));
    const again = await Promise.all([runReconcile(deps, { now: week(1), slot: 'a' }), runReconcile(deps, { now: week(1), slot: 'b' })]);
    expect(again.map((m) => m!.get(provider.id))).toEqual(['unchanged', 'unchanged']);
    expect(t.chat.posts).toHaveLength(1);

    // Staff deleted the orphan: the next week edits the parent and says so in its thread.
    cloud.servers.delete(ORPHAN);
    t.setNow(week(2));
    expect(await a.runNow(RECONCILE_JOB)).toBe('ok');
    expect(t.chat.posts).toHaveLength(2);
    expect(t.chat.posts[1]!.thread).toEqual(parent.ref);
    expect(t.chat.posts[1]!.reply.text).toContain('4 finding(s) now (was 5)');
    const edit = t.chat.updates.at(-1)!;
    expect(edit.message).toEqual(parent.ref);
    expect(edit.reply.text).toContain('0 orphan(s), 1 stale');
  });

  it('opens a thread when the cloud cannot be read, and posts nothing without ALERT_CHANNEL or OpenStack', async () => {
    const refused = { ...deps, openstack: cloudsFor(cloud, provider.id, t.deps.log, { secret: 'wrong-secret-1234' }) };
    const outcome = await runReconcile(refused, { now: week(0), slot: week(0).toISOString() });
    expect(outcome!.get(provider.id)).toBe('opened');
    expect(t.chat.posts[0]!.reply.tone).toBe('danger');
    expect(JSON.stringify(t.chat.posts)).toContain(`Keystone of provider ${provider.id} refused the application credential (HTTP 401`);
    expect(JSON.stringify(t.chat.posts)).not.toContain('wrong-secret-1234');

    expect(await runReconcile({ ...deps, openstack: null }, { now: week(1), slot: 'x' })).toBeNull();
    const unset = await createTestContext(kind);
    try {
      expect(await runReconcile({ ...unset.deps, openstack: deps.openstack }, { now: week(1), slot: 'y' })).toBeNull();
    } finally {
      await unset.database.drop();
    }
    expect(t.chat.posts).toHaveLength(1);
  });
});
