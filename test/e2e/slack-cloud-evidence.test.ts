import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInstances } from '../../src/db/queries/instances.js';
import { getMachineRequest } from '../../src/db/queries/machine-requests.js';
import { startFakeArgo, type FakeArgo } from '../fakes/argo.js';
import { startFakeFlower, type FakeFlower } from '../fakes/flower.js';
import { startFakeOpenStack, type FakeOpenStack } from '../fakes/openstack.js';
import { deployWorkflow } from '../fixtures/argo-workflows.js';
import { requestId } from '../handlers/imaging/imaging-support.js';
import { startSlackDeployment, type SlackDeployment } from './slack-deployment.js';
import { cloudEnv } from './e2e-support.js';

const SECRET = 'e2e-slack-signing-secret';
const KPATEL = 'UKPATEL';

/** Block Kit sections of a Slack reply, as one text. */
function sectionsOf(body: Record<string, unknown>): string {
  const blocks = (body['blocks'] ?? []) as { type: string; text?: { text: string } }[];
  return blocks.filter((block) => block.type === 'section').map((block) => block.text?.text ?? '').join('\n');
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('Slack end to end: cloud evidence in the triage, through startBot with Nova, Flower and Argo configured', () => {
  let deployment: SlackDeployment;
  let cloud: FakeOpenStack;
  let flower: FakeFlower;
  let argo: FakeArgo;

  beforeAll(async () => {
    [cloud, flower, argo] = await Promise.all([startFakeOpenStack(), startFakeFlower(), startFakeArgo({ namespace: 'atmo-argo' })]);
    deployment = await startSlackDeployment({
      secret: SECRET,
      replicas: 1,
      users: { [KPATEL]: { email: 'kpatel@cyverse.org' } },
      botAdmins: 'slack:UADMIN',
      env: {
        ...cloudEnv({ cloud, flower, argo }),
      },
    });
  });

  afterAll(async () => {
    await deployment?.stop();
    await Promise.all([cloud?.close(), flower?.close(), argo?.close()]);
  });

  it("shows Nova's fault for an errored instance", async () => {
    const [vm] = await findInstances(deployment.db, 'gpu-test');
    cloud.servers.set(vm!.uuid, { status: 'ERROR', fault: { code: 500, message: 'No valid host was found. There are not enough hosts available.' } });
    await deployment.driver.command(deployment.appUrls[0]!, { userId: KPATEL, text: 'instance gpu-test', replyId: 'nova' });
    const text = sectionsOf((await deployment.driver.reply('nova')).body);
    expect(text).toContain('Fault (Nova): No valid host was found. There are not enough hosts available.');
    expect(text).toContain('Reading (staff guide): the cloud is near capacity');
    expect(cloud.calls.find((call) => call.path === `/compute/v2.1/servers/${vm!.uuid}`)?.headers['openstack-api-version']).toBe('compute 2.1');
  });

  it('shows the failed Argo step and its log tail for a deploy_error instance', async () => {
    const [vm] = await findInstances(deployment.db, 'docker-dev');
    argo.workflows.set('ansible-deploy-e2e01', deployWorkflow({ name: 'ansible-deploy-e2e01', uuid: vm!.uuid, username: 'alee2' }));
    await deployment.driver.command(deployment.appUrls[0]!, { userId: KPATEL, text: 'instance docker-dev', replyId: 'argo' });
    const reply = (await deployment.driver.reply('argo')).body;
    const text = sectionsOf(reply);
    expect(text).toContain('Failed step of ansible-deploy-e2e01: atmo-user-ssh-keys: Error (exit code 4)');
    expect(text).toContain('fatal: [149.165.157.133]: UNREACHABLE!');
    expect(JSON.stringify(reply)).toContain(`${vm!.id}:ansible-deploy-e2e01`);
  });

  it("shows the Flower traceback and the imaging-queue check in an imaging triage", async () => {
    const id = await requestId(deployment.db, 'Jetstream Canary');
    const instance = (await getMachineRequest(deployment.db, id))!.instance.providerAlias;
    flower.tasks = [{ uuid: 't-img', name: 'service.tasks.machine.imaging_task', state: 'FAILURE', worker: 'celery@imaging1', args: `('${instance}',)`, received: 1_764_000_000, traceback: 'Traceback (most recent call last):\nOSError: [Errno 28] No space left on device' }];
    flower.queues = [{ name: 'imaging', messages: 1 }];
    await deployment.driver.command(deployment.appUrls[0]!, { userId: KPATEL, text: `imaging triage ${id}`, replyId: 'flower' });
    const text = sectionsOf((await deployment.driver.reply('flower')).body);
    expect(text).toContain('FAILURE service.tasks.machine.imaging_task on celery@imaging1');
    expect(text).toContain('OSError: [Errno 28] No space left on device');
    expect(text).toContain('holds 1 message');
    expect(text).toContain('do NOT restart the imaging service now');
  });
});
