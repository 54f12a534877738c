import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../src/bot/chat/create-dispatcher.js';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { PROCESSING_IMAGE } from '../../../src/db/demo/demo-catalogue.js';
import { getMachineRequest, type MachineRequestView } from '../../../src/db/queries/machine-requests.js';
import { actionDefinitions, commandDefinitions } from '../../../src/handlers/index.js';
import { createMemoryStore } from '../../../src/integrations/kv/memory-store.js';
import { EVIDENCE_TTL_MS } from '../../../src/integrations/kv/keys.js';
import { createOpenStackClouds } from '../../../src/integrations/openstack/openstack-clients.js';
import { dbKinds } from '../../support/databases.js';
import { commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { startFakeOpenStack, type FakeGlanceImage, type FakeNovaServer, type FakeOpenStack } from '../../fakes/openstack.js';
import { requestId } from '../imaging/imaging-support.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };

describe.each(dbKinds())('the cloud in the imaging triage on %s', (kind) => {
  let t: TestContext;
  let cloud: FakeOpenStack | undefined;
  let id: number;
  let request: MachineRequestView;

  beforeAll(async () => {
    t = await createTestContext(kind);
    id = await requestId(t.deps.db, 'Jetstream Canary');
    request = (await getMachineRequest(t.deps.db, id))!;
  }, 180_000);
  afterAll(async () => {
    await t?.database.drop();
  });
  afterEach(async () => {
    await cloud?.close();
    cloud = undefined;
  });

  async function withCloud(servers: Record<string, FakeNovaServer>, images: Record<string, FakeGlanceImage>, kv = createMemoryStore()): Promise<Dispatcher> {
    cloud = await startFakeOpenStack({ servers, images });
    const openstack = createOpenStackClouds({
      clouds: [{ providerId: request.provider.id, authUrl: cloud.authUrl, applicationCredentialId: cloud.credentialId, applicationCredentialSecret: cloud.credentialSecret, regionName: undefined, interface: 'public' }],
      log: t.deps.log,
    });
    return createDispatcher({ ...t.deps, openstack, kv }, commandDefinitions, actionDefinitions);
  }
  const sections = async (dispatcher: Dispatcher) => ((await dispatch(dispatcher, commandEvent(`imaging triage ${id}`, kpatel))).replies[0]!.sections ?? []).map((section) => section.text).join('\n');

  it("shows the imaged instance's server in Nova and the new image's status in Glance, with what the status means", async () => {
    const dispatcher = await withCloud({ [request.instance.providerAlias]: { status: 'ACTIVE', powerState: 1 } }, { [PROCESSING_IMAGE]: { status: 'killed', visibility: 'private' } });
    const text = await sections(dispatcher);
    expect(text).toContain(`The cloud (Nova, Glance):\n(OpenStack of provider ${request.provider.id}, read `);
    expect(text).toContain("Imaged instance's server (Nova): ACTIVE (vm active, no task, power RUNNING (1))");
    expect(text).toContain(`New image ${PROCESSING_IMAGE} (Glance): killed: the upload failed in Glance: the image data is unusable.`);
  });

  it('asks Nova and Glance once for two triages within EVIDENCE_TTL_MS, again after it, and keeps no Glance failure', async () => {
    let clock = Date.now();
    const dispatcher = await withCloud({ [request.instance.providerAlias]: { status: 'ACTIVE', powerState: 1 } }, { [PROCESSING_IMAGE]: { status: 'saving', visibility: 'private' } }, createMemoryStore(() => clock));
    const glance = () => cloud!.calls.filter((call) => call.path === `/image/v2/images/${PROCESSING_IMAGE}`).length;
    const nova = () => cloud!.calls.filter((call) => call.path.startsWith('/compute/')).length;
    expect(await sections(dispatcher)).toContain('(Glance): saving');
    cloud!.images.get(PROCESSING_IMAGE)!.status = 'active';
    expect(await sections(dispatcher)).toContain('(Glance): saving');
    expect([glance(), nova()]).toEqual([1, 1]);
    clock += EVIDENCE_TTL_MS + 1;
    expect(await sections(dispatcher)).toContain('(Glance): active');
    expect([glance(), nova()]).toEqual([2, 2]);
    clock += EVIDENCE_TTL_MS + 1;
    cloud!.failNext('/image/', 503);
    expect(await sections(dispatcher)).toContain(`Could not ask Glance about the new image ${PROCESSING_IMAGE}`);
    expect(await sections(dispatcher)).toContain('(Glance): active');
    expect(glance()).toBe(4);
  });

  it('says when the server is gone from Nova and the image from Glance', async () => {
    const text = await sections(await withCloud({}, {}));
    expect(text).toContain(`Nova has no server ${request.instance.providerAlias}: the instance being imaged was deleted on the cloud`);
    expect(text).toContain(`Glance has no image ${PROCESSING_IMAGE}`);
  });

  it('leaves the triage as it was without OpenStack for the provider', async () => {
    const text = await sections(t.dispatcher);
    expect(text).not.toContain('The cloud (Nova, Glance)');
  });
});
