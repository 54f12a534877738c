import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../support/test-deps.js';
import { resolveActor } from '../../../src/bot/chat/resolve-actor.js';
import { upsertChatLink } from '../../../src/db/queries/chat-links.js';
import { findUserByUsername } from '../../../src/db/queries/users.js';
import { atmosphereUser, cloudAdministrator, provider } from '../../../src/db/atmosphere-schema.js';
import { TEST_NOW } from '../../support/databases.js';

describe('resolveActor', () => {
  let t: TestContext;
  const emails: Record<string, string | null> = {
    UKIRAN: 'KPatel@CyVerse.org',
    UALEX: 'a.lee@example.edu',
    UNOBODY: 'stranger@example.com',
    UNOMAIL: null,
  };
  const lookups: string[] = [];

  beforeAll(async () => {
    t = await createTestContext('pglite');
    t.deps.directories.slack = {
      async emailOf(id) {
        lookups.push(id);
        return emails[id] ?? null;
      },
    };
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  it('links a Slack user by verified e-mail, ignoring case, and reads is_staff fresh each time', async () => {
    const first = await resolveActor(t.deps, { platform: 'slack', id: 'UKIRAN' });
    expect(first.actor).toMatchObject({ username: 'kpatel', isStaff: true, via: 'email' });
    const user = await findUserByUsername(t.deps.db, 'kpatel');
    await t.deps.db.update(atmosphereUser).set({ isStaff: false }).where(eq(atmosphereUser.id, user!.id));
    const second = await resolveActor(t.deps, { platform: 'slack', id: 'UKIRAN' });
    expect(second.actor?.isStaff).toBe(false);
    // The e-mail lookup itself is cached; the account is not.
    expect(lookups.filter((id) => id === 'UKIRAN')).toHaveLength(1);
    await t.deps.db.update(atmosphereUser).set({ isStaff: true }).where(eq(atmosphereUser.id, user!.id));
  });

  it('refuses an e-mail shared by two active accounts that differ only by case', async () => {
    const result = await resolveActor(t.deps, { platform: 'slack', id: 'UALEX' });
    expect(result.actor).toBeNull();
    if (result.actor) return;
    expect(result.problem.code).toBe('ambiguous_link');
    expect(result.problem.message).toContain('alee, alee2');
  });

  it('tells users with no matching account or no e-mail how to get linked', async () => {
    for (const id of ['UNOBODY', 'UNOMAIL']) {
      const result = await resolveActor(t.deps, { platform: 'slack', id });
      expect(result.actor).toBeNull();
      if (!result.actor) expect(result.problem.message).toContain(`/atmo link slack:${id} <`);
    }
  });

  it('prefers an explicit link, and refuses a link to a disabled account', async () => {
    const alee = await findUserByUsername(t.deps.db, 'alee');
    await upsertChatLink(t.deps.db, { platform: 'slack', chatUserId: 'UALEX', atmosphereUserId: alee!.id, atmosphereUsername: 'alee', linkedBy: 'slack:UADMIN', linkedAt: TEST_NOW });
    expect((await resolveActor(t.deps, { platform: 'slack', id: 'UALEX' })).actor).toMatchObject({ username: 'alee', via: 'link' });

    const disabled = await findUserByUsername(t.deps.db, 'bokafor');
    await upsertChatLink(t.deps.db, { platform: 'discord', chatUserId: '555000555000', atmosphereUserId: disabled!.id, atmosphereUsername: 'bokafor', linkedBy: 'slack:UADMIN', linkedAt: TEST_NOW });
    const result = await resolveActor(t.deps, { platform: 'discord', id: '555000555000' });
    expect(result.actor).toBeNull();
    if (!result.actor) expect(result.problem.message).toContain('"bokafor", which is disabled');
  });

  it('tells an unlinked Discord user that Discord shares no e-mail and how to get linked', async () => {
    const result = await resolveActor(t.deps, { platform: 'discord', id: '123456789012345678' });
    expect(result.actor).toBeNull();
    if (!result.actor) {
      expect(result.problem.message).toContain('Discord does not share e-mail addresses');
      expect(result.problem.message).toContain('/atmo link discord:123456789012345678 <your Atmosphere username>');
    }
  });

  it('acts as the console operator\u2019s chosen user, and only an active one', async () => {
    expect((await resolveActor(t.deps, { platform: 'console', id: 'op', actingAs: 'jsmith' })).actor).toMatchObject({ username: 'jsmith', via: 'console' });
    expect((await resolveActor(t.deps, { platform: 'console', id: 'op', actingAs: 'bokafor' })).actor).toBeNull();
    expect((await resolveActor(t.deps, { platform: 'console', id: 'op' })).actor).toBeNull();
  });

  it("counts a provider's cloud administrator as staff, as Atmosphere's admin endpoints do", async () => {
    const jsmith = (await findUserByUsername(t.deps.db, 'jsmith'))!;
    expect(jsmith.isStaff).toBe(false);
    const [tucson] = await t.deps.db.select({ id: provider.id }).from(provider).limit(1);
    await t.deps.db.insert(cloudAdministrator).values({ providerId: tucson!.id, userId: jsmith.id });
    const result = await resolveActor(t.deps, { platform: 'console', id: 'op', actingAs: 'jsmith' });
    expect(result.actor).toMatchObject({ username: 'jsmith', isStaff: true });
    await t.deps.db.delete(cloudAdministrator).where(eq(cloudAdministrator.userId, jsmith.id));
    expect((await resolveActor(t.deps, { platform: 'console', id: 'op', actingAs: 'jsmith' })).actor).toMatchObject({ isStaff: false });
  });

  it("acts for an account whose end date is still ahead (Atmosphere's is_enabled), and not once it passed", async () => {
    const pwright = (await findUserByUsername(t.deps.db, 'pwright'))!;
    await upsertChatLink(t.deps.db, { platform: 'slack', chatUserId: 'UPRIYA', atmosphereUserId: pwright.id, atmosphereUsername: 'pwright', linkedBy: 'slack:UADMIN', linkedAt: TEST_NOW });
    await t.deps.db.update(atmosphereUser).set({ endDate: new Date(TEST_NOW.getTime() + 7 * 86_400_000) }).where(eq(atmosphereUser.id, pwright.id));
    expect((await resolveActor(t.deps, { platform: 'slack', id: 'UPRIYA' })).actor).toMatchObject({ username: 'pwright', via: 'link' });
    t.setNow(new Date(TEST_NOW.getTime() + 8 * 86_400_000));
    try {
      const after = await resolveActor(t.deps, { platform: 'slack', id: 'UPRIYA' });
      expect(after.actor).toBeNull();
      if (!after.actor) expect(after.problem.message).toContain('disabled or gone');
    } finally {
      t.setNow(TEST_NOW);
    }
  });
});
