import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/test-deps.js';
import { jobRun } from '../../src/db/bot-schema/index.js';
import { createJobRunPruneJob, JOB_RUN_KEEP_MS } from '../../src/jobs/job-run-prune-job.js';
import { TEST_NOW } from '../support/databases.js';

describe('job-run prune job', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('pglite', { demo: false, troposphere: false });
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  it('removes election rows older than the keep period and nothing newer', async () => {
    const at = (msAgo: number) => new Date(TEST_NOW.getTime() - msAgo);
    await t.deps.db.insert(jobRun).values([
      { slotKey: 'alert-scan:old', job: 'alert-scan', runner: 'a', ranAt: at(JOB_RUN_KEEP_MS + 60_000) },
      { slotKey: 'alert-scan:recent', job: 'alert-scan', runner: 'b', ranAt: at(JOB_RUN_KEEP_MS - 60_000) },
    ]);
    await createJobRunPruneJob(t.deps).run({ now: TEST_NOW, slot: 'job-run-prune:test' });
    const left = await t.deps.db.select({ slotKey: jobRun.slotKey }).from(jobRun);
    expect(left).toEqual([{ slotKey: 'alert-scan:recent' }]);
  });
});
