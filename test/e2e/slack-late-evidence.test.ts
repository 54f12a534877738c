import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInstances } from '../../src/db/queries/instances.js';
import { getMachineRequest } from '../../src/db/queries/machine-requests.js';
import { startFakeFlower, type FakeFlower } from '../fakes/flower.js';
import { startFakeOpenStack, type FakeOpenStack } from '../fakes/openstack.js';
import { requestId } from '../handlers/imaging/imaging-support.js';
import { startSlackDeployment, type SlackDeployment } from './slack-deployment.js';
import { cloudEnv } from './e2e-support.js';

const SECRET = 'e2e-slack-late-evidence-secret';
const KPATEL = 'UKPATEL';

function sectionsOf(body: Record<string, unknown>): string {
  const blocks = (body['blocks'] ?? []) as { type: string; text?: { text: string } }[];
  return blocks.filter((block) => block.type === 'section' || block.type === 'context').map((block) => block.text?.text ?? JSON.stringify(block)).join('\n');
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('Slack end to end: late evidence edits the first answer of a slash command or a click', () => {
  let deployment: SlackDeployment;
  let cloud: FakeOpenStack;
  let flower: FakeFlower;

  beforeAll(async () => {
    [cloud, flower] = await Promise.all([startFakeOpenStack(), startFakeFlower()]);
    deployment = await startSlackDeployment({
      secret: SECRET,
      replicas: 1,
      users: { [KPATEL]: { email: 'kpatel@cyverse.org' } },
      botAdmins: 'slack:UADMIN',
      env: {
        ...cloudEnv({ cloud, flower }),
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

  it("completes a view opened by Show on the asker's own ephemeral list in that message's place: one message in the end", async () => {
    const [vm] = await findInstances(deployment.db, 'docker-dev');
    cloud.servers.set(vm!.uuid, { status: 'SHUTOFF', vmState: 'stopped', powerState: 4 });
    cloud.delayNext(`/compute/v2.1/servers/${vm!.uuid}`, 2_000);
    const { slack, driver } = deployment;
    await driver.click(deployment.appUrls[0]!, { userId: KPATEL, action: 'in:show', value: String(vm!.id), messageTs: '1764000000.000100', replyId: 'late-click', ephemeral: true });
    const first = await driver.reply('late-click');
    // The list the button sat on is the asker's own ephemeral message: the view takes its place.
    expect(first.body['replace_original']).toBe(true);
    expect(first.body['response_type']).toBe('ephemeral');
    expect(sectionsOf(first.body)).toContain('Still asking Nova: its answer is added when it arrives.');
    await slack.waitFor(() => driver.repliesTo('late-click').length >= 2, 10_000);
    const [, edit] = driver.repliesTo('late-click');
    expect(edit!.body['replace_original']).toBe(true);
    expect(edit!.body['response_type']).toBe('ephemeral');
    expect(sectionsOf(edit!.body)).toContain('Nova: SHUTOFF (vm stopped, no task, power SHUTDOWN (4))');
    expect(sectionsOf(edit!.body)).not.toContain('Still asking');
    expect(JSON.stringify(edit!.body)).toContain('Completed');
    expect(JSON.stringify(edit!.body)).not.toContain('(with the late evidence)');
    expect(slack.shown('late-click')).toHaveLength(1);
    expect(driver.repliesTo('late-click')).toHaveLength(2);
    expect(slack.calls.filter((call) => ['chat.postEphemeral', 'chat.postMessage', 'chat.update'].includes(call.method))).toHaveLength(0);
  });

  it('never replaces a message others see (an alert in a channel): there the whole view follows as a second message', async () => {
    const [vm] = await findInstances(deployment.db, 'thesis-sim-02');
    cloud.servers.set(vm!.uuid, { status: 'ACTIVE' });
    cloud.delayNext(`/compute/v2.1/servers/${vm!.uuid}`, 2_000);
    const { slack, driver } = deployment;
    await driver.click(deployment.appUrls[0]!, { userId: KPATEL, action: 'in:show', value: String(vm!.id), messageTs: '1764000000.000200', replyId: 'late-alert-click' });
    const first = await driver.reply('late-alert-click');
    expect(first.body['replace_original']).toBe(false);
    expect(sectionsOf(first.body)).toContain('Still asking Nova');
    await slack.waitFor(() => driver.repliesTo('late-alert-click').length >= 2, 10_000);
    const [, second] = driver.repliesTo('late-alert-click');
    expect(second!.body['replace_original']).toBe(false);
    expect(JSON.stringify(second!.body)).toContain('(with the late evidence)');
    expect(sectionsOf(second!.body)).not.toContain('Still asking');
    expect(driver.repliesTo('late-alert-click').every((response) => response.body['replace_original'] !== true)).toBe(true);
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
