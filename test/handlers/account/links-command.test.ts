import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { upsertChatLink } from '../../../src/db/queries/chat-links.js';
import type { Reply } from '../../../src/bot/chat/reply.js';

const ADMIN = { platform: 'slack' as const, id: 'UADMIN' };
const OTHER_ADMIN = { platform: 'discord' as const, id: '999000999000' };
const HOUR = 3_600_000;
const entriesOf = (reply: Reply) => (reply.sections ?? []).flatMap((section) => section.text.split('\n'));

describe.each(dbKinds())('/atmo links on %s', (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  it('says plainly when there is no link, and how to make one', async () => {
    const { replies } = await dispatch(t.dispatcher, commandEvent('links', ADMIN));
    expect(replies[0]?.text).toMatch(/^No chat user is linked explicitly\..*\/atmo link <chat user> <username>/);
  });

  it('refuses someone who is not a bot admin', async () => {
    const { replies } = await dispatch(t.dispatcher, commandEvent('links', { platform: 'slack', id: 'USTRANGER' }));
    expect(replies[0]?.text).toMatch(/Only bot admins can do that/);
  });

  it('lists each link with its Atmosphere username, who made it and when, newest first', async () => {
    t.setNow(new Date(TEST_NOW.getTime() - 3 * HOUR));
    expect((await dispatch(t.dispatcher, commandEvent('link discord:123456789012345678 jsmith', ADMIN))).replies[0]?.text).toBe(
      'Linked discord:123456789012345678 to jsmith.',
    );
    t.setNow(new Date(TEST_NOW.getTime() - HOUR));
    await dispatch(t.dispatcher, commandEvent('link slack:UAMY jsmith', OTHER_ADMIN));
    t.setNow(TEST_NOW);
    const { replies } = await dispatch(t.dispatcher, commandEvent('links', ADMIN));
    expect(replies[0]!.text).toBe('2 chat users are linked explicitly (Slack users matched by e-mail are not listed).');
    const lines = entriesOf(replies[0]!);
    expect(lines[0]).toBe('• slack:UAMY → jsmith, linked by discord:999000999000 on 2026-11-23 16:00 UTC (1 h ago)');
    expect(lines[1]).toBe('• discord:123456789012345678 → jsmith, linked by slack:UADMIN on 2026-11-23 14:00 UTC (3 h ago)');
  });

  it('shows the newest fifty and counts the rest', async () => {
    for (let index = 0; index < 60; index += 1) {
      await upsertChatLink(t.deps.db, {
        platform: 'discord',
        chatUserId: `40000000000000${String(index).padStart(4, '0')}`,
        atmosphereUserId: 1,
        atmosphereUsername: 'jsmith',
        linkedBy: 'slack:UADMIN',
        linkedAt: new Date(TEST_NOW.getTime() - (10 + index) * HOUR),
      });
    }
    const { replies } = await dispatch(t.dispatcher, commandEvent('links', ADMIN));
    expect(replies[0]!.text).toBe('62 chat users are linked explicitly (Slack users matched by e-mail are not listed). The newest 50 are shown; 12 older ones are not.');
    const lines = entriesOf(replies[0]!);
    expect(lines).toHaveLength(50);
    expect(lines[0]).toContain('slack:UAMY');
    expect(lines[49]).toContain('discord:400000000000000047 ');
    for (const section of replies[0]!.sections!) expect(section.text.length).toBeLessThan(3000);
  });
});
