import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInstances } from '../../src/db/queries/instances.js';
import { getMachineRequest } from '../../src/db/queries/machine-requests.js';
import { startFakeFlower, type FakeFlower } from '../fakes/flower.js';
import { startFakeOpenStack, type FakeOpenStack } from '../fakes/openstack.js';
import { requestId } from '../handlers/imaging/imaging-support.js';
import { startSlackDeployment, type SlackDeployment } from './slack-deployment.js';

const SECRET = 'e2e-slack-late-evidence-secret';
const KPATEL = 'UKPATEL';

function sectionsOf(body: Record<string, unknown>): string {
  const blocks = (body['blocks'] ?? []) as { type: string; text?: { text: string } }[];
  return blocks.filter((block) => block.type === 'section' || block.type === 'context').map((block) => block.text?.text ?? JSON.stringify(block)).join('\n');
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('Slack end to end: late evidence edits the first answer of a slash command', () => {
  let deployment: SlackDeployment;
  let cloud: FakeOpenStack;
  let flower: FakeFlower;

  beforeAll(async () => {
    [cloud, flower] = await Promise.all([startFakeOpenStack(), startFakeFlower()]);
    const entry = { auth_url: cloud.authUrl, application_credential_id: cloud.credentialId, application_credential_secret: cloud.credentialSecret };
    deployment = await startSlackDeployment({
      secret: SECRET,
      replicas: 1,
      users: { [KPATEL]: { email: 'kpatel@cyverse.org' } },
      botAdmins: 'slack:UADMIN',
      env: {
        OPENSTACK_CLOUDS: JSON.stringify({ 1: entry, 2: entry, 3: entry }),
        FLOWER_URL: flower.url,
        FLOWER_USER: flower.user,
        FLOWER_PASSWORD: flower.password,
        EVIDENCE_WAIT_MS: '300',
      },
    });
  });

  afterAll(async () => {
    await deployment?.stop();
    await Promise.all([cloud?.close(), flower?.close()]);
  });

  it('answers an instance view without a slow Nova, then replaces that answer through the response_url: one message in the end', async () => {
    const [vm] = await findInstances(deployment.db, 'gpu-test');
    cloud.servers.set(vm!.uuid, { status: 'ERROR', fault: { code: 500, message: 'No valid host was found. There are not enough hosts available.' } });
    cloud.delayNext(`/compute/v2.1/servers/${vm!.uuid}`, 2_000);
    const { slack, driver } = deployment;
    await driver.command(deployment.appUrls[0]!, { userId: KPATEL, text: 'instance gpu-test', replyId: 'late-instance' });
    const first = await driver.reply('late-instance');
    expect(first.body['replace_original']).not.toBe(true);
    expect(sectionsOf(first.body)).toContain('Still asking Nova: its answer is added when it arrives.');
    await slack.waitFor(() => driver.repliesTo('late-instance').length >= 2, 10_000);
    const [, edit] = driver.repliesTo('late-instance');
    expect(edit!.body['replace_original']).toBe(true);
    expect(edit!.body['response_type']).toBe('ephemeral');
    expect(sectionsOf(edit!.body)).toContain('Fault (Nova): No valid host was found. There are not enough hosts available.');
    expect(sectionsOf(edit!.body)).not.toContain('Still asking');
    expect(JSON.stringify(edit!.body)).toContain('with the late evidence');
    // What the user sees from the command: one message, the completed view; nothing posted elsewhere.
    expect(slack.shown('late-instance')).toHaveLength(1);
    expect(driver.repliesTo('late-instance')).toHaveLength(2);
    expect(slack.calls.filter((call) => call.method === 'chat.postEphemeral' || call.method === 'chat.postMessage')).toHaveLength(0);
  });

  it('completes an imaging triage the same way when Flower is slow', async () => {
    const id = await requestId(deployment.db, 'Jetstream Canary');
    const instance = (await getMachineRequest(deployment.db, id))!.instance.providerAlias;
    flower.tasks = [{ uuid: 't-img', name: 'service.tasks.machine.imaging_task', state: 'FAILURE', worker: 'celery@imaging1', args: `('${instance}',)`, received: 1_764_000_000, traceback: 'Traceback (most recent call last):\nOSError: [Errno 28] No space left on device' }];
    flower.queues = [{ name: 'imaging', messages: 1 }];
    flower.delayNext(2_000);
    flower.delayNext(2_000);
    const { slack, driver } = deployment;
    await driver.command(deployment.appUrls[0]!, { userId: KPATEL, text: `imaging triage ${id}`, replyId: 'late-imaging' });
    const first = await driver.reply('late-imaging');
    expect(JSON.stringify(first.body)).toContain('Still asking Flower: its answer is added when it arrives.');
    await slack.waitFor(() => driver.repliesTo('late-imaging').length >= 2, 10_000);
    const [, edit] = driver.repliesTo('late-imaging');
    expect(edit!.body['replace_original']).toBe(true);
    const text = JSON.stringify(edit!.body);
    expect(text).toContain('OSError: [Errno 28] No space left on device');
    expect(text).toContain('do NOT restart the imaging service now');
    expect(text).not.toContain('Still asking');
    expect(slack.shown('late-imaging')).toHaveLength(1);
  });
});
