import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../src/bot/chat/create-dispatcher.js';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { findInstances } from '../../../src/db/queries/instances.js';
import { getMachineRequest } from '../../../src/db/queries/machine-requests.js';
import { actionDefinitions, commandDefinitions } from '../../../src/handlers/index.js';
import { createFlowerClient } from '../../../src/integrations/flower/flower-client.js';
import { createMemoryStore } from '../../../src/integrations/kv/memory-store.js';
import { dbKinds } from '../../support/databases.js';
import { commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { startFakeFlower, type FakeFlower, type FakeFlowerTask } from '../../fakes/flower.js';
import { requestId } from '../imaging/imaging-support.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };
const TRACEBACK = 'Traceback (most recent call last):\n  File "/opt/env/atmo/local/lib/python2.7/site-packages/celery/app/trace.py", line 240, in trace_task\n  File "service/tasks/machine.py", line 212, in imaging_task\nCalledProcessError: qemu-nbd: Failed to open /dev/nbd1: No such file or directory';

describe.each(dbKinds())('Flower in the triage views on %s', (kind) => {
  let t: TestContext;
  let flower: FakeFlower | undefined;

  beforeAll(async () => {
    t = await createTestContext(kind);
  }, 180_000);
  afterAll(async () => {
    await t?.database.drop();
  });
  afterEach(async () => {
    await flower?.close();
    flower = undefined;
  });

  async function withFlower(tasks: FakeFlowerTask[], queues: { name: string; messages: number }[], options: { password?: string } = {}): Promise<Dispatcher> {
    flower = await startFakeFlower({ tasks, queues });
    const client = createFlowerClient({ baseUrl: flower.url, user: flower.user, password: options.password ?? flower.password, timeoutMs: 5_000, log: t.deps.log });
    return createDispatcher({ ...t.deps, flower: client, kv: createMemoryStore() }, commandDefinitions, actionDefinitions);
  }

  const task = (uuid: string, instance: string, overrides: Partial<FakeFlowerTask> = {}): FakeFlowerTask => ({
    uuid,
    name: 'service.tasks.driver.deploy_init_to',
    state: 'SUCCESS',
    worker: 'celery@atmo-worker2',
    args: `('OSDriver', 'identity', '${instance}')`,
    received: 1_763_900_000,
    started: 1_763_900_002,
    ...overrides,
  });
  const sectionsOf = (reply: { sections?: { text: string }[] }) => (reply.sections ?? []).map((section) => section.text).join('\n');

  it("shows the imaging request's failed Celery task with its traceback and worker, and the imaging queue next to the guide's warning", async () => {
    const id = await requestId(t.deps.db, 'Jetstream Canary');
    const instance = (await getMachineRequest(t.deps.db, id))!.instance.providerAlias;
    const dispatcher = await withFlower(
      [task('t-old', instance), task('t-fail', instance, { name: 'service.tasks.machine.imaging_task', worker: 'celery@atmo-imaging1', state: 'FAILURE', received: 1_763_900_500, started: 1_763_900_501, traceback: TRACEBACK }), task('t-other', 'another-instance')],
      [{ name: 'celery', messages: 0 }, { name: 'imaging', messages: 2 }],
    );
    const reply = (await dispatch(dispatcher, commandEvent(`imaging triage ${id}`, kpatel))).replies[0]!;
    const text = sectionsOf(reply);
    expect(text).toContain(`Celery tasks of the instance (Flower):\n(Flower, search "${instance}", read `);
    expect(text).toContain('FAILURE service.tasks.machine.imaging_task on celery@atmo-imaging1, received 2025-11-23 12:21 UTC, started 2025-11-23 12:21 UTC (task t-fail)');
    expect(text).toContain('Traceback (Flower, last lines): File "/opt/env/atmo/local/lib/python2.7/site-packages/celery/app/trace.py", line 240, in trace_task | File "service/tasks/machine.py", line 212, in imaging_task | CalledProcessError: qemu-nbd: Failed to open /dev/nbd1');
    expect(text).not.toContain('t-other');
    // Newest first: the failure above the earlier success.
    expect(text.indexOf('(task t-fail)')).toBeLessThan(text.indexOf('(task t-old)'));
    expect(text).toContain("Imaging queue (Flower):\nStaff guide: before restarting the imaging service, check in Flower that the `imaging` queue is empty.");
    expect(text).toMatch(/The `imaging` queue holds 2 messages \(Flower, GET \/api\/queues\/length, read .*\): do NOT restart the imaging service now\./);
    expect(flower!.calls.find((call) => call.path === '/flower/api/tasks')!.query).toEqual({ search: instance, limit: '10' });
  });

  it('says when the imaging queue is empty, and when Flower refuses the credentials, without failing the report', async () => {
    const id = await requestId(t.deps.db, 'Jetstream Canary');
    const empty = await withFlower([], [{ name: 'imaging', messages: 0 }]);
    const text = sectionsOf((await dispatch(empty, commandEvent(`imaging triage ${id}`, kpatel))).replies[0]!);
    expect(text).toContain('No Celery task mentions the instance');
    expect(text).toMatch(/The `imaging` queue is empty \(Flower, .*\): the guide's check before a restart is met\./);
    await flower!.close();

    const refused = await withFlower([], [], { password: 'not-the-flower-password' });
    const reply = (await dispatch(refused, commandEvent(`imaging triage ${id}`, kpatel))).replies[0]!;
    expect(reply.title).toBe(`Imaging request #${id}: triage report`);
    expect(sectionsOf(reply)).toContain('Could not ask Flower: Flower refused the credentials for GET /api/queues/length (HTTP 401); an operator should check FLOWER_USER and FLOWER_PASSWORD. Check the queue in Flower by hand before restarting anything.');
    expect(JSON.stringify(reply)).not.toContain('not-the-flower-password');
  });

  it("lists a stuck instance's Celery tasks in its view and report", async () => {
    const [vm] = await findInstances(t.deps.db, 'thesis-sim-02');
    const dispatcher = await withFlower([task('t-retry', vm!.uuid, { state: 'RETRY', exception: "DeploymentError('playbook failed')" })], []);
    const view = sectionsOf((await dispatch(dispatcher, commandEvent('instance thesis-sim-02', kpatel))).replies[0]!);
    expect(view).toContain('*Flower: Celery tasks of the instance*\n(Flower, search');
    expect(view).toContain('RETRY service.tasks.driver.deploy_init_to on celery@atmo-worker2');
    expect(view).toContain("Exception (Flower): DeploymentError('playbook failed')");
    const report = (await dispatch(dispatcher, commandEvent('instance report thesis-sim-02', kpatel))).replies[0]!.text;
    expect(report).toContain('- Flower: RETRY service.tasks.driver.deploy_init_to on celery@atmo-worker2');
    // One search for both: the second came from the evidence cache.
    expect(flower!.calls).toHaveLength(1);
  });

  it('does not ask Flower about a settled instance, nor without FLOWER_USER and FLOWER_PASSWORD', async () => {
    const dispatcher = await withFlower([], []);
    const [active] = (await findInstances(t.deps.db, 'intro-to-linux')).filter((row) => row.endDate === null);
    await dispatch(dispatcher, commandEvent(`instance ${active!.id}`, kpatel));
    expect(flower!.calls).toHaveLength(0);
    const id = await requestId(t.deps.db, 'Jetstream Canary');
    const plain = sectionsOf((await dispatch(t.dispatcher, commandEvent(`imaging triage ${id}`, kpatel))).replies[0]!);
    expect(plain).not.toContain('(Flower');
  });
});
