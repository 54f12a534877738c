import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isNull } from 'drizzle-orm';
import { application } from '../../../src/db/atmosphere-schema.js';
import { createDispatcher } from '../../../src/bot/chat/create-dispatcher.js';
import { actionDefinitions, commandDefinitions } from '../../../src/handlers/index.js';
import { createOpenStackClouds } from '../../../src/integrations/openstack/openstack-clients.js';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { startFakeOpenStack, type FakeOpenStack } from '../../fakes/openstack.js';
import { insertImage, providerIdOf } from './image-scenario.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };
const TUCSON = 'CyVerse Cloud - Tucson';
const IU = 'Jetstream - Indiana University';

describe.each(dbKinds())('images replicas on %s', (kind) => {
  let t: TestContext;
  let glance: FakeOpenStack;
  let tucson: number;
  let iu: number;
  let complete: Awaited<ReturnType<typeof insertImage>>;
  let missing: Awaited<ReturnType<typeof insertImage>>;
  let broken: Awaited<ReturnType<typeof insertImage>>;
  let gone: Awaited<ReturnType<typeof insertImage>>;

  beforeEach(async () => {
    t = await createTestContext(kind, { env: { IMAGE_MASTER_PROVIDER: TUCSON, IMAGE_REPLICA_PROVIDERS: IU } });
    // Only this scenario's applications are current: the demo catalogue is end-dated.
    await t.deps.db.update(application).set({ endDate: new Date(TEST_NOW.getTime() - 3_600_000) }).where(isNull(application.endDate));
    tucson = await providerIdOf(t.deps.db, TUCSON);
    iu = await providerIdOf(t.deps.db, IU);
    complete = await insertImage(t.deps.db, { name: 'Complete Everywhere', owner: 'kpatel', providers: [TUCSON, IU] });
    missing = await insertImage(t.deps.db, { name: 'Never Copied', owner: 'kpatel', providers: [TUCSON] });
    broken = await insertImage(t.deps.db, { name: 'Half Copied', owner: 'dchen', providers: [TUCSON, IU] });
    gone = await insertImage(t.deps.db, { name: 'Deleted On Replica', owner: 'dchen', providers: [TUCSON, IU] });
    await insertImage(t.deps.db, { name: 'Replica Only', owner: 'dchen', providers: [IU] });
    glance = await startFakeOpenStack({
      images: {
        [complete.glance[IU]!]: { status: 'active', visibility: 'public' },
        [broken.glance[IU]!]: { status: 'killed', visibility: 'public' },
      },
    });
  });
  afterEach(async () => {
    await glance.close();
    await t.database.drop();
  });

  it('lists the version missing on the replica with the sync command filled in, from the configured defaults', async () => {
    const reply = (await dispatch(t.dispatcher, commandEvent('images replicas', kpatel))).replies[0]!;
    expect(reply.title).toBe(`Image replicas: ${TUCSON} (${tucson}) to ${IU} (${iu})`);
    expect(reply.text).toContain(`1 version(s) missing on ${IU} (${iu})`);
    expect(reply.text).toContain('Glance was not checked');
    const text = reply.sections!.map((s) => s.text).join('\n');
    expect(text).toContain(`#${missing.applicationId} "Never Copied": version "1.0" (${missing.versionId})`);
    expect(text).not.toContain('Half Copied');
    expect(text).not.toContain('Replica Only');
    expect(text).toContain(`/opt/dev/atmosphere/scripts/application_sync_providers.py ${tucson} ${iu} --limit-app-ids ${missing.applicationId}`);
    expect(text).toContain('export DJANGO_SETTINGS_MODULE=atmosphere.settings');
  });

  it('with OpenStack, finds the copies recorded on the replica but missing or not active in Glance, with the clean-up steps', async () => {
    const openstack = createOpenStackClouds({
      clouds: [{ providerId: iu, authUrl: glance.authUrl, applicationCredentialId: glance.credentialId, applicationCredentialSecret: glance.credentialSecret, regionName: undefined, interface: 'public' }],
      log: t.deps.log,
    });
    const dispatcher = createDispatcher({ ...t.deps, openstack }, commandDefinitions, actionDefinitions);
    const reply = (await dispatch(dispatcher, commandEvent(`images replicas --master ${tucson} --replicas "${IU}"`, kpatel))).replies[0]!;
    expect(reply.text).toContain('3 problem(s)');
    const sections = reply.sections!.map((s) => s.text);
    const killed = sections.find((s) => s.includes('"Half Copied"'))!;
    expect(killed).toContain(`image ${broken.glance[IU]}: Glance status "killed"`);
    expect(killed).toContain(`openstack image delete ${broken.glance[IU]}`);
    expect(killed).toContain(`bad_version = ApplicationVersion.objects.get(id="${broken.versionId}")`);
    expect(killed).toContain(`InstanceSource.objects.filter(identifier="${broken.glance[IU]}", provider__id=${iu}).delete()`);
    const deleted = sections.find((s) => s.includes('"Deleted On Replica"'))!;
    expect(deleted).toContain('missing in Glance');
    expect(deleted).toContain(`already gone from the replica's cloud (provider ${iu})`);
    expect(sections.some((s) => s.includes('"Complete Everywhere"'))).toBe(false);
    const ids = [missing.applicationId, broken.applicationId, gone.applicationId].sort((a, b) => a - b).join(' ');
    expect(sections.at(-1)).toContain(`application_sync_providers.py ${tucson} ${iu} --limit-app-ids ${ids}`);
    // Only the replica's copies of versions on the master were looked up.
    expect(glance.calls.filter((c) => c.method === 'GET').map((c) => c.path.split('/').pop()).sort()).toEqual([complete.glance[IU], broken.glance[IU], gone.glance[IU]].sort());
  });

  it('says when everything is complete', async () => {
    const reply = (await dispatch(t.dispatcher, commandEvent(`images replicas --master ${iu} --replicas ${tucson}`, kpatel))).replies[0]!;
    // "Replica Only" is on IU alone: it is missing on Tucson, and the other three are complete there.
    expect(reply.text).toContain(`1 version(s) missing on ${TUCSON}`);
    await t.deps.db.update(application).set({ endDate: TEST_NOW }).where(isNull(application.endDate));
    const none = (await dispatch(t.dispatcher, commandEvent(`images replicas --master ${iu} --replicas ${tucson}`, kpatel))).replies[0]!;
    expect(none.text).toContain('Every application current on the master is complete on each replica.');
  });

  it('refuses a master named as a replica and an unknown provider, saying what is known', async () => {
    const same = (await dispatch(t.dispatcher, commandEvent(`images replicas --master ${tucson} --replicas ${tucson}`, kpatel))).replies[0]!;
    expect(same.text).toContain('cannot be both the master and a replica');
    const unknown = (await dispatch(t.dispatcher, commandEvent('images replicas --master Nowhere', kpatel))).replies[0]!;
    expect(unknown.text).toContain('There is no provider "Nowhere"');
    expect(unknown.text).toContain(`${iu} (${IU})`);
  });
});
