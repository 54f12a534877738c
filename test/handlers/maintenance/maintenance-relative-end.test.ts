import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc } from 'drizzle-orm';
import { maintenanceWindow } from '../../../src/db/bot-schema/index.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { staff } from './maintenance-harness.js';

const HOUR = 3_600_000;

describe.each(dbKinds())('maintenance times and details on %s', (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  const ask = async (text: string) => (await dispatch(t.dispatcher, commandEvent(text, staff))).replies[0]!;

  it('counts a relative --end from the start: --start +1d --end +2h is a two-hour window tomorrow', async () => {
    const reply = await ask('maintenance schedule --start +1d --end +2h --title "v37-1 deployment" --message "Down for two hours"');
    expect(reply.text).toMatch(/^Scheduled maintenance window/);
    const [window] = await t.deps.db.select().from(maintenanceWindow).orderBy(desc(maintenanceWindow.id)).limit(1);
    expect(window).toMatchObject({ startsAt: new Date(TEST_NOW.getTime() + 24 * HOUR), endsAt: new Date(TEST_NOW.getTime() + 26 * HOUR) });
  });

  it('says what a relative --end it cannot read counts from', async () => {
    const reply = await ask('maintenance schedule --start +1d --end soon --title "x" --message "y"');
    expect(reply.text).toContain('--end: "soon" is not a time I can read: use 2026-12-01 15:00 (UTC), 2026-12-01T08:00-07:00, or +2h / +30m after the start');
  });

  it('says, before and after the stop, that details given without a status.io maintenance go nowhere', async () => {
    const start = await ask('maintenance start --title "v37-1 deployment" --message "Down" --until +2h');
    await dispatch(t.dispatcher, actionEvent('mt:confirm-start', start.buttons![0]!.value, { id: 'op2', actingAs: 'mdelgado' }));

    const plain = await ask('maintenance stop');
    expect(plain.text).not.toContain('go nowhere');

    const stop = await ask('maintenance stop All systems are back');
    expect(stop.text).toContain('• Your details ("All systems are back") go nowhere: status.io is not configured here, and only a status.io maintenance takes closing details.');
    const stopped = await dispatch(t.dispatcher, actionEvent('mt:confirm-stop', stop.buttons![0]!.value, staff));
    expect(stopped.replies[0]!.text).toContain('Maintenance ended by kpatel');
    expect(stopped.replies[0]!.text).toContain('• Your details ("All systems are back") go nowhere');
  });
});

describe.each(dbKinds())('overlapping maintenance windows on %s', (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  const ask = async (text: string) => (await dispatch(t.dispatcher, commandEvent(text, staff))).replies[0]!;
  const windows = () => t.deps.db.select().from(maintenanceWindow);

  it('refuses a window over the hours of a scheduled one, names it, and schedules nothing', async () => {
    const first = await ask('maintenance schedule --start "2026-12-10 16:00" --end "2026-12-10 23:00" --title "v37-1 deployment" --message "Down"');
    expect(first.text).toMatch(/^Scheduled maintenance window #(\d+)/);
    const id = /#(\d+)/.exec(first.text)![1];
    const clash = await ask('maintenance schedule --start "2026-12-10 22:00" --end "2026-12-11 02:00" --title "Storage move" --message "Down"');
    expect(clash.text).toContain(`That window overlaps maintenance window #${id} "v37-1 deployment" 2026-12-10 16:00 UTC → 2026-12-10 23:00 UTC. Nothing was scheduled.`);
    expect(clash.text).toContain('or add --overlap to schedule this one as well');
    expect((await windows()).map((window) => window.title)).toEqual(['v37-1 deployment']);
  });

  it('takes a window that only touches another (one ends as the next starts)', async () => {
    const next = await ask('maintenance schedule --start "2026-12-10 23:00" --end "2026-12-11 01:00" --title "Follow-up" --message "Down"');
    expect(next.text).toMatch(/^Scheduled maintenance window/);
  });

  it('schedules an overlapping window when --overlap says so', async () => {
    const both = await ask('maintenance schedule --start "2026-12-10 18:00" --end "2026-12-10 19:00" --title "Network change" --message "Down" --overlap');
    expect(both.text).toMatch(/^Scheduled maintenance window/);
    expect((await windows()).map((window) => window.title).sort()).toEqual(['Follow-up', 'Network change', 'v37-1 deployment']);
  });

  it('refuses a window inside a running maintenance without an end', async () => {
    const start = await ask('maintenance start --title "Emergency fix" --message "Down"');
    // What waits for a second click is a confirmation, never a "request" (those are users' requests).
    expect(start.footer).toMatch(/^Confirmation #\d+, asked by kpatel; any staff member may confirm until /);
    expect(JSON.stringify(start)).not.toMatch(/[Rr]equest #/);
    const started = await dispatch(t.dispatcher, actionEvent('mt:confirm-start', start.buttons![0]!.value, { id: 'op2', actingAs: 'mdelgado' }));
    expect(started.replies[0]!.text).not.toMatch(/nothing was/i);
    const during = await ask('maintenance schedule --start +1d --end +2h --title "Later" --message "Down"');
    expect(during.text).toContain('overlaps maintenance window');
    expect(during.text).toContain('"Emergency fix"');
  });
});
