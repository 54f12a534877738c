import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isNull } from 'drizzle-orm';
import { application, instanceSource, providerMachine } from '../../src/db/atmosphere-schema.js';
import { runReplicaReport } from '../../src/jobs/replica-report-job.js';
import { dbKinds, TEST_NOW } from '../support/databases.js';
import { createTestContext, type TestContext } from '../support/test-deps.js';
import { insertImage, providerIdOf } from '../handlers/images/image-scenario.js';

const TUCSON = 'CyVerse Cloud - Tucson';
const IU = 'Jetstream - Indiana University';
const week = (n: number) => new Date(TEST_NOW.getTime() + n * 7 * 86_400_000);

describe.each(dbKinds())('the weekly replica report on %s', (kind) => {
  let t: TestContext;
  let missing: Awaited<ReturnType<typeof insertImage>>;

  beforeEach(async () => {
    t = await createTestContext(kind, { env: { ALERT_CHANNEL: 'slack:CALERTS', IMAGE_MASTER_PROVIDER: TUCSON, IMAGE_REPLICA_PROVIDERS: IU } });
    await t.deps.db.update(application).set({ endDate: new Date(TEST_NOW.getTime() - 3_600_000) }).where(isNull(application.endDate));
    await insertImage(t.deps.db, { name: 'Complete Everywhere', owner: 'kpatel', providers: [TUCSON, IU] });
    missing = await insertImage(t.deps.db, { name: 'Never Copied', owner: 'kpatel', providers: [TUCSON] });
  });
  afterEach(async () => {
    await t.database.drop();
  });

  it('posts one thread, stays quiet while nothing changes, and edits it and says so when something does', async () => {
    expect(await runReplicaReport(t.deps, { now: week(0), slot: week(0).toISOString() })).toBe('opened');
    expect(t.chat.posts).toHaveLength(1);
    const parent = t.chat.posts[0]!;
    expect(parent.channel).toEqual({ platform: 'slack', channel: 'CALERTS' });
    expect(parent.reply.visibility).toBe('channel');
    expect(parent.reply.sections!.map((s) => s.text).join('\n')).toContain(`#${missing.applicationId} "Never Copied"`);

    // Run twice the same week, as two replicas would: nothing more is posted.
    expect(await runReplicaReport(t.deps, { now: week(1), slot: week(1).toISOString() })).toBe('unchanged');
    expect(await runReplicaReport(t.deps, { now: week(1), slot: week(1).toISOString() })).toBe('unchanged');
    expect(t.chat.posts).toHaveLength(1);

    // Staff ran the sync script: the copy exists on the replica now.
    const source = (await t.deps.db.insert(instanceSource).values({ identifier: 'copied-on-iu', startDate: TEST_NOW, providerId: await providerIdOf(t.deps.db, IU) }).returning())[0]!;
    await t.deps.db.insert(providerMachine).values({ applicationVersionId: missing.versionId, instanceSourceId: source.id });
    expect(await runReplicaReport(t.deps, { now: week(2), slot: week(2).toISOString() })).toBe('updated');
    expect(t.chat.posts).toHaveLength(2);
    expect(t.chat.posts[1]!.thread).toEqual(parent.ref);
    expect(t.chat.posts[1]!.reply.text).toContain('every replica is complete now (was 1 problem(s))');
    expect(t.chat.updates.at(-1)!.message).toEqual(parent.ref);
    expect(t.chat.updates.at(-1)!.reply.text).toContain('Every application current on the master is complete on each replica.');
  });

  it('posts nothing when every replica is complete, or without its settings', async () => {
    await t.deps.db.update(application).set({ endDate: TEST_NOW }).where(isNull(application.endDate));
    expect(await runReplicaReport(t.deps, { now: week(0), slot: week(0).toISOString() })).toBe('unchanged');
    const unset = await createTestContext(kind, { env: { ALERT_CHANNEL: 'slack:CALERTS' } });
    try {
      expect(await runReplicaReport(unset.deps, { now: week(0), slot: week(0).toISOString() })).toBeNull();
    } finally {
      await unset.database.drop();
    }
    expect(t.chat.posts).toHaveLength(0);
  });
});
