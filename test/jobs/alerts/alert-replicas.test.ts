import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import type { Deps } from '../../../src/deps.js';
import { openPostgres, withTransaction, type DatabaseHandle } from '../../../src/db/client.js';
import { migrateBotSchema } from '../../../src/db/migrate.js';
import { recordDemoObservations } from '../../../src/handlers/imaging/observe-machine-requests.js';
import { recordRequestEvent } from '../../../src/db/queries/request-events.js';
import { listPendingResourceRequests } from '../../../src/db/queries/resource-requests.js';
import { createEmbeddedGateway } from '../../../src/integrations/atmosphere/embedded-gateway.js';
import type { KeyValueStore } from '../../../src/integrations/kv/key-value-store.js';
import { createRedisStore } from '../../../src/integrations/kv/redis-store.js';
import { createAlertScanJob } from '../../../src/jobs/alert-scan-job.js';
import { createResourceReminderJob } from '../../../src/jobs/resource-reminder-job.js';
import { createRunCoordinator } from '../../../src/jobs/run-coordinator.js';
import { startScheduler, type ScheduledJob, type Scheduler } from '../../../src/jobs/scheduler.js';
import { createDispatcher } from '../../../src/bot/chat/create-dispatcher.js';
import { actionDefinitions, commandDefinitions } from '../../../src/handlers/index.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { createTestDatabase, TEST_NOW, type TestDatabase } from '../../support/databases.js';
import { commandEvent, createRecordingChat, dispatch, offlineDeps } from '../../support/test-deps.js';
import { freePort, hasRedisServer, startRedisServer, type ThrowawayRedis } from '../../integrations/kv/throwaway-redis.js';
import { machineRequestId, processingError, setMachineRequest, setResourceRequestStatus } from './mutate-requests.js';

interface Replica {
  deps: Deps;
  handle: DatabaseHandle;
  kv: KeyValueStore;
  scheduler: Scheduler;
}

/**
 * Two bot processes as far as the alert jobs can tell: each has its own Postgres pool, its own Redis
 * connection and its own scheduler; they share one database, one Redis and (to count) one chat.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL || !hasRedisServer)('alert threads across two replicas', () => {
  let database: TestDatabase;
  let redis: ThrowawayRedis;
  const chat = createRecordingChat();
  const ran: { job: string; slot: string; runner: string }[] = [];
  const replicas: Replica[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres', { demo: true });
    await migrateBotSchema(database.atmosphere);
    await recordDemoObservations(database.atmosphere.db, TEST_NOW);
    redis = await startRedisServer(await freePort());
    const prefix = `alerts-${randomBytes(4).toString('hex')}:`;
    for (const runner of ['replica-a', 'replica-b']) replicas.push(await startReplica(runner, prefix));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.scheduler.stop()));
    await Promise.all(replicas.map((replica) => replica.kv.close()));
    await Promise.all(replicas.map((replica) => replica.handle.close()));
    await redis?.kill();
    await database?.drop();
  });

  async function startReplica(runner: string, keyPrefix: string): Promise<Replica> {
    const { log } = createMemoryLogger('warn');
    const handle = openPostgres(database.url!, { max: 4 });
    const kv = await createRedisStore(`redis://127.0.0.1:${redis.port}`, { log, keyPrefix, maxReconnectDelayMs: 100 });
    const deps: Deps = offlineDeps({
      config: loadConfig({ ALERT_CHANNEL: 'console:alerts', ALERT_SCAN_CRON: '* * * * * *', REMINDER_CRON: '* * * * * *', RESOURCE_REQUEST_REMIND_HOURS: '72' }),
      log,
      db: handle.db,
      gateway: createEmbeddedGateway(handle.db, () => TEST_NOW),
      kv,
      chat: chat.port,
      now: () => TEST_NOW,
    });
    const counted = (job: ScheduledJob): ScheduledJob => ({
      ...job,
      run: async (context) => {
        ran.push({ job: job.name, slot: context.slot, runner });
        await job.run(context);
      },
    });
    const coordinator = createRunCoordinator({ kv, db: handle.db, runner, log });
    const jobs = [counted(createAlertScanJob(deps)), counted(createResourceReminderJob(deps))];
    const scheduler = startScheduler({ jobs, coordinator, log, now: () => TEST_NOW });
    return { deps, handle, kv, scheduler };
  }

  /** Waits until both jobs have run two more slots than now, so every change has been seen. */
  async function twoMoreSlots() {
    const count = (job: string) => ran.filter((entry) => entry.job === job).length;
    const scans = count('alert-scan') + 2;
    const reminders = count('resource-reminder') + 2;
    await vi.waitFor(() => expect(count('alert-scan') >= scans && count('resource-reminder') >= reminders).toBe(true), { timeout: 20_000, interval: 50 });
  }

  it('posts every alert and every thread update once while requests change and Redis dies', async () => {
    const db = database.atmosphere.db;
    const canary = await machineRequestId(db, 'Jetstream Canary');
    const pending = (await listPendingResourceRequests(db, { limit: 50 })).rows;
    const tgarcia = pending.find((row) => row.requester.username === 'tgarcia')!.id;
    // The reminder job threads every request pending longer than RESOURCE_REQUEST_REMIND_HOURS (72).
    const overdue = pending.filter((row) => TEST_NOW.getTime() - row.startDate.getTime() > 72 * 3_600_000).map((row) => `Resource request #${row.id}`);
    expect(overdue).toContain(`Resource request #${tgarcia}`);
    await twoMoreSlots();

    // In one transaction: a tick between the two writes would see the status change without the
    // event behind it (or the event without the change) and rightly say so in a line of its own.
    await withTransaction(db, async (tx) => {
      await recordRequestEvent(tx, { subject: 'machine_request', recordId: canary, at: TEST_NOW, actor: 'kpatel', platform: 'slack', action: 'resubmitted' });
      await setMachineRequest(db, canary, 'pending', undefined, tx);
    });
    await twoMoreSlots();
    await setMachineRequest(db, canary, 'started', 'processing - 6f1c');
    await twoMoreSlots();
    await setMachineRequest(db, canary, 'processing', processingError('second'));
    await twoMoreSlots();

    await redis.kill();
    await vi.waitFor(() => expect(replicas.every((replica) => !replica.kv.healthy())).toBe(true), { timeout: 10_000 });
    const ranBeforeOutage = ran.length;
    await setMachineRequest(db, canary, 'completed', 'completed');
    await setResourceRequestStatus(db, tgarcia, 'approved');
    await twoMoreSlots();
    await setMachineRequest(db, canary, 'processing', processingError('third'));
    await twoMoreSlots();
    expect(ran.length).toBeGreaterThan(ranBeforeOutage);

    // Commands still answer on a replica whose Redis is down.
    const dispatcher = createDispatcher(replicas[0]!.deps, commandDefinitions, actionDefinitions);
    const { replies } = await dispatch(dispatcher, commandEvent('requests', { id: 'op', actingAs: 'kpatel' }));
    expect(replies[0]?.text).toMatch(/^4 pending resource requests/);

    await Promise.all(replicas.map((replica) => replica.scheduler.stop()));

    // Each slot ran on exactly one replica, before and after Redis went away.
    for (const job of ['alert-scan', 'resource-reminder']) {
      const slots = ran.filter((entry) => entry.job === job).map((entry) => entry.slot);
      expect(new Set(slots).size).toBe(slots.length);
    }

    const parents = chat.posts.filter((post) => !post.thread).map((post) => post.reply.title!.split(':')[0] ?? '');
    expect(parents).toHaveLength(new Set(parents).size);
    expect(parents.filter((title) => title.startsWith('Imaging request'))).toHaveLength(6);
    expect(parents.filter((title) => title.startsWith('Resource request')).sort()).toEqual(overdue.sort());

    const canaryParent = chat.posts.find((post) => !post.thread && post.reply.title?.startsWith(`Imaging request #${canary}:`))!;
    const canaryThread = chat.posts.filter((post) => post.thread?.id === canaryParent.ref.id).map((post) => post.reply.text.split('\n')[0]);
    expect(canaryThread).toEqual([
      expect.stringMatching(/^kpatel re-submitted it on slack/),
      'Imaging started.',
      expect.stringMatching(/^Errored again \(imaging cache problem\)/),
      'Completed: the new image is ready. Resolved.',
      expect.stringMatching(/^Reopened\. Errored again/),
    ]);
    const reminder = chat.posts.find((post) => !post.thread && post.reply.title?.startsWith(`Resource request #${tgarcia}:`))!;
    expect(chat.posts.filter((post) => post.thread?.id === reminder.ref.id).map((post) => post.reply.text)).toEqual(['Approved. Resolved.']);
    const threadPosts = chat.posts.filter((post) => post.thread).map((post) => `${post.thread!.id}|${post.reply.text}`);
    expect(threadPosts).toHaveLength(new Set(threadPosts).size);
  }, 120_000);
});
