import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInstances, type InstanceRow } from '../../src/db/queries/instances.js';
import { startFakeArgo, type FakeArgo } from '../fakes/argo.js';
import { startFakeFlower, type FakeFlower } from '../fakes/flower.js';
import { startFakeOpenStack, type FakeOpenStack } from '../fakes/openstack.js';
import type { RecordedCall } from '../fakes/slack-api.js';
import { deployWorkflow } from '../fixtures/argo-workflows.js';
import { startSlackDeployment, type SlackDeployment } from './slack-deployment.js';
import { cloudEnv } from './e2e-support.js';

const SECRET = 'e2e-slack-alert-evidence-secret';

/** A Slack message's words: its text and every text in its blocks. */
function words(args: Record<string, unknown>): string {
  const texts: string[] = [String(args['text'])];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') for (const [key, inner] of Object.entries(value)) key === 'text' && typeof inner === 'string' ? texts.push(inner) : walk(inner);
  };
  walk(args['blocks']);
  return texts.join('\n');
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('Slack end to end: the instance alert scan posts the cloud evidence in the thread and edits it when a source is late', () => {
  let deployment: SlackDeployment;
  let cloud: FakeOpenStack;
  let flower: FakeFlower;
  let argo: FakeArgo;
  let gpu: InstanceRow;
  let dev: InstanceRow;

  beforeAll(async () => {
    [cloud, flower, argo] = await Promise.all([startFakeOpenStack(), startFakeFlower(), startFakeArgo({ namespace: 'atmo-argo' })]);
    deployment = await startSlackDeployment({
      secret: SECRET,
      replicas: 1,
      users: {},
      botAdmins: 'slack:UADMIN',
      env: {
        JOBS: 'true',
        ALERT_CHANNEL: 'slack:CALERTS',
        ALERT_SCAN_CRON: '* * * * * *',
        EVIDENCE_WAIT_MS: '300',
        ...cloudEnv({ cloud, flower, argo }),
      },
    });
    [gpu] = (await findInstances(deployment.db, 'gpu-test')) as [InstanceRow];
    [dev] = (await findInstances(deployment.db, 'docker-dev')) as [InstanceRow];
    argo.workflows.set('ansible-deploy-sl01', deployWorkflow({ name: 'ansible-deploy-sl01', uuid: dev.uuid, username: 'alee2' }));
    cloud.servers.set(gpu.uuid, { status: 'ERROR', fault: { code: 500, message: 'No valid host was found. There are not enough hosts available.' } });
    // The first tick asks Nova about gpu-test once: it answers after the post went out.
    cloud.delayNext(`/compute/v2.1/servers/${gpu.uuid}`, 2_500);
    deployment.replicas[0]!.bot.startJobs();
  });

  afterAll(async () => {
    await deployment?.stop();
    await Promise.all([cloud?.close(), flower?.close(), argo?.close()]);
  });

  /** The parent of an instance's thread and the evidence reply in it. */
  async function evidenceOf(name: string): Promise<{ parent: RecordedCall; reply: RecordedCall }> {
    const { slack } = deployment;
    const parent = await slack.waitFor(() => slack.calls.find((call) => call.method === 'chat.postMessage' && !call.args['thread_ts'] && String(call.args['text']).includes(`"${name}"`)), 20_000);
    const ts = parent.response!['ts'];
    const reply = await slack.waitFor(
      () => slack.calls.find((call) => call.method === 'chat.postMessage' && call.args['thread_ts'] === ts && String(call.args['text']).startsWith('Evidence from the cloud')),
      20_000,
    );
    return { parent, reply };
  }

  it('posts the evidence reply in the thread with what was in time, then chat.updates that reply with the late Nova fault', async () => {
    const { slack } = deployment;
    const { parent, reply } = await evidenceOf('gpu-test');
    expect(reply.args['channel']).toBe('CALERTS');
    expect(words(reply.args)).toContain('Still asking Nova: its answer is added when it arrives.');
    expect(words(reply.args)).toContain(`(Flower, search "${gpu.uuid}"`);
    const replyTs = reply.response!['ts'];
    const update = await slack.waitFor(() => slack.calls.find((call) => call.method === 'chat.update' && call.args['ts'] === replyTs), 20_000);
    expect(update.args['channel']).toBe('CALERTS');
    expect(words(update.args)).toContain('Fault (Nova): No valid host was found. There are not enough hosts available.');
    expect(words(update.args)).toContain('Reading (staff guide): the cloud is near capacity');
    expect(words(update.args)).not.toContain('Still asking');
    // The parent is never replaced by the evidence.
    expect(slack.calls.some((call) => call.method === 'chat.update' && call.args['ts'] === parent.response!['ts'] && String(call.args['text']).startsWith('Evidence'))).toBe(false);
  });

  it('shows the failed Argo step with its log tail and a Resubmit button in the deploy error thread, once', async () => {
    const { slack } = deployment;
    const { parent, reply } = await evidenceOf('docker-dev');
    const text = words(reply.args);
    expect(text).toContain('Failed step of ansible-deploy-sl01: atmo-user-ssh-keys: Error (exit code 4)');
    expect(text).toContain('fatal: [149.165.157.133]: UNREACHABLE!');
    expect(JSON.stringify(reply.args['blocks'])).toContain(`${dev.id}:ansible-deploy-sl01`);
    // Later ticks (one a second) post no second evidence reply and ask Argo no more.
    const argoCalls = argo.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const replies = slack.calls.filter((call) => call.method === 'chat.postMessage' && call.args['thread_ts'] === parent.response!['ts'] && String(call.args['text']).startsWith('Evidence'));
    expect(replies).toHaveLength(1);
    expect(argo.calls.length).toBe(argoCalls);
    expect(JSON.stringify(slack.calls)).not.toContain(argo.token);
    expect(JSON.stringify(slack.calls)).not.toContain(flower.password);
  });
});
