import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { application } from '../../../src/db/atmosphere-schema.js';
import { createDispatcher } from '../../../src/bot/chat/create-dispatcher.js';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { actionDefinitions, commandDefinitions } from '../../../src/handlers/index.js';
import { createRestGateway } from '../../../src/integrations/atmosphere/rest-gateway.js';
import { createReadOnlyGateway } from '../../../src/integrations/atmosphere/read-only-gateway.js';
import { createOpenStackClouds } from '../../../src/integrations/openstack/openstack-clients.js';
import { requireStatusTypeId } from '../../../src/db/queries/statuses.js';
import { recentAudit } from '../../../src/db/queries/audit.js';
import type { Deps } from '../../../src/deps.js';
import { dbKinds } from '../../support/databases.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { startFakeAtmosphereApi, type FakeAtmosphereApi } from '../../fakes/atmosphere-api.js';
import { startFakeOpenStack, type FakeOpenStack } from '../../fakes/openstack.js';
import { catalogueFrom, insertImage, isPrivate, providerIdOf } from './image-scenario.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };
const TUCSON = 'CyVerse Cloud - Tucson';
const TACC = 'Jetstream - TACC';

describe.each(dbKinds())('image publish on %s', (kind) => {
  let t: TestContext;
  let api: FakeAtmosphereApi;
  let clouds: Record<string, FakeOpenStack>;
  let image: { applicationId: number; versionId: string; glance: Record<string, string> };
  /** Every call to Glance or Atmosphere, in the order they arrived. */
  let order: string[];

  beforeEach(async () => {
    t = await createTestContext(kind);
    image = await insertImage(t.deps.db, { name: 'Galaxy 21.01 Workshop', owner: 'dchen', providers: [TUCSON, TACC], private: true });
    order = [];
    clouds = {};
    for (const location of [TUCSON, TACC]) {
      clouds[location] = await startFakeOpenStack({ images: { [image.glance[location]!]: { status: 'active', visibility: 'private' } } });
    }
    api = await startFakeAtmosphereApi({ catalogue: await catalogueFrom(t.deps.db) });
    api.onChange = async (call) => {
      order.push(`atmosphere ${call.method} ${call.path}`);
      if (call.change?.kind === 'application_public') await t.deps.db.update(application).set({ private: false }).where(eq(application.id, call.change.applicationId));
    };
  });
  afterEach(async () => {
    await api.close();
    for (const cloud of Object.values(clouds)) await cloud.close();
    await t.database.drop();
  });

  async function dispatcherWith(options: { openstack: boolean; gateway?: 'rest' | 'read-only' }): Promise<Dispatcher> {
    const config = [];
    if (options.openstack) {
      for (const location of [TUCSON, TACC]) {
        const cloud = clouds[location]!;
        config.push({ providerId: await providerIdOf(t.deps.db, location), authUrl: cloud.authUrl, applicationCredentialId: cloud.credentialId, applicationCredentialSecret: cloud.credentialSecret, regionName: 'RegionOne', interface: 'public' as const });
      }
    }
    const recorded: typeof fetch = async (input, init) => {
      const url = new URL(String(input));
      if (url.pathname.includes('/v2/images/') && init?.method === 'PATCH') order.push(`glance ${url.port} PATCH`);
      return fetch(input, init);
    };
    const deps: Deps = {
      ...t.deps,
      gateway: options.gateway === 'read-only' ? createReadOnlyGateway() : createRestGateway({ baseUrl: api.url, token: api.token, statusId: (name) => requireStatusTypeId(t.deps.db, name), log: t.deps.log }),
      openstack: options.openstack ? createOpenStackClouds({ clouds: config, fetch: recorded, log: t.deps.log }) : null,
    };
    return createDispatcher(deps, commandDefinitions, actionDefinitions);
  }

  it('makes each provider\'s Glance image public, then the application, in that order', async () => {
    const dispatcher = await dispatcherWith({ openstack: true });
    const asked = (await dispatch(dispatcher, commandEvent(`image publish ${image.applicationId}`, kpatel))).replies[0]!;
    expect(asked.title).toBe(`Make application #${image.applicationId} public?`);
    expect(asked.fields![0]!.value).toContain(`${TUCSON} (provider ${await providerIdOf(t.deps.db, TUCSON)}): ${image.glance[TUCSON]}`);
    const done = (await dispatch(dispatcher, actionEvent(asked.buttons![0]!.action, asked.buttons![0]!.value, kpatel))).replies[0]!;
    expect(done.tone).toBe('success');
    expect(done.text).toMatch(new RegExp(`${TUCSON}.*made public\\n.*${TACC}.*made public`));
    expect(done.text).toContain('is public in Atmosphere (its database shows private = false)');
    for (const location of [TUCSON, TACC]) expect(clouds[location]!.images.get(image.glance[location]!)!.visibility).toBe('public');
    const tucsonPort = new URL(clouds[TUCSON]!.authUrl).port;
    const taccPort = new URL(clouds[TACC]!.authUrl).port;
    expect(order).toEqual([`glance ${tucsonPort} PATCH`, `glance ${taccPort} PATCH`, `atmosphere PATCH /api/v2/images/${image.applicationId}`]);
    expect(api.calls.find((call) => call.method === 'PATCH')!.body).toEqual({ is_public: true });
    const patch = clouds[TACC]!.calls.find((call) => call.method === 'PATCH')!;
    expect(patch.headers['content-type']).toBe('application/openstack-images-v2.1-json-patch');
    expect(patch.body).toEqual([{ op: 'replace', path: '/visibility', value: 'public' }]);
    expect(await isPrivate(t.deps.db, image.applicationId)).toBe(false);
    const audit = (await recentAudit(t.deps.db, 5)).find((row) => row.name === 'img:publish')!;
    expect(audit.detail).toMatchObject({ applicationId: image.applicationId, applicationFlag: 'public (verified)' });
    expect(JSON.stringify(audit.detail)).not.toContain(clouds[TUCSON]!.credentialSecret);
  });

  it('reports a provider failing halfway and leaves the application private', async () => {
    const dispatcher = await dispatcherWith({ openstack: true });
    clouds[TACC]!.setAdmin(false);
    const done = (await dispatch(dispatcher, actionEvent('img:publish', String(image.applicationId), kpatel))).replies[0]!;
    expect(done.tone).toBe('danger');
    expect(done.text).toMatch(new RegExp(`${TUCSON}.*: made public`));
    expect(done.text).toMatch(new RegExp(`${TACC}.*: FAILED: Glance of provider \\d+ refused PATCH .*HTTP 403`));
    expect(done.text).toContain(`Stopped at ${TACC}: the application stays private in Atmosphere.`);
    expect(done.buttons![0]!.action).toBe('img:publish');
    expect(api.calls.filter((call) => call.method === 'PATCH')).toHaveLength(0);
    expect(await isPrivate(t.deps.db, image.applicationId)).toBe(true);
    expect(clouds[TUCSON]!.images.get(image.glance[TUCSON]!)!.visibility).toBe('public');
    // Once fixed, Retry skips what is already public.
    clouds[TACC]!.setAdmin(true);
    const retry = (await dispatch(dispatcher, actionEvent('img:publish', String(image.applicationId), kpatel))).replies[0]!;
    expect(retry.text).toMatch(new RegExp(`${TUCSON}.*: already public`));
    expect(retry.text).toMatch(new RegExp(`${TACC}.*: made public`));
    expect(await isPrivate(t.deps.db, image.applicationId)).toBe(false);
  });

  it('stops at an image Glance does not have, before the providers after it', async () => {
    const dispatcher = await dispatcherWith({ openstack: true });
    clouds[TUCSON]!.images.clear();
    const done = (await dispatch(dispatcher, actionEvent('img:publish', String(image.applicationId), kpatel))).replies[0]!;
    expect(done.text).toContain(`FAILED: Glance has no image ${image.glance[TUCSON]}`);
    expect(done.text).toMatch(new RegExp(`${TACC}.*: not tried`));
    expect(clouds[TACC]!.calls.filter((call) => call.method === 'PATCH')).toHaveLength(0);
    expect(await isPrivate(t.deps.db, image.applicationId)).toBe(true);
  });

  it('without OpenStack, hands over the Glance step and then sets the flag through the API', async () => {
    const dispatcher = await dispatcherWith({ openstack: false });
    const reply = (await dispatch(dispatcher, commandEvent(`image publish ${image.applicationId}`, kpatel))).replies[0]!;
    expect(reply.text).toContain(`ident = Identity.objects.filter(provider__id=${await providerIdOf(t.deps.db, TACC)}).first()`);
    expect(reply.text).toContain(`glance_img = accounts.get_image("${image.glance[TACC]}")`);
    expect(reply.text).toContain("visibility='public'");
    const button = reply.buttons![0]!;
    expect(button.action).toBe('img:publish-flag');
    const done = (await dispatch(dispatcher, actionEvent(button.action, button.value, kpatel))).replies[0]!;
    expect(done.text).toContain('is public in Atmosphere');
    expect(await isPrivate(t.deps.db, image.applicationId)).toBe(false);
  });

  it('without OpenStack or the API, hands over both steps and verifies from the database', async () => {
    const dispatcher = await dispatcherWith({ openstack: false, gateway: 'read-only' });
    const reply = (await dispatch(dispatcher, commandEvent(`image publish ${image.applicationId}`, kpatel))).replies[0]!;
    expect(reply.text).toContain(`app_to_change = Application.objects.get(id=${image.applicationId})`);
    expect(reply.text).toContain('app_to_change.private = False');
    const verify = reply.buttons![0]!;
    expect((await dispatch(dispatcher, actionEvent(verify.action, verify.value, kpatel))).replies[0]!.text).toContain('Not yet');
    await t.deps.db.update(application).set({ private: false }).where(eq(application.id, image.applicationId));
    expect((await dispatch(dispatcher, actionEvent(verify.action, verify.value, kpatel))).replies[0]!.text).toContain('Verified');
  });

  it('refuses an application that is already public or unknown', async () => {
    const dispatcher = await dispatcherWith({ openstack: true });
    await t.deps.db.update(application).set({ private: false }).where(eq(application.id, image.applicationId));
    expect((await dispatch(dispatcher, commandEvent(`image publish ${image.applicationId}`, kpatel))).replies[0]!.text).toContain('already public');
    expect((await dispatch(dispatcher, commandEvent('image publish 999999', kpatel))).replies[0]!.text).toContain('There is no application #999999');
    expect((await dispatch(dispatcher, commandEvent('image publish abc', kpatel))).replies[0]!.text).toContain('/atmo image publish <application id>');
  });
});
