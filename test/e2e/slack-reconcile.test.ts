import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenStack, type FakeOpenStack } from '../fakes/openstack.js';
import { busiestProvider, driftedCloud, ORPHAN, type Drift } from '../handlers/reconcile/reconcile-scenario.js';
import { startSlackDeployment, type SlackDeployment } from './slack-deployment.js';
import { cloudEnv } from './e2e-support.js';

const SECRET = 'e2e-slack-signing-secret';
const KPATEL = 'UKPATEL';

/** Block Kit sections of a Slack reply, as one text. */
function sectionsOf(body: Record<string, unknown>): string {
  const blocks = (body['blocks'] ?? []) as { type: string; text?: { text: string } }[];
  return blocks.map((block) => block.text?.text ?? '').join('\n');
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('Slack end to end: /atmo reconcile against fake Keystone, Nova and Cinder, through startBot', () => {
  let deployment: SlackDeployment;
  let cloud: FakeOpenStack;
  let provider: { id: number; name: string };
  let drift: Drift;

  beforeAll(async () => {
    cloud = await startFakeOpenStack({ maxLimit: 3 });
    deployment = await startSlackDeployment({
      secret: SECRET,
      replicas: 1,
      users: { [KPATEL]: { email: 'kpatel@cyverse.org' } },
      botAdmins: 'slack:UADMIN',
      // The demo's busiest provider is 1 (CyVerse Cloud - Tucson); checked below.
      env: cloudEnv({ cloud, providers: [1] }),
    });
    provider = await busiestProvider(deployment.db);
    drift = await driftedCloud(deployment.db, cloud, provider.id);
  });

  afterAll(async () => {
    await deployment?.stop();
    await cloud?.close();
  });

  it('reports each kind of finding with its ids and fix command, and attaches the full list', async () => {
    expect(provider.id).toBe(1);
    await deployment.driver.command(deployment.appUrls[0]!, { userId: KPATEL, text: 'reconcile 1', replyId: 'reconcile' });
    const reply = (await deployment.driver.reply('reconcile')).body;
    const text = sectionsOf(reply);
    expect(text).toContain('1 orphan(s), 1 stale, 1 status mismatch(es), 2 quota drift(s)');
    expect(text).toContain(`openstack server delete ${ORPHAN}`);
    expect(text).toContain(`Instance.objects.filter(provider_alias__in=['${drift.stale.uuid}'])`);
    expect(text).toContain(`${drift.mismatched.uuid} #${drift.mismatched.id}, ${drift.mismatched.owner}: Atmosphere active, Nova SHUTOFF`);
    expect(text).toContain(`monitor_instances_for(1, users=['${drift.mismatched.owner}'], print_logs=True)`);
    expect(text).toContain(`makes ${drift.ramInGb.quota.memory! * 1024} MB`);
    expect(text).toContain(`[set_provider_quota(u) for u in ['${drift.ramInGb.identityUuid}', '${drift.cinderOff.identityUuid}']]`);
    const file = deployment.slack.files.find((shared) => shared.filename.startsWith('reconcile-'));
    expect(file?.bytes.toString('utf8')).toContain(`openstack server delete ${ORPHAN}`);
    expect(JSON.stringify(reply)).not.toContain(cloud.credentialSecret);
    // Read-only, page by page: only GETs after the token, and Nova's listing followed its next links.
    expect(cloud.calls.filter((call) => call.path !== '/v3/auth/tokens').every((call) => call.method === 'GET')).toBe(true);
    expect(cloud.calls.filter((call) => call.path === '/compute/v2.1/servers/detail').length).toBeGreaterThan(1);
  });

  it('says that another provider needs OPENSTACK_CLOUDS', async () => {
    await deployment.driver.command(deployment.appUrls[0]!, { userId: KPATEL, text: 'reconcile 2', replyId: 'unconfigured' });
    const text = JSON.stringify((await deployment.driver.reply('unconfigured')).body);
    expect(text).toContain('has no OpenStack credential, so it cannot be reconciled');
    expect(text).toContain('OPENSTACK_CLOUDS');
  });
});
