import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceRequest, statusType, atmosphereUser } from '../../../src/db/atmosphere-schema.js';
import { eq } from 'drizzle-orm';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';

const kpatel = { id: 'op', actingAs: 'kpatel' };

describe.each(dbKinds())('/atmo home, the staff dashboard, on %s', (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
  }, 180_000);
  afterAll(async () => {
    await t?.database.drop();
  });
  const home = async (user: { id: string; actingAs?: string; platform?: 'slack' } = kpatel) => (await dispatch(t.dispatcher, commandEvent('home', user))).replies[0]!;

  it('shows staff the pending requests with the oldest and their buttons, imaging, alerts, maintenance and their decisions', async () => {
    const reply = await home();
    const text = reply.sections!.map((section) => section.text).join('\n');
    expect(text).toMatch(/\*Resource requests\*\n\d+ pending; the oldest, #\d+ from \w+, waits /);
    expect(text).toContain('*Imaging*');
    expect(text).toContain('*Open alerts*');
    expect(text).toMatch(/\*Maintenance\*\n(Not in maintenance|On now)/);
    expect(text).toContain('*Your recent decisions*\nNone yet.');
    const buttons = reply.sections!.flatMap((section) => section.buttons ?? []);
    expect(buttons.length).toBeGreaterThan(0);
    expect(buttons.length).toBeLessThanOrEqual(10);
    expect(buttons.filter((button) => button.action === 'rr:approve').every((button) => /^\d+$/.test(button.value))).toBe(true);

    // After a decision the dashboard lists it among the viewer's own.
    const deny = buttons.find((button) => button.action === 'rr:deny')!;
    await dispatch(t.dispatcher, actionEvent('rr:deny', deny.value, kpatel, { reason: 'Please ask for less' }));
    const after = (await home()).sections!.map((section) => section.text).join('\n');
    expect(after).toMatch(new RegExp(`\\*Your recent decisions\\*\\n• deny resource request #${deny.value}, just now \\(done\\)`));
  });

  it('stays within Slack\'s view limits with production-size data', async () => {
    const [pending] = await t.deps.db.select({ id: statusType.id }).from(statusType).where(eq(statusType.name, 'pending'));
    const [user] = await t.deps.db.select({ id: atmosphereUser.id }).from(atmosphereUser).where(eq(atmosphereUser.username, 'jsmith'));
    const rows = Array.from({ length: 3_000 }, (_, i) => ({
      request: `cpu: ${i % 64}, memory: 128 GB, ${'a long justification '.repeat(40)}`,
      description: 'x',
      createdById: user!.id,
      statusId: pending!.id,
      startDate: new Date(TEST_NOW.getTime() - i * 60_000),
    }));
    for (let at = 0; at < rows.length; at += 500) await t.deps.db.insert(resourceRequest).values(rows.slice(at, at + 500));
    const reply = await home();
    // Slack: at most 100 blocks in a Home view, 3,000 characters in a section's text.
    expect(reply.sections!.length).toBeLessThanOrEqual(12);
    for (const section of reply.sections!) expect(section.text.length).toBeLessThan(3_000);
    expect(reply.sections![0]!.text).toMatch(/^\*Resource requests\*\n30\d\d pending/);
  }, 120_000);

  it('gives no dashboard to someone who is not staff, and says why', async () => {
    const jsmith = await home({ id: 'c-js', actingAs: 'jsmith' });
    expect(jsmith.sections).toBeUndefined();
    expect(jsmith.text).toBe('You act as jsmith, who is not Atmosphere staff, so there is no dashboard for you. /atmo help lists what you can run.');
  });
});
