import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { createTestContext, type TestContext } from '../../support/test-deps.js';
import { runResourceReminders } from '../../../src/jobs/resource-reminder-job.js';
import { recordRequestEvent } from '../../../src/db/queries/request-events.js';
import { findAlertThread } from '../../../src/db/queries/alert-threads.js';
import { listPendingResourceRequests } from '../../../src/db/queries/resource-requests.js';
import { setResourceRequestStatus } from './mutate-requests.js';

describe.each(dbKinds())('resource request reminders on %s', (kind) => {
  let t: TestContext;
  let slot = 0;

  beforeAll(async () => {
    t = await createTestContext(kind, { env: { ALERT_CHANNEL: 'slack:CALERTS', RESOURCE_REQUEST_REMIND_HOURS: '72' } });
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  async function tick() {
    const posts = t.chat.posts.length;
    const updates = t.chat.updates.length;
    await runResourceReminders(t.deps, { now: TEST_NOW, slot: `s${++slot}` });
    return { posts: t.chat.posts.slice(posts), updates: t.chat.updates.slice(updates) };
  }

  async function idOf(username: string): Promise<number> {
    const { rows } = await listPendingResourceRequests(t.deps.db, { limit: 50 });
    return rows.find((row) => row.requester.username === username)!.id;
  }

  it('reminds once about each request pending longer than the threshold, with Approve/Deny buttons', async () => {
    const rnguyen = await idOf('rnguyen');
    const tgarcia = await idOf('tgarcia');
    const { posts } = await tick();
    expect(posts.map((p) => p.reply.title).sort()).toEqual([`Resource request #${rnguyen}: waiting 9 d`, `Resource request #${tgarcia}: waiting 3 wk`].sort());
    const reminder = posts.find((p) => p.reply.title?.startsWith(`Resource request #${tgarcia}:`))!;
    expect(reminder.channel).toEqual({ platform: 'slack', channel: 'CALERTS' });
    expect(reminder.reply.buttons).toEqual([
      { label: 'Approve', action: 'rr:approve', value: String(tgarcia), style: 'primary' },
      { label: 'Deny', action: 'rr:deny', value: String(tgarcia), style: 'danger' },
      { label: 'Close (duplicate or withdrawn)', action: 'rr:close', value: String(tgarcia) },
    ]);
    expect(await tick()).toEqual({ posts: [], updates: [] });
  });

  it('posts the decision in the reminder thread and resolves the parent', async () => {
    const tgarcia = await idOf('tgarcia');
    const parent = t.chat.posts.find((p) => p.reply.title?.startsWith(`Resource request #${tgarcia}:`))!;
    await setResourceRequestStatus(t.deps.db, tgarcia, 'denied');
    await recordRequestEvent(t.deps.db, { subject: 'resource_request', recordId: tgarcia, at: TEST_NOW, actor: 'mdelgado', platform: 'discord', action: 'denied', note: 'no MPI quota this term' });
    const step = await tick();
    expect(step.posts).toHaveLength(1);
    expect(step.posts[0]!.thread).toEqual(parent.ref);
    expect(step.posts[0]!.reply.text).toBe('mdelgado denied it on discord at 2026-11-23 17:00 UTC: no MPI quota this term.\nDenied. Resolved.');
    expect(step.updates).toHaveLength(1);
    expect(step.updates[0]!.reply.title).toBe(`Resource request #${tgarcia}: denied (resolved)`);
    expect(step.updates[0]!.reply.buttons).toBeUndefined();
    expect((await findAlertThread(t.deps.db, 'resource_request', tgarcia))?.state).toBe('resolved');
    expect(await tick()).toEqual({ posts: [], updates: [] });
  });
});
