import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { applicationVersion } from '../../../src/db/atmosphere-schema.js';
import { createDispatcher } from '../../../src/bot/chat/create-dispatcher.js';
import { actionDefinitions, commandDefinitions } from '../../../src/handlers/index.js';
import { createRestGateway } from '../../../src/integrations/atmosphere/rest-gateway.js';
import { createReadOnlyGateway } from '../../../src/integrations/atmosphere/read-only-gateway.js';
import { withMaintenanceGuard } from '../../../src/integrations/atmosphere/maintenance-guard.js';
import { requireStatusTypeId } from '../../../src/db/queries/statuses.js';
import { recentAudit } from '../../../src/db/queries/audit.js';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { dbKinds } from '../../support/databases.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { startFakeAtmosphereApi, type FakeAtmosphereApi } from '../../fakes/atmosphere-api.js';
import { requestId, setStatus } from '../imaging/imaging-support.js';
import { applicationIdOf, catalogueFrom, insertImage, linkRequestToVersion, placementOf } from './image-scenario.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };
const jsmith = { id: 'c-jsmith', actingAs: 'jsmith' };

describe.each(dbKinds())('image move-version on %s', (kind) => {
  let t: TestContext;
  let api: FakeAtmosphereApi | null = null;
  let forked: { applicationId: number; versionId: string; glance: Record<string, string> };
  let trinity28: number;
  let request: number;

  beforeEach(async () => {
    t = await createTestContext(kind);
    // Imaging request "Trinity 2.11" was processed as a new application, though staff wanted it
    // as a second version of "Trinity 2.8 RNA-Seq", whose version is already named 1.0.
    request = await requestId(t.deps.db, 'Trinity 2.11 RNA-Seq');
    forked = await insertImage(t.deps.db, { name: 'Trinity 2.11 RNA-Seq', owner: 'dchen', providers: ['Jetstream - TACC'], private: true });
    await linkRequestToVersion(t.deps.db, request, forked.versionId, true);
    await setStatus(t.deps.db, [request], 'completed');
    trinity28 = await applicationIdOf(t.deps.db, 'Trinity 2.8 RNA-Seq');
  });
  afterEach(async () => {
    await api?.close();
    api = null;
    await t.database.drop();
  });

  async function withRestApi(): Promise<Dispatcher> {
    api = await startFakeAtmosphereApi({ catalogue: await catalogueFrom(t.deps.db) });
    // Atmosphere saves the version; the bot reads it back from the same database.
    api.onChange = async (call) => {
      if (call.change?.kind === 'image_version') {
        await t.deps.db.update(applicationVersion).set({ applicationId: call.change.applicationId, name: call.change.name }).where(eq(applicationVersion.id, call.change.versionId));
      }
    };
    const gateway = createRestGateway({ baseUrl: api.url, token: api.token, statusId: (name) => requireStatusTypeId(t.deps.db, name), log: t.deps.log });
    return createDispatcher({ ...t.deps, gateway: withMaintenanceGuard(gateway, t.deps.db, t.deps.now) }, commandDefinitions, actionDefinitions);
  }

  it('refuses the duplicate (name, application) pair and proposes the next free name', async () => {
    const { replies } = await dispatch(t.dispatcher, commandEvent(`image move-version ${request} --to ${trinity28}`, kpatel));
    const reply = replies[0]!;
    expect(reply.title).toBe('Version name already taken');
    expect(reply.text).toContain('already has a version named "1.0"');
    expect(reply.text).toContain('"1.1"');
    expect(reply.fields!.find((f) => f.label === 'Leaves')!.value).toBe(`application #${forked.applicationId} "Trinity 2.11 RNA-Seq" (private)`);
    expect(reply.fields!.find((f) => f.label === 'Joins')!.value).toBe(`application #${trinity28} "Trinity 2.8 RNA-Seq"`);
    expect(reply.fields!.find((f) => f.label === 'Machines')!.value).toBe(`Jetstream - TACC: ${forked.glance['Jetstream - TACC']}`);
    expect(reply.buttons![0]).toMatchObject({ action: 'img:move', value: `${forked.versionId}:${trinity28}:1.1` });
    // Nothing moved yet.
    expect(await placementOf(t.deps.db, forked.versionId)).toEqual({ applicationId: forked.applicationId, name: '1.0' });
  });

  it('refuses a taken --name as well, and a click on a stale proposal once the name is taken', async () => {
    const taken = (await dispatch(t.dispatcher, commandEvent(`image move-version ${request} --to ${trinity28} --name 1.0`, kpatel))).replies[0]!;
    expect(taken.title).toBe('Version name already taken');
    await insertImage(t.deps.db, { name: '', owner: 'dchen', version: '1.1', providers: [], applicationId: trinity28 });
    const stale = (await dispatch(t.dispatcher, actionEvent('img:move', `${forked.versionId}:${trinity28}:1.1`, kpatel))).replies[0]!;
    expect(stale.text).toContain('now has a version named "1.1"');
    expect(stale.text).toContain('proposes "1.2"');
    expect(await placementOf(t.deps.db, forked.versionId)).toEqual({ applicationId: forked.applicationId, name: '1.0' });
  });

  it('applies through PATCH image_versions/<uuid> after the confirmation, and audits it', async () => {
    const dispatcher = await withRestApi();
    const asked = (await dispatch(dispatcher, commandEvent(`image move-version ${forked.glance['Jetstream - TACC']} --to ${trinity28} --name 2.11`, kpatel))).replies[0]!;
    expect(asked.title).toBe('Move this image version?');
    const button = asked.buttons![0]!;
    const done = await dispatch(dispatcher, actionEvent(button.action, button.value, kpatel));
    expect(done.replies[0]!.text).toContain(`kpatel moved version "1.0" (${forked.versionId}) from application #${forked.applicationId}`);
    expect(done.replies[0]!.text).toContain("Atmosphere's database shows it there.");
    expect(done.updates[0]!.text).toBe(done.replies[0]!.text);
    const patch = api!.calls.find((call) => call.method === 'PATCH')!;
    expect(patch.path).toBe(`/api/v2/image_versions/${forked.versionId}`);
    expect(patch.body).toEqual({ image: trinity28, name: '2.11' });
    expect(patch.headers.authorization).toBe(`Token ${api!.token}`);
    expect(await placementOf(t.deps.db, forked.versionId)).toEqual({ applicationId: trinity28, name: '2.11' });
    const audit = (await recentAudit(t.deps.db, 5)).find((row) => row.name === 'img:move')!;
    expect(audit.detail).toMatchObject({ versionId: forked.versionId, fromApplicationId: forked.applicationId, toApplicationId: trinity28, name: '2.11', via: 'api', verified: true });
    const again = (await dispatch(dispatcher, actionEvent(button.action, button.value, kpatel))).replies[0]!;
    expect(again.text).toContain('already in application');
    expect(api!.calls.filter((call) => call.method === 'PATCH')).toHaveLength(1);
  });

  it('reports the API refusing a clash it knows of, and changes nothing', async () => {
    const dispatcher = await withRestApi();
    // Atmosphere has a "1.1" the bot's read did not see yet.
    api!.catalogue.versions.set('00000000-0000-4000-8000-000000000011', { applicationId: trinity28, name: '1.1' });
    const done = (await dispatch(dispatcher, actionEvent('img:move', `${forked.versionId}:${trinity28}:1.1`, kpatel))).replies[0]!;
    expect(done.text).toContain('The fields application, name must make a unique set.');
    expect(await placementOf(t.deps.db, forked.versionId)).toEqual({ applicationId: forked.applicationId, name: '1.0' });
  });

  it('hands over the shell snippet when the API cannot see the version, then verifies from the database', async () => {
    const dispatcher = await withRestApi();
    api!.catalogue.versions.get(forked.versionId)!.visible = false;
    const reply = (await dispatch(dispatcher, actionEvent('img:move', `${forked.versionId}:${trinity28}:1.1`, kpatel))).replies[0]!;
    expect(reply.title).toBe('Move the version from the Django shell');
    expect(reply.text).toContain(`version = ApplicationVersion.objects.get(id="${forked.versionId}")`);
    expect(reply.text).toContain(`version.application = Application.objects.get(id=${trinity28})`);
    expect(reply.text).toContain('version.name = "1.1"');
    const verify = reply.buttons![0]!;
    const notYet = (await dispatch(dispatcher, actionEvent(verify.action, verify.value, kpatel))).replies[0]!;
    expect(notYet.text).toContain('Not yet');
    // A staff member runs the snippet.
    await t.deps.db.update(applicationVersion).set({ applicationId: trinity28, name: '1.1' }).where(eq(applicationVersion.id, forked.versionId));
    const verified = (await dispatch(dispatcher, actionEvent(verify.action, verify.value, kpatel))).replies[0]!;
    expect(verified.text).toBe(`Verified: version ${forked.versionId} is "1.1" in application #${trinity28} "Trinity 2.8 RNA-Seq".`);
  });

  it('prepares the snippet without API access, without writing the table itself', async () => {
    const dispatcher = createDispatcher({ ...t.deps, gateway: createReadOnlyGateway() }, commandDefinitions, actionDefinitions);
    const reply = (await dispatch(dispatcher, actionEvent('img:move', `${forked.versionId}:${trinity28}:1.1`, kpatel))).replies[0]!;
    expect(reply.text).toContain('no Atmosphere API access');
    expect(reply.text).toContain('version.save()');
    expect(await placementOf(t.deps.db, forked.versionId)).toEqual({ applicationId: forked.applicationId, name: '1.0' });
  });

  it('moves in embedded mode too', async () => {
    const done = (await dispatch(t.dispatcher, actionEvent('img:move', `${forked.versionId}:${trinity28}:1.1`, kpatel))).replies[0]!;
    expect(done.tone).toBe('success');
    expect(await placementOf(t.deps.db, forked.versionId)).toEqual({ applicationId: trinity28, name: '1.1' });
  });

  it('offers the move on the completed request\'s detail view, asking which application in a form', async () => {
    const detail = (await dispatch(t.dispatcher, commandEvent(`imaging show ${request}`, kpatel))).replies[0]!;
    const button = detail.buttons!.find((b) => b.action === 'img:move-form')!;
    expect(button).toEqual({ label: 'Make it a version of another application', action: 'img:move-form', value: String(request) });
    const form = await dispatch(t.dispatcher, actionEvent(button.action, button.value, kpatel));
    expect(form.outcome.kind).toBe('form');
    const proposal = (await dispatch(t.dispatcher, actionEvent(button.action, button.value, kpatel, { to: String(trinity28), name: '' }))).replies[0]!;
    expect(proposal.title).toBe('Version name already taken');
    expect(proposal.buttons![0]!.value).toBe(`${forked.versionId}:${trinity28}:1.1`);
    const named = (await dispatch(t.dispatcher, actionEvent(button.action, button.value, kpatel, { to: String(trinity28), name: '2.11' }))).replies[0]!;
    expect(named.title).toBe('Move this image version?');
    // A request asked as a new version gets no such button.
    await linkRequestToVersion(t.deps.db, request, forked.versionId, false);
    const plain = (await dispatch(t.dispatcher, commandEvent(`imaging show ${request}`, kpatel))).replies[0]!;
    expect((plain.buttons ?? []).some((b) => b.action === 'img:move-form')).toBe(false);
  });

  it('answers bad input and non-staff with what to do', async () => {
    const noTarget = (await dispatch(t.dispatcher, commandEvent(`image move-version ${request}`, kpatel))).replies[0]!;
    expect(noTarget.text).toMatch(/to/);
    expect(noTarget.text).toContain('/atmo image move-version');
    const missing = (await dispatch(t.dispatcher, commandEvent(`image move-version 999999 --to ${trinity28}`, kpatel))).replies[0]!;
    expect(missing.text).toContain('There is no imaging request #999999');
    const noApp = (await dispatch(t.dispatcher, commandEvent(`image move-version ${request} --to 999999`, kpatel))).replies[0]!;
    expect(noApp.text).toContain('There is no application #999999');
    const same = (await dispatch(t.dispatcher, commandEvent(`image move-version ${request} --to ${forked.applicationId}`, kpatel))).replies[0]!;
    expect(same.text).toContain('is already a version of application');
    const pending = await requestId(t.deps.db, 'RStudio 4.0 Bioconductor Workshop');
    const notDone = (await dispatch(t.dispatcher, commandEvent(`image move-version ${pending} --to ${trinity28}`, kpatel))).replies[0]!;
    expect(notDone.text).toContain('has not produced an image version yet');
    const tampered = (await dispatch(t.dispatcher, actionEvent('img:move', `${forked.versionId}:${trinity28}:1.1\nx`, kpatel))).replies[0]!;
    expect(await placementOf(t.deps.db, forked.versionId)).toEqual({ applicationId: forked.applicationId, name: '1.0' });
    expect(tampered.text).not.toContain('moved');
    const user = (await dispatch(t.dispatcher, commandEvent(`image move-version ${request} --to ${trinity28}`, jsmith))).replies[0]!;
    expect(user.text).toMatch(/staff/i);
  });
});
