import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { findChatLink } from '../../../src/db/queries/chat-links.js';
import { recentAudit } from '../../../src/db/queries/audit.js';
import type { ChatPort } from '../../../src/bot/chat/chat-port.js';

const ADMIN = { platform: 'slack' as const, id: 'UADMIN' };

/** The audit row of the last `link`, once the dispatcher has written it (it answers first). */
async function lastLinkAudit(t: TestContext) {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const [row] = await recentAudit(t.deps.db, 1, 'link');
    if (row) return row;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no audit row for link');
}

describe('who may link whom', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('pglite', { env: { ANNOUNCE_CHANNEL: 'slack:CANNOUNCE' } });
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  it('refuses a bot admin linking their own chat user, and links nothing', async () => {
    for (const user of ['slack:UADMIN', '<@UADMIN>', 'UADMIN']) {
      const { replies } = await dispatch(t.dispatcher, commandEvent(`link ${user} kpatel`, ADMIN));
      expect(replies[0]?.text).toMatch(/cannot link your own chat user; ask another bot admin/);
    }
    expect(await findChatLink(t.deps.db, 'slack', 'UADMIN')).toBeNull();
    expect(t.chat.posts).toEqual([]);
    expect(await lastLinkAudit(t)).toMatchObject({ outcome: 'refused' });
  });

  it('announces a link that gives staff powers in ANNOUNCE_CHANNEL, naming who made it, and audits it', async () => {
    const { replies } = await dispatch(t.dispatcher, commandEvent('link slack:UNEWSTAFF kpatel', ADMIN));
    expect(replies[0]?.text).toBe('Linked slack:UNEWSTAFF to kpatel (staff). Announced in slack:CANNOUNCE.');
    expect(t.chat.posts).toHaveLength(1);
    const post = t.chat.posts[0]!;
    expect(post.channel).toEqual({ platform: 'slack', channel: 'CANNOUNCE' });
    expect(post.reply.text).toContain('slack:UNEWSTAFF now acts as the staff account kpatel');
    expect(post.reply.text).toContain('linked by the bot admin slack:UADMIN');
    expect(post.reply.visibility).toBe('channel');
    expect(await findChatLink(t.deps.db, 'slack', 'UNEWSTAFF')).toMatchObject({ atmosphereUsername: 'kpatel', linkedBy: 'slack:UADMIN' });
    expect((await lastLinkAudit(t)).detail).toMatchObject({ linked: 'slack:UNEWSTAFF', username: 'kpatel', staff: true, announced: 'Announced in slack:CANNOUNCE.' });
  });

  it('does not announce a link to an account without staff powers', async () => {
    t.chat.posts.length = 0;
    const { replies } = await dispatch(t.dispatcher, commandEvent('link slack:UCLOUD jsmith', ADMIN));
    expect(replies[0]?.text).toBe('Linked slack:UCLOUD to jsmith.');
    expect(t.chat.posts).toEqual([]);
  });

  it('makes no staff link it could not announce', async () => {
    const working = t.deps.chat;
    const failing: ChatPort = {
      post: async () => {
        throw new Error('channel_not_found');
      },
      update: async () => {},
    };
    t.deps.chat = failing;
    try {
      const { replies } = await dispatch(t.dispatcher, commandEvent('link slack:UQUIET kpatel', ADMIN));
      expect(replies[0]?.text).toMatch(/could not announce the link in slack:CANNOUNCE, so I did not make it/);
    } finally {
      t.deps.chat = working;
    }
    expect(await findChatLink(t.deps.db, 'slack', 'UQUIET')).toBeNull();
  });
});
