import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../src/bot/chat/create-dispatcher.js';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { findInstances, type InstanceRow } from '../../../src/db/queries/instances.js';
import { actionDefinitions, commandDefinitions } from '../../../src/handlers/index.js';
import { createOpenStackClouds } from '../../../src/integrations/openstack/openstack-clients.js';
import { createMemoryStore } from '../../../src/integrations/kv/memory-store.js';
import { dbKinds } from '../../support/databases.js';
import { commandEvent, createTestContext, dispatch, recordingIO, type TestContext } from '../../support/test-deps.js';
import { startFakeOpenStack, type FakeNovaServer, type FakeOpenStack } from '../../fakes/openstack.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };
const NO_HOST = { code: 500, message: 'No valid host was found. There are not enough hosts available.', details: 'Traceback (most recent call last):\n  File "nova/conductor/manager.py", line 1580, in schedule_and_build_instances', created: '2026-11-30T14:02:11Z' };

describe.each(dbKinds())('the instance views with Nova on %s', (kind) => {
  let t: TestContext;
  let cloud: FakeOpenStack | undefined;

  beforeAll(async () => {
    t = await createTestContext(kind);
  }, 180_000);
  afterAll(async () => {
    await t?.database.drop();
  });
  afterEach(async () => {
    await cloud?.close();
    cloud = undefined;
  });

  async function row(name: string): Promise<InstanceRow> {
    const [found] = await findInstances(t.deps.db, name);
    return found!;
  }

  /** A dispatcher whose OpenStack has a cloud for `providerId` only, with the given servers. */
  async function withCloud(providerId: number, servers: Record<string, FakeNovaServer>, options: { secret?: string; timeoutMs?: number } = {}): Promise<Dispatcher> {
    cloud = await startFakeOpenStack({ servers });
    const openstack = createOpenStackClouds({
      clouds: [{ providerId, authUrl: cloud.authUrl, applicationCredentialId: cloud.credentialId, applicationCredentialSecret: options.secret ?? cloud.credentialSecret, regionName: undefined, interface: 'public' }],
      log: t.deps.log,
      timeoutMs: options.timeoutMs ?? 5_000,
    });
    return createDispatcher({ ...t.deps, openstack, kv: createMemoryStore() }, commandDefinitions, actionDefinitions);
  }

  const body = (reply: { sections?: { text: string }[] }) => (reply.sections ?? []).map((section) => section.text).join('\n');

  it("shows Nova's fault for an errored instance, reads it as the cloud near capacity, and puts it in the report with its source", async () => {
    const vm = await row('gpu-test');
    const dispatcher = await withCloud(vm.providerId, { [vm.uuid]: { status: 'ERROR', vmState: 'error', powerState: 0, fault: NO_HOST } });
    const view = (await dispatch(dispatcher, commandEvent('instance gpu-test', kpatel))).replies[0]!;
    expect(view.title).toBe(`Instance #${vm.id} "gpu-test": no valid host (cloud near capacity)`);
    const text = body(view);
    expect(text).toContain(`*Nova next to Atmosphere*\n(Nova of provider ${vm.providerId}, read `);
    expect(text).toContain('Nova: ERROR (vm error, no task, power NOSTATE (0))');
    expect(text).toMatch(/Atmosphere: error since \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(text).toContain('Nova and Atmosphere agree.');
    expect(text).toContain('Fault (Nova): No valid host was found. There are not enough hosts available. (code 500, recorded 2026-11-30 14:02 UTC)');
    expect(text).toContain('Reading (staff guide): the cloud is near capacity');
    expect(text).toContain('Fault details (Nova): Traceback (most recent call last)');
    expect(text).not.toContain(`nova show ${vm.uuid}`);
    const call = cloud!.calls.find((entry) => entry.path === `/compute/v2.1/servers/${vm.uuid}`)!;
    expect(call.headers['openstack-api-version']).toBe('compute 2.1');

    const report = (await dispatch(dispatcher, commandEvent(`instance report ${vm.id}`, kpatel))).replies[0]!.text;
    expect(report).toContain(`Fault message from nova: No valid host was found. There are not enough hosts available. (code 500, recorded 2026-11-30 14:02 UTC) [from Nova, provider ${vm.providerId}]`);
    expect(report).toContain(`- Nova: ERROR (vm error, no task, power NOSTATE (0)) (Nova of provider ${vm.providerId}, read `);
    expect(report).toContain("- Reading of Nova's fault (staff guide): the cloud is near capacity");
    // The report came from the cache: Nova was asked once for both.
    expect(cloud!.calls.filter((entry) => entry.path.startsWith('/compute/'))).toHaveLength(1);
  });

  it('calls out a mismatch: Atmosphere shows a deploy error, Nova has the server powered off', async () => {
    const vm = await row('docker-dev');
    const dispatcher = await withCloud(vm.providerId, { [vm.uuid]: { status: 'SHUTOFF', vmState: 'stopped', powerState: 4 } });
    const text = body((await dispatch(dispatcher, commandEvent('instance docker-dev', kpatel))).replies[0]!);
    expect(text).toContain('Nova: SHUTOFF (vm stopped, no task, power SHUTDOWN (4))');
    expect(text).toContain('Mismatch: Atmosphere shows deploy_error / deploy_error, Nova says SHUTOFF. The server is powered off on the cloud.');
    const report = (await dispatch(dispatcher, commandEvent('instance report docker-dev', kpatel))).replies[0]!.text;
    expect(report).toContain('- Mismatch between Nova and Atmosphere: Atmosphere shows deploy_error / deploy_error, Nova says SHUTOFF.');
    // Nova records no fault for a powered-off server; the deploy error is Atmosphere's, and says so.
    expect(report).toMatch(/Fault message from nova: Deployment failed: .* \[recorded by Atmosphere\]\n/);
  });

  it('says the record is stale when Nova no longer has the server', async () => {
    const vm = await row('thesis-sim-02');
    const dispatcher = await withCloud(vm.providerId, {});
    const text = body((await dispatch(dispatcher, commandEvent('instance thesis-sim-02', kpatel))).replies[0]!);
    expect(text).toContain(`Nova: no server ${vm.uuid} (404)`);
    expect(text).toContain('Mismatch: Atmosphere shows the instance deploying / deploying, but Nova has no such server: the record is stale');
  });

  it('shows a refused credential and a timeout in the view, with the command to run by hand, and keeps the rest of the view', async () => {
    const vm = await row('gpu-test');
    const refused = await withCloud(vm.providerId, {}, { secret: 'wrong-secret-of-the-bot' });
    const view = (await dispatch(refused, commandEvent('instance gpu-test', kpatel))).replies[0]!;
    expect(view.title).toBe(`Instance #${vm.id} "gpu-test": error on the cloud`);
    expect(body(view)).toContain(`Could not ask Nova of provider ${vm.providerId}: Keystone of provider ${vm.providerId} refused the application credential (HTTP 401`);
    expect(body(view)).toContain(`Run by hand: \`nova show ${vm.uuid}\``);
    expect(body(view)).toContain('*Timeline*');
    expect(JSON.stringify(view)).not.toContain('wrong-secret-of-the-bot');
    await cloud!.close();

    const slow = await withCloud(vm.providerId, { [vm.uuid]: { status: 'ERROR', fault: NO_HOST } }, { timeoutMs: 300 });
    cloud!.delayNext('/compute/', 3_000);
    const started = Date.now();
    const late = (await dispatch(slow, commandEvent('instance gpu-test', kpatel))).replies[0]!;
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(body(late)).toContain(`Could not ask Nova of provider ${vm.providerId}: could not reach OpenStack of provider ${vm.providerId} for GET /servers/${vm.uuid}: waited 300 ms`);
    // A failure is not cached: the next view asks again and gets the fault.
    expect(body((await dispatch(slow, commandEvent('instance gpu-test', kpatel))).replies[0]!)).toContain('Fault (Nova): No valid host was found.');
  });

  it('answers without a slow Nova within EVIDENCE_WAIT_MS, then edits that answer into the whole view when Nova answers', async () => {
    const vm = await row('gpu-test');
    cloud = await startFakeOpenStack({ servers: { [vm.uuid]: { status: 'ERROR', fault: NO_HOST } } });
    const openstack = createOpenStackClouds({
      clouds: [{ providerId: vm.providerId, authUrl: cloud.authUrl, applicationCredentialId: cloud.credentialId, applicationCredentialSecret: cloud.credentialSecret, regionName: undefined, interface: 'public' }],
      log: t.deps.log,
      timeoutMs: 5_000,
    });
    const config = { ...t.deps.config, EVIDENCE_WAIT_MS: 200 };
    const dispatcher = createDispatcher({ ...t.deps, config, openstack, kv: createMemoryStore() }, commandDefinitions, actionDefinitions);
    cloud.delayNext('/compute/', 1_000);
    const { io, replies, edits } = recordingIO({ editable: true });
    await dispatcher.handle(commandEvent('instance gpu-test', kpatel), io);
    expect(replies).toHaveLength(1);
    expect(body(replies[0]!)).toContain('Still asking Nova: its answer is added when it arrives.');
    expect(edits).toHaveLength(1);
    expect(edits[0]!.title).toBe(`Instance #${vm.id} "gpu-test": no valid host (cloud near capacity)`);
    expect(body(edits[0]!)).toContain('Fault (Nova): No valid host was found.');
    expect(body(edits[0]!)).not.toContain('Still asking');
    expect(edits[0]!.footer).toMatch(/^Completed \d{4}-\d\d-\d\d \d\d:\d\d UTC with the late evidence\.$/);
  });

  it('answers without a slow Nova within EVIDENCE_WAIT_MS, then sends the whole view when its answer cannot be edited', async () => {
    const vm = await row('gpu-test');
    cloud = await startFakeOpenStack({ servers: { [vm.uuid]: { status: 'ERROR', fault: NO_HOST } } });
    const openstack = createOpenStackClouds({
      clouds: [{ providerId: vm.providerId, authUrl: cloud.authUrl, applicationCredentialId: cloud.credentialId, applicationCredentialSecret: cloud.credentialSecret, regionName: undefined, interface: 'public' }],
      log: t.deps.log,
      timeoutMs: 5_000,
    });
    const config = { ...t.deps.config, EVIDENCE_WAIT_MS: 200 };
    const dispatcher = createDispatcher({ ...t.deps, config, openstack, kv: createMemoryStore() }, commandDefinitions, actionDefinitions);
    cloud.delayNext('/compute/', 1_000);
    const { replies } = await dispatch(dispatcher, commandEvent('instance gpu-test', kpatel));
    expect(replies).toHaveLength(2);
    expect(body(replies[0]!)).toContain('Still asking Nova: its answer is added when it arrives.');
    expect(body(replies[0]!)).toContain(`Fault: \`nova show ${vm.uuid}\``);
    expect(replies[1]!.title).toBe(`Instance #${vm.id} "gpu-test": no valid host (cloud near capacity) (with the late evidence)`);
    expect(body(replies[1]!)).toContain('Fault (Nova): No valid host was found.');
  });

  it('stays as before for a provider OPENSTACK_CLOUDS does not name: the nova show command, no Nova section', async () => {
    const vm = await row('gpu-test');
    const dispatcher = await withCloud(vm.providerId + 1000, {});
    const view = (await dispatch(dispatcher, commandEvent('instance gpu-test', kpatel))).replies[0]!;
    expect(body(view)).toContain(`Fault: \`nova show ${vm.uuid}\``);
    expect(body(view)).not.toContain('Nova next to Atmosphere');
    expect(cloud!.calls).toHaveLength(0);
    const report = (await dispatch(dispatcher, commandEvent('instance report gpu-test', kpatel))).replies[0]!.text;
    expect(report).toContain(`Fault message from nova: (none recorded by Atmosphere; run: nova show ${vm.uuid})`);
  });
});
