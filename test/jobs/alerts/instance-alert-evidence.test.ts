import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { MessageRef } from '../../../src/bot/chat/chat-event.js';
import type { ChatPort } from '../../../src/bot/chat/chat-port.js';
import type { Reply } from '../../../src/bot/chat/reply.js';
import { alertThread } from '../../../src/db/bot-schema/index.js';
import { findInstances, type InstanceRow } from '../../../src/db/queries/instances.js';
import type { Deps } from '../../../src/deps.js';
import { createArgoClient } from '../../../src/integrations/argo/argo-client.js';
import { createFlowerClient } from '../../../src/integrations/flower/flower-client.js';
import { createMemoryStore } from '../../../src/integrations/kv/memory-store.js';
import { createOpenStackClouds } from '../../../src/integrations/openstack/openstack-clients.js';
import { runInstanceAlertScan } from '../../../src/jobs/instance-alert-scan-job.js';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { createTestContext, type TestContext } from '../../support/test-deps.js';
import { startFakeArgo, type FakeArgo } from '../../fakes/argo.js';
import { startFakeFlower, type FakeFlower } from '../../fakes/flower.js';
import { startFakeOpenStack, type FakeOpenStack } from '../../fakes/openstack.js';
import { deployWorkflow } from '../../fixtures/argo-workflows.js';
import { setInstanceStatus } from './mutate-instances.js';

const NO_HOST = { code: 500, message: 'No valid host was found. There are not enough hosts available.', created: '2026-11-23T16:40:00Z' };

/** A chat port that records when each post and edit happened (performance.now()), as the real ones would see it. */
function timedChat() {
  const posts: { reply: Reply; thread?: MessageRef; ref: MessageRef; at: number }[] = [];
  const updates: { message: MessageRef; reply: Reply; at: number }[] = [];
  let next = 1;
  const port: ChatPort = {
    async post(channel, reply, options) {
      const ref: MessageRef = { platform: 'console', channel: channel.channel, id: `m${next++}`, ...(options?.thread ? { threadId: options.thread.id } : {}) };
      posts.push({ reply, ref, at: performance.now(), ...(options?.thread ? { thread: options.thread } : {}) });
      return ref;
    },
    async update(message, reply) {
      updates.push({ message, reply, at: performance.now() });
    },
  };
  return { port, posts, updates };
}

const body = (reply: Reply) => [reply.text, ...(reply.sections ?? []).map((section) => section.text), reply.footer ?? ''].join('\n');

describe.each(dbKinds())('the cloud evidence in instance alert threads on %s', (kind) => {
  let t: TestContext;
  let cloud: FakeOpenStack | undefined;
  let flower: FakeFlower | undefined;
  let argo: FakeArgo | undefined;
  const rows: Record<string, InstanceRow> = {};

  beforeAll(async () => {
    t = await createTestContext(kind, { env: { ALERT_CHANNEL: 'console:alerts', ARGO_NAMESPACE: 'atmo-argo' } });
    for (const name of ['gpu-test', 'docker-dev', 'thesis-sim-02']) rows[name] = (await findInstances(t.deps.db, name))[0]!;
  }, 180_000);
  afterAll(async () => {
    await t?.database.drop();
  });
  afterEach(async () => {
    await Promise.all([cloud?.close(), flower?.close(), argo?.close()]);
    cloud = flower = argo = undefined;
    // Each test starts with no instance thread, so every alert is posted again.
    await t.deps.db.delete(alertThread).where(eq(alertThread.subject, 'instance'));
  });

  /** The job's deps with fake Nova (for the providers given), Flower and Argo, each with its own options. */
  async function sources(options: { novaProviders?: number[]; novaTimeoutMs?: number; flowerPassword?: string; flowerTimeoutMs?: number; argoToken?: string; waitMs?: number } = {}) {
    const gpu = rows['gpu-test']!;
    const dev = rows['docker-dev']!;
    cloud = await startFakeOpenStack({ servers: { [gpu.uuid]: { status: 'ERROR', vmState: 'error', powerState: 0, fault: NO_HOST }, [dev.uuid]: { status: 'SHUTOFF', vmState: 'stopped', powerState: 4 } } });
    flower = await startFakeFlower({
      tasks: [{ uuid: 't-dep', name: 'service.tasks.driver.deploy_init_to', state: 'FAILURE', worker: 'celery@atmo1', args: `('${dev.uuid}',)`, received: 1_763_900_000, traceback: 'Traceback (most recent call last):\nAnsibleDeployException: ssh unreachable' }],
    });
    argo = await startFakeArgo({ namespace: 'atmo-argo', workflows: [deployWorkflow({ name: 'ansible-deploy-al01', uuid: dev.uuid, username: 'alee2' })] });
    const providers = options.novaProviders ?? [...new Set(Object.values(rows).map((row) => row.providerId))];
    const log = t.deps.log;
    const openstack = createOpenStackClouds({
      clouds: providers.map((providerId) => ({ providerId, authUrl: cloud!.authUrl, applicationCredentialId: cloud!.credentialId, applicationCredentialSecret: cloud!.credentialSecret, regionName: undefined, interface: 'public' as const })),
      log,
      timeoutMs: options.novaTimeoutMs ?? 5_000,
    });
    const chat = timedChat();
    const deps: Deps = {
      ...t.deps,
      config: { ...t.deps.config, EVIDENCE_WAIT_MS: options.waitMs ?? 2_000, FLOWER_URL: flower.url },
      chat: chat.port,
      kv: createMemoryStore(),
      openstack,
      flower: createFlowerClient({ baseUrl: flower.url, user: flower.user, password: options.flowerPassword ?? flower.password, timeoutMs: options.flowerTimeoutMs ?? 5_000, log }),
      argo: createArgoClient({ baseUrl: argo.url, token: options.argoToken ?? argo.token, namespace: 'atmo-argo', timeoutMs: 5_000, log }),
    };
    return { deps, chat };
  }

  const tick = (deps: Deps, seconds = 0) => runInstanceAlertScan(deps, { now: new Date(TEST_NOW.getTime() + seconds * 1000), slot: new Date(TEST_NOW.getTime() + seconds * 1000).toISOString() });

  function threadOf(chat: ReturnType<typeof timedChat>, name: string) {
    const parent = chat.posts.find((post) => !post.thread && post.reply.title?.includes(`"${name}"`));
    expect(parent, `a parent for ${name}`).toBeDefined();
    return chat.posts.filter((post) => post.thread?.id === parent!.ref.id);
  }
  const evidenceIn = (chat: ReturnType<typeof timedChat>, name: string) => threadOf(chat, name).filter((post) => post.reply.text.startsWith('Evidence from the cloud'));

  it("posts Nova's fault, the mismatch, the failed Argo step with its log and Resubmit, and Flower's traceback in the thread, each naming its source", async () => {
    const { deps, chat } = await sources();
    await tick(deps);
    const gpu = rows['gpu-test']!;
    const [gpuEvidence] = evidenceIn(chat, 'gpu-test');
    const gpuText = body(gpuEvidence!.reply);
    expect(gpuText).toContain(`(Nova of provider ${gpu.providerId}, read `);
    expect(gpuText).toContain('Fault (Nova): No valid host was found. There are not enough hosts available. (code 500, recorded 2026-11-23 16:40 UTC)');
    expect(gpuText).toContain('Reading (staff guide): the cloud is near capacity');
    expect(gpuText).toContain(`(Flower, search "${gpu.uuid}", read `);
    expect(gpuEvidence!.reply.visibility).toBe('channel');

    const devText = body(evidenceIn(chat, 'docker-dev')[0]!.reply);
    expect(devText).toContain('Mismatch: Atmosphere shows deploy_error / deploy_error, Nova says SHUTOFF. The server is powered off on the cloud.');
    expect(devText).toContain('*Argo: deployment workflows*\n(Argo Server, namespace atmo-argo, read ');
    expect(devText).toContain('Failed step of ansible-deploy-al01: atmo-user-ssh-keys: Error (exit code 4)');
    expect(devText).toMatch(/\| fatal: \[149\.165\.157\.133\]: UNREACHABLE!/);
    expect(devText).toContain('FAILURE service.tasks.driver.deploy_init_to on celery@atmo1');
    expect(devText).toContain('AnsibleDeployException: ssh unreachable');
    expect(evidenceIn(chat, 'docker-dev')[0]!.reply.buttons).toEqual([{ label: 'Resubmit workflow', action: 'in:argo-resubmit', value: `${rows['docker-dev']!.id}:ansible-deploy-al01` }]);
    // Nothing was late, so nothing was edited; every errored or stuck instance got one evidence reply.
    expect(chat.updates.filter((update) => update.reply.text.startsWith('Evidence'))).toHaveLength(0);
    for (const name of ['gpu-test', 'docker-dev', 'thesis-sim-02']) expect(evidenceIn(chat, name)).toHaveLength(1);
    expect(JSON.stringify(chat.posts)).not.toContain(cloud!.credentialSecret);
    expect(JSON.stringify(chat.posts)).not.toContain(flower!.password);
    expect(JSON.stringify(chat.posts)).not.toContain(argo!.token);

    // Later ticks with nothing changed ask no source again, even with an empty cache, and post nothing.
    const novaCalls = cloud!.calls.length;
    const flowerCalls = flower!.calls.length;
    const posts = chat.posts.length;
    await tick({ ...deps, kv: createMemoryStore() }, 60);
    await tick({ ...deps, kv: createMemoryStore() }, 120);
    expect(cloud!.calls.length).toBe(novaCalls);
    expect(flower!.calls.length).toBe(flowerCalls);
    expect(chat.posts.length).toBe(posts);

    // A change of state asks again, and tells it in the thread beside the change.
    await setInstanceStatus(t.deps.db, gpu.id, 'deploy_error', 'deploy_error', new Date(TEST_NOW.getTime() + 150_000));
    await tick({ ...deps, kv: createMemoryStore() }, 180);
    expect(cloud!.calls.filter((call) => call.path === `/compute/v2.1/servers/${gpu.uuid}`)).toHaveLength(2);
    expect(evidenceIn(chat, 'gpu-test')).toHaveLength(2);
    expect(evidenceIn(chat, 'docker-dev')).toHaveLength(1);
  });

  it('posts one evidence reply per thread when two runners scan at once', async () => {
    const { deps, chat } = await sources();
    // Two runners with their own caches, as two replicas: the thread's claim lets one post.
    await Promise.all([tick(deps), tick({ ...deps, kv: createMemoryStore() })]);
    for (const name of ['gpu-test', 'docker-dev', 'thesis-sim-02']) {
      expect(chat.posts.filter((post) => !post.thread && post.reply.title?.includes(`"${name}"`))).toHaveLength(1);
      expect(evidenceIn(chat, name)).toHaveLength(1);
    }
  });

  it('does not hold the post for a slow source past EVIDENCE_WAIT_MS, and edits it when the answer arrives', async () => {
    const { deps, chat } = await sources({ waitMs: 300 });
    const gpu = rows['gpu-test']!;
    cloud!.delayNext(`/compute/v2.1/servers/${gpu.uuid}`, 1_500);
    const started = performance.now();
    await tick(deps);
    const [first] = evidenceIn(chat, 'gpu-test');
    expect(first!.at - started).toBeLessThan(1_200);
    expect(body(first!.reply)).toContain('Still asking Nova: its answer is added when it arrives.');
    expect(body(first!.reply)).toContain('the sources still out are added to this message when they answer');
    const edit = chat.updates.find((update) => update.message.id === first!.ref.id);
    expect(edit, 'the evidence message edited').toBeDefined();
    expect(edit!.at - started).toBeGreaterThanOrEqual(1_400);
    expect(body(edit!.reply)).toContain('Fault (Nova): No valid host was found.');
    expect(body(edit!.reply)).not.toContain('Still asking');
    expect(edit!.reply.footer).toMatch(/completed .* with the late answers/);
    // The late answer edited the one message: no second evidence reply.
    expect(evidenceIn(chat, 'gpu-test')).toHaveLength(1);
  });

  it('shows the command to run for a source that refused its credential, timed out or is not configured', async () => {
    const dev = rows['docker-dev']!;
    const others = Object.values(rows).filter((row) => row.providerId !== dev.providerId).map((row) => row.providerId);
    const { deps, chat } = await sources({ novaProviders: others, flowerPassword: 'wrong-flower-secret', argoToken: 'wrong-argo-token-5c2' });
    await tick(deps);
    const text = body(evidenceIn(chat, 'docker-dev')[0]!.reply);
    expect(text).toContain(`Not asked: OPENSTACK_CLOUDS names no cloud for provider ${dev.providerId}`);
    expect(text).toContain(`Run by hand: \`nova show ${dev.uuid}\``);
    expect(text).toMatch(/Could not ask Flower: .*401/);
    expect(text).toContain(`Search by hand: ${flower!.url.replace(/\/+$/, '')}/tasks (search for ${dev.uuid}, or alee2)`);
    expect(text).toMatch(/Could not ask Argo Server: .*401/);
    expect(text).toContain(`Run by hand: \`argo list -n atmo-argo -l instance_uuid=${dev.uuid}\``);
    expect(text).toContain(`The failed step and its log by hand: \`argo get -n atmo-argo $(argo list -n atmo-argo -l instance_uuid=${dev.uuid} -o name | head -n 1)\` and \`argo logs -n atmo-argo`);
    expect(evidenceIn(chat, 'docker-dev')[0]!.reply.buttons).toBeUndefined();
    const everything = JSON.stringify([chat.posts, t.logLines]);
    expect(everything).not.toContain('wrong-flower-secret');
    expect(everything).not.toContain('wrong-argo-token-5c2');
    await Promise.all([cloud!.close(), flower!.close(), argo!.close()]);

    // A Nova that does not answer within its timeout: said, with the command, and the rest is posted.
    const gpu = rows['gpu-test']!;
    await t.deps.db.delete(alertThread).where(eq(alertThread.subject, 'instance'));
    const slow = await sources({ novaTimeoutMs: 300, waitMs: 2_000 });
    for (let i = 0; i < 5; i += 1) cloud!.delayNext(`/compute/v2.1/servers/${gpu.uuid}`, 2_000);
    await tick(slow.deps);
    const gpuText = body(evidenceIn(slow.chat, 'gpu-test')[0]!.reply);
    expect(gpuText).toMatch(new RegExp(`Could not ask Nova of provider ${gpu.providerId}: .*waited 300 ms`));
    expect(gpuText).toContain(`Run by hand: \`nova show ${gpu.uuid}\``);
    expect(gpuText).toContain(`(Flower, search "${gpu.uuid}", read `);
  });
});
