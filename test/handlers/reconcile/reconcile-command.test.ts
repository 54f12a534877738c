import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../src/bot/chat/create-dispatcher.js';
import type { Reply } from '../../../src/bot/chat/reply.js';
import { actionDefinitions, commandDefinitions } from '../../../src/handlers/index.js';
import type { Deps } from '../../../src/deps.js';
import { listProviders } from '../../../src/db/queries/instances.js';
import { createOpenStackClouds } from '../../../src/integrations/openstack/openstack-clients.js';
import { createMemoryStore } from '../../../src/integrations/kv/memory-store.js';
import { EVIDENCE_TTL_MS } from '../../../src/integrations/kv/keys.js';
import { ATMOSPHERE_QUOTA_DEFAULTS } from '../../../src/model/quota-values.js';
import { OPENSTACK_SETTING_HINT } from '../../../src/handlers/reconcile/reconcile-report.js';
import { dbKinds } from '../../support/databases.js';
import { commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { startFakeOpenStack, type FakeOpenStack } from '../../fakes/openstack.js';
import { busiestProvider, cloudsFor, driftedCloud, ORPHAN } from './reconcile-scenario.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };
const all = (reply: Reply) => [reply.text, ...(reply.sections ?? []).map((s) => s.text), reply.footer ?? ''].join('\n');
const file = (reply: Reply) => new TextDecoder().decode(reply.files?.[0]?.data ?? new Uint8Array());

describe.each(dbKinds())('/atmo reconcile on %s', (kind) => {
  let t: TestContext;
  let cloud: FakeOpenStack | undefined;
  let provider: { id: number; name: string };

  beforeAll(async () => {
    t = await createTestContext(kind);
    provider = await busiestProvider(t.deps.db);
  }, 180_000);
  afterAll(async () => {
    await t?.database.drop();
  });
  afterEach(async () => {
    await cloud?.close();
    cloud = undefined;
  });

  /** Each run reads its own fake cloud, so each has its own cache (the cloud of another test is not this one). */
  async function run(text: string, openstack: Deps['openstack'], user = kpatel, kv: Deps['kv'] = createMemoryStore()): Promise<Reply> {
    const dispatcher = createDispatcher({ ...t.deps, openstack, kv }, commandDefinitions, actionDefinitions);
    return (await dispatch(dispatcher, commandEvent(text, user))).replies[0]!;
  }

  it('reports orphans, stale records, status mismatches and quota drift with ids and fix commands, reading page by page', async () => {
    cloud = await startFakeOpenStack({ maxLimit: 2 });
    const drift = await driftedCloud(t.deps.db, cloud, provider.id);
    const reply = await run(`reconcile ${provider.id}`, cloudsFor(cloud, provider.id, t.deps.log));
    const text = all(reply);
    expect(reply.tone).toBe('warning');
    expect(reply.text).toContain(`${provider.name} (${provider.id}): 1 orphan(s), 1 stale, 1 status mismatch(es), 2 quota drift(s)`);
    expect(text).toContain(`• ${ORPHAN} "left-behind" ACTIVE, project proj-unknown\nCheck each owner first (openstack server show ${ORPHAN}); remove the leftovers: openstack server delete ${ORPHAN}`);
    expect(text).toContain(`• ${drift.stale.uuid} #${drift.stale.id} "${drift.stale.name}", ${drift.stale.owner}, active\n`);
    expect(text).toContain(`[i.end_date_all() for i in Instance.objects.filter(provider_alias__in=['${drift.stale.uuid}'])]`);
    expect(text).toContain(`• ${drift.mismatched.uuid} #${drift.mismatched.id}, ${drift.mismatched.owner}: Atmosphere active, Nova SHUTOFF\n`);
    expect(text).toContain(`monitor_instances_for(${provider.id}, users=['${drift.mismatched.owner}'], print_logs=True)`);
    const memory = drift.ramInGb.quota.memory!;
    expect(text).toContain(`identity ${drift.ramInGb.identityUuid} (${drift.ramInGb.username}, quota #${drift.ramInGb.quotaId}, project proj-${drift.ramInGb.username}): ram ${memory} in Nova, Atmosphere's memory ${memory} GB makes ${memory * 1024} MB`);
    expect(text).toContain(`[set_provider_quota(u) for u in ['${drift.ramInGb.identityUuid}', '${drift.cinderOff.identityUuid}']]`);
    expect(text).toContain(`gigabytes 12345 in Cinder, Atmosphere's storage is ${drift.cinderOff.quota.storage}`);
    if (drift.noProject) expect(text).toContain(`No Keystone project named after 1 user(s), so their quota was not compared`);
    // The full list is attached, and every call was a GET with the token.
    expect(file(reply)).toContain(ORPHAN);
    expect(file(reply)).toContain('Read-only: nothing was changed.');
    const cloudCalls = cloud.calls.filter((call) => call.path !== '/v3/auth/tokens');
    expect(cloudCalls.every((call) => call.method === 'GET' && typeof call.headers['x-auth-token'] === 'string')).toBe(true);
    const pages = cloud.calls.filter((call) => call.path === '/compute/v2.1/servers/detail');
    expect(pages.length).toBe(Math.floor(cloud.servers.size / 2) + 1);
    expect(pages[0]!.query).toBe(`?all_tenants=1&limit=500`);
    expect(pages[1]!.query).toMatch(/^\?all_tenants=1&limit=500&marker=[0-9a-f-]{36}$/);
    expect(cloud.calls.some((call) => call.path === `/volume/v3/${cloud!.adminProjectId}/os-quota-sets/proj-${drift.cinderOff.username}`)).toBe(true);
  });

  it('says the two agree once the drift is undone, and posts the same counts in the file', async () => {
    cloud = await startFakeOpenStack();
    const drift = await driftedCloud(t.deps.db, cloud, provider.id);
    cloud.servers.delete(ORPHAN);
    cloud.servers.set(drift.stale.uuid, { status: 'ACTIVE', projectId: `proj-${drift.stale.owner}` });
    cloud.servers.get(drift.mismatched.uuid)!.status = 'ACTIVE';
    cloud.computeQuotas.get(`proj-${drift.ramInGb.username}`)!.ram = drift.ramInGb.quota.memory! * 1024;
    cloud.volumeQuotas.get(`proj-${drift.cinderOff.username}`)!.gigabytes = drift.cinderOff.quota.storage!;
    const reply = await run(`reconcile ${provider.id}`, cloudsFor(cloud, provider.id, t.deps.log));
    expect(reply.tone).toBe('success');
    expect(reply.text).toBe(`Atmosphere and OpenStack agree: ${provider.name} (${provider.id}): 0 orphan(s), 0 stale, 0 status mismatch(es), 0 quota drift(s). Read-only: nothing was changed; each finding names the command that fixes it.`);
    expect(file(reply)).toContain('0 orphan(s), 0 stale, 0 status mismatch(es), 0 quota drift(s)');
  });

  it('reads the cloud once for runs within EVIDENCE_TTL_MS and for two at once, again after it, and keeps no failure', async () => {
    cloud = await startFakeOpenStack();
    await driftedCloud(t.deps.db, cloud, provider.id);
    let clock = Date.now();
    const kv = createMemoryStore(() => clock);
    const clouds = cloudsFor(cloud, provider.id, t.deps.log);
    const listings = () => cloud!.calls.filter((call) => call.path === '/compute/v2.1/servers/detail').length;
    const quotaReads = () => cloud!.calls.filter((call) => call.path.includes('/os-quota-sets/')).length;
    const first = await run(`reconcile ${provider.id}`, clouds, kpatel, kv);
    expect(first.text).toContain('1 orphan(s), 1 stale');
    const quotas = quotaReads();
    expect(listings()).toBe(1);
    expect(quotas).toBeGreaterThan(0);

    // Staff removed the orphan, and ran it again at once: the cloud is not asked again.
    cloud.servers.delete(ORPHAN);
    expect((await run(`reconcile ${provider.id}`, clouds, kpatel, kv)).text).toBe(first.text);
    expect([listings(), quotaReads()]).toEqual([1, quotas]);

    clock += EVIDENCE_TTL_MS + 1;
    expect((await run(`reconcile ${provider.id}`, clouds, kpatel, kv)).text).toContain('0 orphan(s), 1 stale');
    expect([listings(), quotaReads()]).toEqual([2, 2 * quotas]);

    // A failed listing is not kept: the run right after it reads the servers again.
    clock += EVIDENCE_TTL_MS + 1;
    cloud.failNext('/compute/v2.1/servers/detail', 503);
    expect(all(await run(`reconcile ${provider.id}`, clouds, kpatel, kv))).toContain('Servers not compared: Nova of provider');
    expect((await run(`reconcile ${provider.id}`, clouds, kpatel, kv)).text).toContain('0 orphan(s), 1 stale');
    expect(listings()).toBe(4);

    // Two runs at once on stores of their own (two replicas, one process each way) share the listing under way.
    cloud.delayNext('/compute/v2.1/servers/detail', 300);
    await Promise.all([run(`reconcile ${provider.id}`, clouds), run(`reconcile ${provider.id}`, clouds)]);
    expect(listings()).toBe(5);
  });

  it("reports Neutron's floating IP and port quotas that drifted, and goes on without Neutron when the catalog has none", async () => {
    cloud = await startFakeOpenStack();
    const drift = await driftedCloud(t.deps.db, cloud, provider.id);
    const floating = drift.cinderOff.quota.floating_ip_count ?? ATMOSPHERE_QUOTA_DEFAULTS.floating_ip_count;
    // Neutron's own defaults (50 floating IPs, 500 ports): what a project Atmosphere never set looks like.
    cloud.networkQuotas.delete(`proj-${drift.cinderOff.username}`);
    const reply = await run(`reconcile ${provider.id}`, cloudsFor(cloud, provider.id, t.deps.log));
    expect(reply.text).toContain('2 quota drift(s)');
    const text = all(reply);
    expect(text).toMatch(/Quotas: \d+ of \d+ identities compared with Nova \(cores, ram, instances\), Cinder \(gigabytes, volumes, snapshots\) and Neutron \(floating IPs, ports\)\./);
    expect(text).toContain(`gigabytes 12345 in Cinder, Atmosphere's storage is ${drift.cinderOff.quota.storage}; floatingip 50 in Neutron, Atmosphere's floating_ip_count is ${floating}; port 500 in Neutron`);
    expect(text).toContain(`[set_provider_quota(u) for u in ['${drift.ramInGb.identityUuid}', '${drift.cinderOff.identityUuid}']]`);
    expect(cloud.calls.some((call) => call.path === `/network/v2.0/quotas/proj-${drift.cinderOff.username}` && call.method === 'GET')).toBe(true);
    await cloud.close();

    cloud = await startFakeOpenStack({ neutron: false });
    await driftedCloud(t.deps.db, cloud, provider.id);
    const without = await run(`reconcile ${provider.id}`, cloudsFor(cloud, provider.id, t.deps.log));
    expect(all(without)).toContain(`Neutron quotas (floating IPs, ports) not compared from then on: the Keystone catalog of provider ${provider.id} has no public network (Neutron) endpoint`);
    expect(without.text).toContain('1 orphan(s), 1 stale, 1 status mismatch(es), 2 quota drift(s)');
  });

  it('lists only the first ids of a kind in the message, all of them in the file', async () => {
    cloud = await startFakeOpenStack();
    await driftedCloud(t.deps.db, cloud, provider.id);
    const orphans = Array.from({ length: 14 }, (_, n) => `0a0a0a0a-0000-4000-8000-${String(n).padStart(12, '0')}`);
    for (const id of orphans) cloud.servers.set(id, { status: 'ACTIVE', projectId: 'proj-unknown' });
    const reply = await run(`reconcile ${provider.name}`, cloudsFor(cloud, provider.id, t.deps.log));
    expect(reply.text).toContain('15 orphan(s)');
    expect(all(reply)).toContain('… and 5 more in the attached file, whose command covers them all');
    expect(all(reply)).not.toContain(orphans[13]);
    expect(all(reply)).toMatch(/openstack server delete( [0-9a-f-]{36}){10}\n/);
    const deleteAll = file(reply).split('\n').find((line) => line.includes('openstack server delete'))!;
    expect(deleteAll.split('openstack server delete ')[1]!.split(' ').sort()).toEqual([ORPHAN, ...orphans].sort());
  });

  it('says clearly when Keystone refuses the credential, and never shows the secret', async () => {
    cloud = await startFakeOpenStack();
    const wrong = 'not-the-secret-5f2a9c';
    const reply = await run(`reconcile ${provider.id}`, cloudsFor(cloud, provider.id, t.deps.log, { secret: wrong }));
    expect(reply.tone).toBe('danger');
    expect(all(reply)).toContain(`Servers not compared: Keystone of provider ${provider.id} refused the application credential (HTTP 401`);
    expect(all(reply)).toContain('Quotas not compared: Keystone of provider');
    expect(JSON.stringify(reply)).not.toContain(wrong);
    expect(JSON.stringify(t.logLines)).not.toContain(wrong);
  });

  it('reports every configured provider, one refusing its credential while the other answers', async () => {
    cloud = await startFakeOpenStack();
    await driftedCloud(t.deps.db, cloud, provider.id);
    const other = (await listProviders(t.deps.db)).find((p) => p.id !== provider.id)!;
    const entry = { authUrl: cloud.authUrl, applicationCredentialId: cloud.credentialId, regionName: undefined, interface: 'public' as const };
    const openstack = createOpenStackClouds({
      clouds: [
        { ...entry, providerId: provider.id, applicationCredentialSecret: cloud.credentialSecret },
        { ...entry, providerId: other.id, applicationCredentialSecret: 'revoked-secret-77' },
      ],
      log: t.deps.log,
      timeoutMs: 5_000,
    });
    const reply = await run('reconcile', openstack);
    expect(reply.title).toBe(`Reconcile: ${[provider, other].sort((a, b) => a.id - b.id).map((p) => `${p.name} (${p.id})`).join(', ')}`);
    expect(reply.text).toContain(`${provider.name} (${provider.id}): 1 orphan(s), 1 stale, 1 status mismatch(es), 2 quota drift(s)`);
    expect(reply.text).toContain(`${other.name} (${other.id}): servers not compared, quotas not compared`);
    expect(all(reply)).toContain(`Servers not compared: Keystone of provider ${other.id} refused the application credential (HTTP 401`);
    expect(JSON.stringify(reply)).not.toContain('revoked-secret-77');
  });

  it('reports the quotas when Nova times out on the servers, and a malformed listing', async () => {
    cloud = await startFakeOpenStack();
    const drift = await driftedCloud(t.deps.db, cloud, provider.id);
    cloud.delayNext('/compute/v2.1/servers/detail', 1_500);
    const late = await run(`reconcile ${provider.id}`, cloudsFor(cloud, provider.id, t.deps.log, { timeoutMs: 400 }));
    expect(all(late)).toContain(`Servers not compared: could not reach OpenStack of provider ${provider.id} for GET /servers/detail?all_tenants=1&limit=500: waited 400 ms.`);
    expect(all(late)).toContain(`identity ${drift.ramInGb.identityUuid}`);
    expect(late.text).toContain('servers not compared, 2 quota drift(s)');

    cloud.malformNext('/compute/v2.1/servers/detail');
    const broken = await run(`reconcile ${provider.id}`, cloudsFor(cloud, provider.id, t.deps.log));
    expect(all(broken)).toContain(`Servers not compared: Nova of provider ${provider.id} answered GET /servers/detail?all_tenants=1&limit=500 with a body the bot cannot read.`);
  });

  it('stops the quota comparison when Nova refuses it, and leaves Cinder out when only Cinder fails', async () => {
    cloud = await startFakeOpenStack();
    const drift = await driftedCloud(t.deps.db, cloud, provider.id);
    cloud.failNext('/volume/', 503);
    const reply = await run(`reconcile ${provider.id}`, cloudsFor(cloud, provider.id, t.deps.log));
    expect(all(reply)).toContain(`Cinder quotas not compared from then on: Cinder of provider ${provider.id} refused GET /os-quota-sets/`);
    expect(all(reply)).toContain(`identity ${drift.ramInGb.identityUuid}`);
    expect(all(reply)).toContain('1 stale');

    cloud.delayNext('/compute/v2.1/os-quota-sets/', 1_500);
    const slow = await run(`reconcile ${provider.id}`, cloudsFor(cloud, provider.id, t.deps.log, { timeoutMs: 400 }));
    expect(all(slow)).toMatch(/Quota comparison stopped after [0-4] of \d+ identities: could not reach OpenStack of provider \d+ for GET \/os-quota-sets\/proj-\w+: waited 400 ms\./);
    expect(slow.text).toContain('1 orphan(s), 1 stale, 1 status mismatch(es)');
    expect(slow.tone).toBe('danger');

    cloud.setAdmin(false);
    const refused = await run(`reconcile ${provider.id}`, cloudsFor(cloud, provider.id, t.deps.log));
    expect(all(refused)).toContain(`Nova of provider ${provider.id} refused GET /servers/detail?all_tenants=1&limit=500 (HTTP 403)`);
    expect(all(refused)).toContain('; this needs an admin or reader role for every project in its policy');
    expect(all(refused)).toContain('Quotas not compared: Keystone of provider');
  });

  it('says which settings it needs without OpenStack, refuses an unknown provider, and is for staff only', async () => {
    expect((await run('reconcile', null)).text).toContain('No provider has OpenStack configured. Reconcile reads Nova, Cinder, Neutron and Keystone');
    expect((await run('reconcile', null)).text).toContain('OPENSTACK_CLOUDS');
    cloud = await startFakeOpenStack();
    const clouds = cloudsFor(cloud, provider.id, t.deps.log);
    const other = (await listProviders(t.deps.db)).find((p) => p.id !== provider.id)!;
    expect((await run(`reconcile ${other.id}`, clouds)).text).toBe(
      `Provider ${other.id} (${other.name}) has no OpenStack credential, so it cannot be reconciled. ${OPENSTACK_SETTING_HINT}`,
    );
    expect((await run('reconcile', clouds)).footer).toContain(`Not reconciled (no OPENSTACK_CLOUDS entry): ${other.name} (${other.id})`);
    cloud.calls.length = 0;
    expect((await run('reconcile no-such-cloud', clouds)).text).toContain('There is no provider "no-such-cloud". Known providers:');
    expect((await run(`reconcile ${provider.id}`, clouds, { id: 'c-jsmith', actingAs: 'jsmith' })).text).toMatch(/staff/i);
    expect(cloud.calls).toHaveLength(0);
    const help = all(await run('help instances', clouds));
    expect(help).toContain('/atmo reconcile [provider]');
    expect(help).toContain('quota drift (read-only)');
  });
});
