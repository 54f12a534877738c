import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import type { Deps } from '../../../src/deps.js';
import { openPostgres, type DatabaseHandle } from '../../../src/db/client.js';
import { migrateBotSchema } from '../../../src/db/migrate.js';
import { recordRequestEvent } from '../../../src/db/queries/request-events.js';
import { createEmbeddedGateway } from '../../../src/integrations/atmosphere/embedded-gateway.js';
import type { KeyValueStore } from '../../../src/integrations/kv/key-value-store.js';
import { createRedisStore } from '../../../src/integrations/kv/redis-store.js';
import { createInstanceAlertScanJob } from '../../../src/jobs/instance-alert-scan-job.js';
import { createRunCoordinator } from '../../../src/jobs/run-coordinator.js';
import { startScheduler, type ScheduledJob, type Scheduler } from '../../../src/jobs/scheduler.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { createTestDatabase, TEST_NOW, type TestDatabase } from '../../support/databases.js';
import { createRecordingChat, offlineDeps } from '../../support/test-deps.js';
import { freePort, hasRedisServer, startRedisServer, type ThrowawayRedis } from '../../integrations/kv/throwaway-redis.js';
import { deleteInstance, instanceIdOf, setInstanceStatus } from './mutate-instances.js';

const STUCK_DEMO_INSTANCES = ['workshop-docker', 'docker-dev', 'blast-runner', 'thesis-sim-02', 'gpu-test'];
const later = (seconds: number) => new Date(TEST_NOW.getTime() + seconds * 1000);

/** Two bot processes with their own pools, Redis connections and schedulers, one database and one chat. */
describe.skipIf(!process.env.TEST_DATABASE_URL || !hasRedisServer)('instance alert threads across two replicas', () => {
  let database: TestDatabase;
  let redis: ThrowawayRedis;
  const chat = createRecordingChat();
  const ran: { slot: string; runner: string }[] = [];
  const replicas: { handle: DatabaseHandle; kv: KeyValueStore; scheduler: Scheduler }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres', { demo: true });
    await migrateBotSchema(database.atmosphere);
    redis = await startRedisServer(await freePort());
    const prefix = `instance-alerts-${randomBytes(4).toString('hex')}:`;
    for (const runner of ['replica-a', 'replica-b']) {
      const { log } = createMemoryLogger('warn');
      const handle = openPostgres(database.url!, { max: 4 });
      const kv = await createRedisStore(`redis://127.0.0.1:${redis.port}`, { log, keyPrefix: prefix, maxReconnectDelayMs: 100 });
      const deps: Deps = offlineDeps({
        config: loadConfig({ ALERT_CHANNEL: 'console:alerts', ALERT_SCAN_CRON: '* * * * * *' }),
        log,
        db: handle.db,
        gateway: createEmbeddedGateway(handle.db, () => TEST_NOW),
        kv,
        chat: chat.port,
        now: () => TEST_NOW,
      });
      const job = createInstanceAlertScanJob(deps);
      const counted: ScheduledJob = { ...job, run: async (context) => { ran.push({ slot: context.slot, runner }); await job.run(context); } };
      const scheduler = startScheduler({ jobs: [counted], coordinator: createRunCoordinator({ kv, db: handle.db, runner, log }), log, now: () => TEST_NOW });
      replicas.push({ handle, kv, scheduler });
    }
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.scheduler.stop()));
    await Promise.all(replicas.map((replica) => replica.kv.close()));
    await Promise.all(replicas.map((replica) => replica.handle.close()));
    await redis?.kill();
    await database?.drop();
  });

  async function twoMoreSlots() {
    const target = ran.length + 2;
    await vi.waitFor(() => expect(ran.length).toBeGreaterThanOrEqual(target), { timeout: 20_000, interval: 50 });
  }

  it('opens one thread per errored or stuck instance and posts each later change once', async () => {
    const db = database.atmosphere.db;
    const dockerDev = await instanceIdOf(db, 'docker-dev');
    const gpuTest = await instanceIdOf(db, 'gpu-test');
    const intro = await instanceIdOf(db, 'intro-to-linux');
    await twoMoreSlots();

    await recordRequestEvent(db, { subject: 'instance', recordId: dockerDev, at: later(1), actor: 'kpatel', platform: 'slack', action: 'redeployed' });
    await setInstanceStatus(db, dockerDev, 'redeploy', 'redeploying', later(1));
    await twoMoreSlots();
    await setInstanceStatus(db, dockerDev, 'deploying', 'deploying', later(2));
    await twoMoreSlots();
    await setInstanceStatus(db, dockerDev, 'active', null, later(3));
    await deleteInstance(db, gpuTest, later(3));
    await twoMoreSlots();
    await setInstanceStatus(db, dockerDev, 'active', 'deploy_error', later(4));
    await setInstanceStatus(db, intro, 'active', 'networking', later(4));
    await twoMoreSlots();
    await twoMoreSlots();
    await Promise.all(replicas.map((replica) => replica.scheduler.stop()));

    const slots = ran.map((entry) => entry.slot);
    expect(new Set(slots).size).toBe(slots.length);

    const parents = chat.posts.filter((post) => !post.thread);
    const names = parents.map((post) => /"([^"]+)"/.exec(post.reply.title ?? '')?.[1]);
    expect(names.sort()).toEqual([...STUCK_DEMO_INSTANCES].sort());
    const thread = (name: string) => {
      const parent = parents.find((post) => post.reply.title?.includes(`"${name}"`))!;
      // Every line told, whichever tick told it (an event and a status change may land in one tick or two).
      return chat.posts
        .filter((post) => post.thread?.id === parent.ref.id)
        .flatMap((post) => post.reply.text.split('\n'))
        .filter((line) => !line.startsWith('Next: '));
    };
    expect(thread('docker-dev')).toEqual([
      expect.stringMatching(/^kpatel redeployed it on slack at /),
      'Redeploying.',
      'Deploying: Ansible is running on it.',
      'Active: green light. Resolved.',
      expect.stringMatching(/^Reopened\. Error \(deploy error\): The instance is in deploy_error/),
    ]);
    expect(thread('gpu-test')).toEqual(['Deleted. Resolved.']);
    // Back in networking a moment ago: watched, not stuck, so no thread.
    expect(parents.some((post) => post.reply.title?.includes('"intro-to-linux"'))).toBe(false);
    const threadPosts = chat.posts.filter((post) => post.thread).map((post) => `${post.thread!.id}|${post.reply.text}`);
    expect(threadPosts).toHaveLength(new Set(threadPosts).size);
  }, 120_000);
});
