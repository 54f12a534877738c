import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { maintenanceRecord, provider as providerTable } from '../../../src/db/atmosphere-schema.js';
import { apiMaintenanceRecord } from '../../../src/db/troposphere-schema.js';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { otherStaff, staff, user } from './maintenance-harness.js';

const START = 'maintenance start --title "2026-11-23 v37-0 deployment" --message "Atmosphere is down for a Scheduled Maintenance" --until +4h';
const minutes = (n: number) => new Date(TEST_NOW.getTime() + n * 60_000);

describe.each(dbKinds())('maintenance start and stop on %s', (kind) => {
  let t: TestContext;
  let dispatcher: Dispatcher;

  beforeEach(async () => {
    t = await createTestContext(kind, { env: { ANNOUNCE_CHANNEL: 'slack:CANNOUNCE' } });
    dispatcher = t.dispatcher;
  });
  afterEach(async () => {
    await t.database.drop();
  });

  const atmosphereRows = () => t.deps.db.select().from(maintenanceRecord).orderBy(maintenanceRecord.id);
  const troposphereRows = () => t.deps.troposphereDb!.select().from(apiMaintenanceRecord).orderBy(apiMaintenanceRecord.id);

  async function ask(text: string, who = staff) {
    const result = await dispatch(dispatcher, commandEvent(text, who));
    const reply = result.replies[0]!;
    return { reply, id: reply.buttons?.[0]?.value ?? '' };
  }

  it('changes nothing until confirmed, then writes both databases as manage.py does and announces it', async () => {
    const { reply, id } = await ask(START);
    expect(reply.text).toContain('• Atmosphere: insert global maintenance_record "2026-11-23 v37-0 deployment" from now until 2026-11-23 21:00 UTC');
    expect(reply.text).toContain('503');
    expect(reply.text).toContain('• Troposphere: insert api_maintenancerecord');
    expect(reply.text).toContain('/maintenance');
    expect(reply.buttons?.map((b) => b.action)).toEqual(['mt:confirm-start', 'mt:cancel']);
    expect(id).toMatch(/^\d+$/);
    expect(await atmosphereRows()).toHaveLength(0);
    expect(await troposphereRows()).toHaveLength(0);

    t.setNow(minutes(1));
    const confirmed = await dispatch(dispatcher, actionEvent('mt:confirm-start', id, otherStaff));
    expect(confirmed.replies[0]!.text).toContain('started by mdelgado');
    expect(confirmed.updates[0]!.text).toContain('confirmed by mdelgado');
    const [atmo] = await atmosphereRows();
    expect(atmo).toMatchObject({ title: '2026-11-23 v37-0 deployment', providerId: null, disableLogin: true, startDate: minutes(1), endDate: minutes(240) });
    const [tropo] = await troposphereRows();
    expect(tropo).toMatchObject({ disableLogin: true, startDate: minutes(1), endDate: minutes(240), createdDate: minutes(1), modifiedDate: minutes(1) });
    expect(t.chat.posts).toHaveLength(1);
    expect(t.chat.posts[0]!.channel).toEqual({ platform: 'slack', channel: 'CANNOUNCE' });
    expect(t.chat.posts[0]!.reply.text).toContain('Maintenance "2026-11-23 v37-0 deployment" started by mdelgado');

    const again = await dispatch(dispatcher, actionEvent('mt:confirm-start', id, staff));
    expect(again.replies[0]!.text).toContain('already confirmed by mdelgado');
    expect(await atmosphereRows()).toHaveLength(1);
    expect(await troposphereRows()).toHaveLength(1);

    t.setNow(minutes(2));
    const status = await ask('maintenance status');
    expect(status.reply.text).toContain('Maintenance is ON.');
    expect(status.reply.text).toContain(`Atmosphere (API answers 503): #${atmo!.id} "2026-11-23 v37-0 deployment"`);
    expect(status.reply.text).toContain(`Troposphere (web UI closed): #${tropo!.id}`);
    expect(status.reply.text).toContain('Started window #');

    expect((await ask(START)).reply.text).toContain('Maintenance is already on');

    const stop = await ask('maintenance stop');
    expect(stop.reply.text).toContain(`• Atmosphere: set end_date = now on global maintenance_record #${atmo!.id}`);
    expect(stop.reply.text).toContain(`• Troposphere: set end_date = now on api_maintenancerecord #${tropo!.id}`);
    expect((await atmosphereRows())[0]!.endDate).toEqual(minutes(240));
    t.setNow(minutes(3));
    const stopped = await dispatch(dispatcher, actionEvent('mt:confirm-stop', stop.id, staff));
    expect(stopped.replies[0]!.text).toContain('Maintenance ended by kpatel');
    expect((await atmosphereRows())[0]!.endDate).toEqual(minutes(3));
    expect(await troposphereRows()).toEqual([expect.objectContaining({ endDate: minutes(3), modifiedDate: minutes(3), createdDate: minutes(1) })]);
    expect(t.chat.posts.at(-1)!.reply.text).toContain('Maintenance ended by kpatel');

    const after = await ask('maintenance status');
    expect(after.reply.text).toContain('Maintenance is off.');
    expect(after.reply.text).not.toContain('Started window');
  });

  it('stop leaves provider-specific Atmosphere records alone', async () => {
    const [provider] = await t.deps.db.select({ id: providerTable.id }).from(providerTable).orderBy(providerTable.id).limit(1);
    await t.deps.db.insert(maintenanceRecord).values([
      { title: 'global', message: 'm', startDate: minutes(-60), endDate: null, disableLogin: true, providerId: null },
      { title: 'one cloud', message: 'm', startDate: minutes(-60), endDate: null, disableLogin: true, providerId: provider!.id },
    ]);
    const stop = await ask('maintenance stop');
    await dispatch(dispatcher, actionEvent('mt:confirm-stop', stop.id, staff));
    const rows = await atmosphereRows();
    expect(rows.find((r) => r.title === 'global')!.endDate).toEqual(TEST_NOW);
    expect(rows.find((r) => r.title === 'one cloud')!.endDate).toBeNull();
  });

  it('refuses non-staff, expired and cancelled confirmations without changing anything', async () => {
    const refused = await ask(START, user);
    expect(refused.reply.text).toContain('Only Atmosphere staff');
    expect(refused.reply.buttons).toBeUndefined();

    const first = await ask(START);
    const byUser = await dispatch(dispatcher, actionEvent('mt:confirm-start', first.id, user));
    expect(byUser.replies[0]!.text).toContain('Only Atmosphere staff');

    t.setNow(minutes(11));
    const late = await dispatch(dispatcher, actionEvent('mt:confirm-start', first.id, staff));
    expect(late.replies[0]!.text).toContain('expired at 2026-11-23 17:10 UTC');

    const second = await ask(START);
    const cancelled = await dispatch(dispatcher, actionEvent('mt:cancel', second.id, otherStaff));
    expect(cancelled.replies[0]!.text).toContain('cancelled by mdelgado');
    const afterCancel = await dispatch(dispatcher, actionEvent('mt:confirm-start', second.id, staff));
    expect(afterCancel.replies[0]!.text).toContain('was cancelled by mdelgado');

    const wrongKind = await dispatch(dispatcher, actionEvent('mt:confirm-stop', (await ask(START)).id, staff));
    expect(wrongKind.replies[0]!.text).toContain('There is no maintenance stop confirmation');
    const tampered = await dispatch(dispatcher, actionEvent('mt:confirm-start', '1;drop', staff));
    expect(tampered.replies[0]!.text).toContain('cannot accept');

    expect(await atmosphereRows()).toHaveLength(0);
    expect(await troposphereRows()).toHaveLength(0);
  });

  it('refuses bad times before asking anything', async () => {
    const past = await ask('maintenance start --title t --message m --until "2026-11-23 16:00"');
    expect(past.reply.text).toContain('has already passed');
    const garbled = await ask('maintenance start --title t --message m --until soon');
    expect(garbled.reply.text).toContain('"soon" is not a time I can read');
    const noTitle = await ask('maintenance start --message m');
    expect(noTitle.reply.text).toContain('needs a title and a message for users (--title, --message)');
    expect(past.reply.buttons ?? garbled.reply.buttons ?? noTitle.reply.buttons).toBeUndefined();
  });

  it('rolls Atmosphere back when Troposphere fails', async () => {
    const { id } = await ask(START);
    await t.deps.troposphereDb!.execute(sql`alter table api_maintenancerecord rename to api_maintenancerecord_moved`);
    const result = await dispatch(dispatcher, actionEvent('mt:confirm-start', id, staff));
    const text = result.replies[0]!.text;
    expect(text).toContain('did NOT start');
    expect(text).toContain('• Atmosphere: put back as it was (maintenance off) because the other side failed.');
    expect(text).toMatch(/• Troposphere: FAILED, left as it was \(maintenance still off\): .*api_maintenancerecord/);
    expect(text).toContain('Nothing was changed on either side');
    expect(await atmosphereRows()).toHaveLength(0);
    await t.deps.troposphereDb!.execute(sql`alter table api_maintenancerecord_moved rename to api_maintenancerecord`);
    expect(await troposphereRows()).toHaveLength(0);
  });

  it('puts Troposphere back when the Atmosphere commit fails after Troposphere committed', async () => {
    await refuseAtmosphereCommits();
    const { id } = await ask(START);
    const text = (await dispatch(dispatcher, actionEvent('mt:confirm-start', id, staff))).replies[0]!.text;
    expect(text).toMatch(/• Atmosphere: FAILED, left as it was \(maintenance still off\): .*refused by the test/);
    expect(text).toContain('• Troposphere: put back as it was (maintenance off) because the other side failed.');
    expect(await atmosphereRows()).toHaveLength(0);
    expect(await troposphereRows()).toHaveLength(0);
  });

  it('states both sides and offers a retry when putting a side back fails too', async () => {
    await refuseAtmosphereCommits();
    await t.deps.troposphereDb!.execute(sql`create function refuse_delete() returns trigger language plpgsql as $$ begin raise exception 'delete refused by the test'; end $$`);
    await t.deps.troposphereDb!.execute(sql`create trigger refuse_delete before delete on api_maintenancerecord for each row execute function refuse_delete()`);
    const { id } = await ask(START);
    const result = await dispatch(dispatcher, actionEvent('mt:confirm-start', id, staff));
    const reply = result.replies[0]!;
    expect(reply.text).toMatch(/• Atmosphere: FAILED, left as it was \(maintenance still off\)/);
    expect(reply.text).toMatch(/• Troposphere: CHANGED ALONE: maintenance ON here \(#\d+\), and putting it back failed: .*delete refused by the test/);
    expect(reply.buttons?.[0]).toMatchObject({ label: 'Retry the missing side', action: 'mt:confirm-start' });
    expect(await troposphereRows()).toHaveLength(1);

    await t.deps.db.execute(sql`drop trigger refuse_commit on maintenance_record`);
    t.setNow(minutes(1));
    const retried = (await dispatch(dispatcher, actionEvent('mt:confirm-start', reply.buttons![0]!.value, staff))).replies[0]!.text;
    expect(retried).toContain('started by kpatel');
    expect(retried).toContain('• Troposphere: was already in maintenance');
    expect(await atmosphereRows()).toHaveLength(1);
    expect(await troposphereRows()).toHaveLength(1);
  });

  it('without a Troposphere database, says so and changes Atmosphere only', async () => {
    t.deps.troposphereDb = null;
    const { reply, id } = await ask(START);
    expect(reply.text).toContain('• Troposphere: not configured (TROPOSPHERE_DATABASE_URL is unset), so NOT changed');
    const done = (await dispatch(dispatcher, actionEvent('mt:confirm-start', id, staff))).replies[0]!.text;
    expect(done).toContain('started by kpatel');
    expect(done).toContain('• Troposphere: not configured');
    expect(await atmosphereRows()).toHaveLength(1);
  });

  async function refuseAtmosphereCommits() {
    await t.deps.db.execute(sql`create function refuse_commit() returns trigger language plpgsql as $$ begin raise exception 'commit refused by the test'; end $$`);
    await t.deps.db.execute(
      sql`create constraint trigger refuse_commit after insert on maintenance_record deferrable initially deferred for each row execute function refuse_commit()`,
    );
  }
});
