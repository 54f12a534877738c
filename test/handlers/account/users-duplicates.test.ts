import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { atmosphereUser } from '../../../src/db/atmosphere-schema.js';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };

describe.each(dbKinds())('/atmo users duplicates on %s', (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
  }, 180_000);
  afterAll(async () => {
    await t?.database.drop();
  });

  const run = async () => (await dispatch(t.dispatcher, commandEvent('users duplicates', kpatel))).replies[0]!;

  it('lists the enabled accounts whose e-mails differ only by case, each with what staff decide by', async () => {
    // The demo's alee (A.Lee@example.edu, 800 days) and alee2 (a.lee@example.edu, 35 days).
    const reply = await run();
    expect(reply.text).toMatch(/^1 e-mail is shared, ignoring case, by more than one enabled account\./);
    expect(reply.sections).toHaveLength(1);
    const [head, older, newer] = reply.sections![0]!.text.split('\n');
    expect(head).toBe('*a.lee@example.edu* (2 accounts)');
    expect(older).toMatch(/^• alee <A\.Lee@example\.edu>: joined .*, last login .*; .*Tucson.*; \d+ resource and \d+ imaging requests?/i);
    expect(newer).toMatch(/^• alee2 <a\.lee@example\.edu>: joined /);
    expect(reply.text).not.toContain('password');
  });

  it('counts an end date still ahead as enabled, and leaves out disabled and inactive accounts', async () => {
    const [pwright] = await t.deps.db.select({ id: atmosphereUser.id }).from(atmosphereUser).where(eq(atmosphereUser.username, 'pwright'));
    const [dchen] = await t.deps.db.select({ id: atmosphereUser.id }).from(atmosphereUser).where(eq(atmosphereUser.username, 'dchen'));
    const [bokafor] = await t.deps.db.select({ id: atmosphereUser.id }).from(atmosphereUser).where(eq(atmosphereUser.username, 'bokafor'));
    // pwright ends next month: still enabled (Atmosphere's is_enabled). bokafor is disabled.
    await t.deps.db.update(atmosphereUser).set({ email: 'DChen@tacc.utexas.edu', endDate: new Date(TEST_NOW.getTime() + 30 * 86_400_000) }).where(eq(atmosphereUser.id, pwright!.id));
    await t.deps.db.update(atmosphereUser).set({ email: 'dchen@TACC.utexas.edu' }).where(eq(atmosphereUser.id, bokafor!.id));
    const reply = await run();
    expect(reply.text).toMatch(/^2 e-mails are shared/);
    const group = reply.sections!.find((section) => section.text.startsWith('*dchen@tacc.utexas.edu*'))!;
    expect(group.text).toContain('(2 accounts)');
    expect(group.text).toContain('• pwright <DChen@tacc.utexas.edu>');
    expect(group.text).not.toContain('bokafor');
    expect(dchen).toBeDefined();

    // Once pwright's end date has passed, dchen's e-mail is no longer shared by two enabled accounts.
    await t.deps.db.update(atmosphereUser).set({ endDate: new Date(TEST_NOW.getTime() - 86_400_000) }).where(eq(atmosphereUser.id, pwright!.id));
    expect((await run()).text).toMatch(/^1 e-mail is shared/);
  });

  it('is for staff only', async () => {
    const { replies } = await dispatch(t.dispatcher, commandEvent('users duplicates', { id: 'c-jsmith', actingAs: 'jsmith' }));
    expect(replies[0]!.text).toMatch(/staff/i);
  });
});
