import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMaintenanceReminderJob, runMaintenanceReminders } from '../../src/jobs/maintenance-reminder-job.js';
import { insertMaintenanceWindow, transitionMaintenanceWindow } from '../../src/db/queries/maintenance-windows.js';
import { insertAtmosphereMaintenance } from '../../src/db/queries/maintenance.js';
import { loadConfig } from '../../src/config.js';
import { createTestContext, type TestContext } from '../support/test-deps.js';
import { dbKinds } from '../support/databases.js';

describe.each(dbKinds())('maintenance reminder job on %s', (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind, { env: { ALERT_CHANNEL: 'slack:CALERT', ANNOUNCE_CHANNEL: 'slack:CANNOUNCE', REMINDER_CRON: '*/5 * * * *' } });
  });
  afterAll(() => t.database.drop());

  const tick = (iso: string) => runMaintenanceReminders(t.deps, { now: new Date(iso), slot: iso });
  const texts = () => t.chat.posts.map((p) => p.reply.text);

  it('reminds about the notice two working days ahead across a weekend, then 1 hour before, each once', async () => {
    expect(createMaintenanceReminderJob(t.deps)).toMatchObject({ name: 'maintenance-reminder', cron: '*/5 * * * *' });
    // Tuesday 2026-12-01 16:00 UTC: the notice is due on Friday 2026-11-27 16:00 UTC.
    const window = await insertMaintenanceWindow(t.deps.db, {
      title: 'v37-0 deployment',
      message: 'Down 9am-4pm MST',
      startsAt: new Date('2026-12-01T16:00:00Z'),
      endsAt: new Date('2026-12-01T23:00:00Z'),
      state: 'scheduled',
      createdBy: 'kpatel',
      createdAt: new Date('2026-11-20T10:00:00Z'),
    });
    expect(await tick('2026-11-27T15:55:00Z')).toBe(0);
    expect(await tick('2026-11-27T16:00:00Z')).toBe(1);
    expect(t.chat.posts[0]!.channel).toEqual({ platform: 'slack', channel: 'CALERT' });
    expect(texts()[0]).toContain(`Maintenance window #${window.id} "v37-0 deployment"`);
    expect(texts()[0]).toContain('send the maintenance notice to atmosphere-users now');
    expect(await tick('2026-11-28T09:00:00Z')).toBe(0);
    expect(await tick('2026-12-01T14:55:00Z')).toBe(0);
    expect(await tick('2026-12-01T15:00:00Z')).toBe(1);
    expect(texts()[1]).toContain('starts in 1 hour, at 2026-12-01 16:00 UTC');
    expect(texts()[1]).toContain(`/atmo maintenance start --window ${window.id}`);
    expect(await tick('2026-12-01T15:30:00Z')).toBe(0);
    expect(t.chat.posts).toHaveLength(2);
  });

  it('posts once when the planned end has passed while maintenance is still on', async () => {
    t.chat.posts.length = 0;
    const window = await insertMaintenanceWindow(t.deps.db, {
      title: 'Overrun',
      message: 'm',
      startsAt: new Date('2026-12-05T16:00:00Z'),
      endsAt: new Date('2026-12-05T18:00:00Z'),
      state: 'scheduled',
      createdBy: 'kpatel',
      createdAt: new Date('2026-12-05T10:00:00Z'),
      noticeRemindedAt: new Date('2026-12-03T16:00:00Z'),
      hourRemindedAt: new Date('2026-12-05T15:00:00Z'),
    });
    await transitionMaintenanceWindow(t.deps.db, window.id, ['scheduled'], 'started', { startedAt: new Date('2026-12-05T16:00:00Z') });
    await insertAtmosphereMaintenance(t.deps.db, { title: 'Overrun', message: 'm', start: new Date('2026-12-05T16:00:00Z'), end: null });

    expect(await tick('2026-12-05T17:55:00Z')).toBe(0);
    expect(await tick('2026-12-05T18:10:00Z')).toBe(1);
    expect(texts()[0]).toContain('was planned to end at 2026-12-05 18:00 UTC (10 min ago) and is still on');
    expect(await tick('2026-12-05T18:15:00Z')).toBe(0);
    expect(t.chat.posts).toHaveLength(1);
  });

  it('gives the claim back when posting fails, so the next run posts it', async () => {
    const window = await insertMaintenanceWindow(t.deps.db, {
      title: 'Retry me',
      message: 'm',
      startsAt: new Date('2027-01-12T16:00:00Z'),
      endsAt: new Date('2027-01-12T18:00:00Z'),
      state: 'scheduled',
      createdBy: 'kpatel',
      createdAt: new Date('2027-01-01T10:00:00Z'),
    });
    const realPost = t.deps.chat.post;
    t.deps.chat.post = async () => {
      throw new Error('slack is down');
    };
    try {
      expect(await tick('2027-01-08T16:00:00Z')).toBe(0);
    } finally {
      t.deps.chat.post = realPost;
    }
    t.chat.posts.length = 0;
    expect(await tick('2027-01-08T16:05:00Z')).toBe(1);
    expect(texts()[0]).toContain(`#${window.id} "Retry me"`);
  });

  it('posts nothing when no channel is configured', async () => {
    const quiet = { ...t.deps, config: loadConfig({}) };
    expect(await runMaintenanceReminders(quiet, { now: new Date('2027-01-12T15:30:00Z'), slot: 'x' })).toBe(0);
  });
});
