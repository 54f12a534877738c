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
