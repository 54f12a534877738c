import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/test-deps.js';
import { TEST_NOW } from '../support/databases.js';
import { createDemoImagingJob, DEMO_IMAGING_STEP_MS } from '../../src/jobs/demo-imaging-job.js';
import { buildJobs } from '../../src/jobs/index.js';
import { getMachineRequests } from '../../src/db/queries/alert-scan.js';
import { advanceQueueIfWaiting } from '../../src/handlers/imaging/advance-queue-if-waiting.js';
import { enqueueImagingRequest, listImagingQueue } from '../../src/db/queries/imaging-queue.js';
import { machineRequestId } from './alerts/mutate-requests.js';

describe('the demo imaging pipeline (embedded mode)', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('pglite');
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  const at = (minutes: number) => new Date(TEST_NOW.getTime() + minutes * 60_000);
  const statusOf = async (id: number) => {
    const [row] = await getMachineRequests(t.deps.db, [id]);
    return { status: row!.status, oldStatus: row!.oldStatus, endDate: row!.endDate };
  };

  it('is scheduled in embedded mode only', () => {
    expect(buildJobs(t.deps).map((job) => job.name)).toContain('demo-imaging-pipeline');
    const production = { ...t.deps, config: { ...t.deps.config, embedded: false } };
    expect(buildJobs(production).map((job) => job.name)).not.toContain('demo-imaging-pipeline');
  });

  it('plays the chain a step a minute, leaves errors and the stuck example alone, and lets the queue drain', async () => {
    const job = createDemoImagingJob(t.deps);
    const tick = async (minutes: number) => {
      t.setNow(at(minutes));
      await job.run({ now: at(minutes), slot: at(minutes).toISOString() });
    };
    const running = await machineRequestId(t.deps.db, 'Ubuntu 18.04 NoGUI Base');
    const stuck = await machineRequestId(t.deps.db, 'Thesis MPI Environment');
    const errored = await machineRequestId(t.deps.db, 'Jetstream Canary');
    const waiting = await machineRequestId(t.deps.db, 'Trinity 2.11 RNA-Seq');
    const before = { stuck: await statusOf(stuck), errored: await statusOf(errored) };

    await tick(0); // the first look: nothing moves yet
    expect((await statusOf(running)).status).toBe('started');
    await tick(0.5); // under a step: still nothing
    expect((await statusOf(running)).status).toBe('started');

    await tick(1);
    const processing = await statusOf(running);
    expect(processing.status).toBe('processing');
    expect(processing.oldStatus).toMatch(/^processing - [0-9a-f-]{36}$/);
    await tick(2);
    expect(await statusOf(running)).toMatchObject({ status: 'validating', oldStatus: 'validating' });
    await tick(3);
    expect(await statusOf(running)).toMatchObject({ status: 'completed', oldStatus: 'completed', endDate: at(3) });

    // The example of a request stuck in started, and a request whose old_status holds an error, stay.
    expect(await statusOf(stuck)).toEqual(before.stuck);
    expect(await statusOf(errored)).toEqual(before.errored);

    // The stuck one still holds the slot, as it would in Atmosphere, until staff deal with it: here
    // they close it. Then a request queued behind the slot is approved, and played on like any other.
    await t.deps.gateway.setMachineRequestStatus({ id: stuck, status: 'closed' });
    await enqueueImagingRequest(t.deps.db, { requestId: waiting, queuedBy: 'kpatel', platform: 'console', queuedAt: at(3) });
    for (let minute = 4; minute <= 12 && (await listImagingQueue(t.deps.db)).length > 0; minute += 1) {
      await tick(minute);
      await advanceQueueIfWaiting(t.deps);
    }
    expect(await listImagingQueue(t.deps.db)).toEqual([]);
    const started = await statusOf(waiting);
    expect(started.status).toBe('started');
    let minute = 13;
    for (; minute < 20 && (await statusOf(waiting)).status !== 'completed'; minute += 1) await tick(minute);
    expect((await statusOf(waiting)).status).toBe('completed');
    // Three steps after the start, a step a minute.
    expect(DEMO_IMAGING_STEP_MS).toBe(60_000);
    expect(minute - 13).toBeLessThanOrEqual(4);
  });
});
