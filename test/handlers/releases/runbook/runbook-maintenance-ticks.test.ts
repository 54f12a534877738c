import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maintenanceRecord } from '../../../../src/db/atmosphere-schema.js';
import { findRunbookByTag, listRunbookItems } from '../../../../src/db/queries/release-runbooks.js';
import { listMaintenanceWindows } from '../../../../src/db/queries/maintenance-windows.js';
import { createStatusIo } from '../../../../src/integrations/statusio/statusio-client.js';
import type { Reply } from '../../../../src/bot/chat/reply.js';
import { startFakeStatusIo, type FakeStatusIo } from '../../../fakes/statusio.js';
import { dbKinds } from '../../../support/databases.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../../../support/test-deps.js';
import { shown } from '../release-harness.js';

const credentials = { apiId: 'test-api-id', apiKey: 'test-api-key', pageId: 'page123' };
const kpatel = { id: 'op', actingAs: 'kpatel' };
const mdelgado = { id: 'op2', actingAs: 'mdelgado' };

/**
 * The runbook's maintenance and status.io steps ticked by running the real commands (typed, and
 * from the buttons on the release message) against the fake status.io; "this release" is the runbook
 * of the tag a maintenance title names, or the one deploying on the day the maintenance starts in
 * SITE_TIME_ZONE.
 */
describe.each(dbKinds())('runbook steps done by the maintenance and status.io commands, on %s', (kind) => {
  let t: TestContext;
  let fake: FakeStatusIo;
  beforeAll(async () => {
    fake = await startFakeStatusIo(credentials);
    t = await createTestContext(kind, { env: { ANNOUNCE_CHANNEL: 'slack:CANNOUNCE', SITE_TIME_ZONE: 'America/Phoenix' } });
    t.deps.statusPage = createStatusIo({ baseUrl: fake.url, ...credentials, components: [], retries: 1, backoffMs: 1, sleep: async () => {}, log: t.deps.log });
  });
  afterAll(async () => {
    await t?.database.drop();
    await fake?.close();
  });

  const run = (text: string, user = kpatel) => dispatch(t.dispatcher, commandEvent(text, user));
  const click = (action: string, value: string, user = kpatel, form?: Record<string, string>) => dispatch(t.dispatcher, actionEvent(action, value, user, form));
  const stepOf = async (tag: string, key: string) => {
    const runbook = (await findRunbookByTag(t.deps.db, tag))!;
    return (await listRunbookItems(t.deps.db, runbook.id)).find((item) => item.key === key)!;
  };
  const releaseMessage = (tag: string): Reply => {
    const post = t.chat.posts.find((p) => p.reply.title?.startsWith(`Release ${tag}:`))!;
    const updates = t.chat.updates.filter((u) => u.message.id === post.ref.id);
    return updates.at(-1)?.reply ?? post.reply;
  };

  it('puts the button that does a step beside its Done button, only for the steps the bot can do', async () => {
    await run('release plan v37-6 --date 2026-12-01 --chief kpatel --driver mdelgado');
    const buttons = releaseMessage('v37-6').buttons!;
    const statusio = await stepOf('v37-6', 'cyverse-statusio');
    const calendar = await stepOf('v37-6', 'cyverse-calendar');
    // The earliest open steps in order: the calendar (nothing for the bot to do), then status.io.
    expect(buttons.slice(0, 3)).toEqual([
      { label: 'Done: On the calendar', action: 'rb:done', value: String(calendar.id) },
      { label: 'Schedule on status.io', action: 'rb:schedule', value: String(statusio.id), style: 'primary' },
      { label: 'Done: status.io scheduled', action: 'rb:done', value: String(statusio.id) },
    ]);
    expect(buttons.map((b) => b.label)).toContain('Prepare v37-6');
    expect(buttons.map((b) => b.label)).toContain('Tag v37-6');
    // A button's value moved onto another run button is refused before anything runs.
    expect((await click('rb:prepare', String(statusio.id))).replies[0]!.text).toContain('does not belong to the step');
  });

  it('schedules the status.io maintenance from the button, and the schedule ticks the step', async () => {
    const statusio = await stepOf('v37-6', 'cyverse-statusio');
    const opened = await click('rb:schedule', String(statusio.id), mdelgado);
    expect(opened.outcome).toMatchObject({ kind: 'form', action: 'rb:schedule' });
    const { replies } = await click('rb:schedule', String(statusio.id), mdelgado, {
      start: '2026-12-01 16:00',
      end: '2026-12-01 23:00',
      title: '',
      message: 'Atmosphere is down for a Scheduled Maintenance, today between 9am and 4pm MST.',
    });
    expect(replies[0]!.text).toContain('Ticked "status.io scheduled" in the v37-6 runbook.');
    const body = fake.requests.find((r) => r.route === 'maintenance/schedule')!.body as Record<string, unknown>;
    expect(body).toMatchObject({ maintenance_name: '2026-12-01 v37-6 deployment', date_planned_start: '12/01/2026', time_planned_start: '16:00' });
    expect(await stepOf('v37-6', 'cyverse-statusio')).toMatchObject({ doneBy: 'mdelgado', doneVia: 'maintenance schedule' });
    expect(shown(releaseMessage('v37-6'))).toContain('✓ CyVerse: scheduled maintenance on status.io: done by mdelgado on Mon 23 Nov 2026 by running /atmo maintenance schedule');
    // Done now, so the old button runs nothing a second time.
    const again = await click('rb:schedule', String(statusio.id), kpatel);
    expect(again.replies[0]!.text).toContain('was already done by mdelgado');
    expect(fake.requests.filter((r) => r.route === 'maintenance/schedule')).toHaveLength(1);
  });

  it('starts maintenance from the button on the deployment day, ticking the step at the confirmation', async () => {
    // 08:30 in Phoenix on Tuesday 1 December; the scheduled window starts at 09:00 there.
    t.setNow(new Date('2026-12-01T15:30:00Z'));
    const start = await stepOf('v37-6', 'cyverse:maintenance-start');
    const asked = await click('rb:start', String(start.id), kpatel, { title: '', message: '', until: '' });
    const confirm = asked.replies[0]!.buttons!.find((b) => b.action === 'mt:confirm-start')!;
    expect(asked.replies[0]!.text).toContain('2026-12-01 v37-6 deployment');
    expect((await stepOf('v37-6', 'cyverse:maintenance-start')).doneAt).toBeNull();
    const confirmed = await click('mt:confirm-start', confirm.value, mdelgado);
    expect(confirmed.replies[0]!.text).toContain('Ticked "Maintenance started" in the v37-6 runbook.');
    expect(await stepOf('v37-6', 'cyverse:maintenance-start')).toMatchObject({ doneBy: 'mdelgado', doneVia: 'maintenance start' });
    expect(await t.deps.db.select().from(maintenanceRecord)).toHaveLength(1);
    expect(fake.requests.some((r) => r.route === 'maintenance/start')).toBe(true);
  });

  it('stopping maintenance, typed, ticks the stop step of the release whose window it ends', async () => {
    t.setNow(new Date('2026-12-01T21:00:00Z'));
    const asked = await run('maintenance stop All done');
    const confirm = asked.replies[0]!.buttons!.find((b) => b.action === 'mt:confirm-stop')!;
    const confirmed = await click('mt:confirm-stop', confirm.value, kpatel);
    expect(confirmed.replies[0]!.text).toContain('Ticked "Maintenance stopped" in the v37-6 runbook.');
    expect(await stepOf('v37-6', 'cyverse:maintenance-stop')).toMatchObject({ doneBy: 'kpatel', doneVia: 'maintenance stop' });
    expect((await listMaintenanceWindows(t.deps.db, ['finished'])).map((w) => w.title)).toEqual(['2026-12-01 v37-6 deployment']);
  });

  it('statusio schedule ticks the release deploying that day at the site, or the tag its title names, and nothing else', async () => {
    t.setNow(new Date('2026-11-24T17:00:00Z'));
    await run('release plan v38-0 --date 2026-12-15 --chief kpatel --driver mdelgado');
    await run('release plan v38-1 --date 2026-12-16 --chief kpatel --driver mdelgado');
    // 17:00 on 14 December in Phoenix is 00:00 UTC on the 15th: the site's day is the 14th, so no release.
    const evening = await run('statusio schedule --title "Network work" --details "d" --start "2026-12-15T00:00Z" --end "2026-12-15T02:00Z"');
    expect(evening.replies[0]!.text).not.toContain('Ticked');
    expect((await stepOf('v38-0', 'cyverse-statusio')).doneAt).toBeNull();

    const sameDay = await run('statusio schedule --title "Upgrade window" --details "d" --start "2026-12-15 16:00" --end "2026-12-15 23:00"');
    expect(sameDay.replies[0]!.text).toContain('Ticked "status.io scheduled" in the v38-0 runbook.');
    expect(await stepOf('v38-0', 'cyverse-statusio')).toMatchObject({ doneBy: 'kpatel', doneVia: 'statusio schedule' });

    // The title names v38-1, whatever day the window is on.
    const named = await run('statusio schedule --title "2026-12-15 v38-1 deployment" --details "d" --start "2026-12-15 16:00" --end "2026-12-15 23:00"');
    expect(named.replies[0]!.text).toContain('in the v38-1 runbook');
  });

  it('does not run the maintenance of another site from a two-site runbook', async () => {
    await run('release plan v39-0 --date 2027-01-12 --chief kpatel --driver mdelgado --sites cyverse,jetstream');
    const jetstream = await stepOf('v39-0', 'jetstream:maintenance-start');
    const refused = await click('rb:start', String(jetstream.id), kpatel, { title: 't', message: 'm', until: '+1h' });
    expect(refused.replies[0]!.text).toContain("writes maintenance to CyVerse's databases");
    expect(await t.deps.db.select().from(maintenanceRecord)).toHaveLength(1);
  });
});
