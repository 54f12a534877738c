import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createDispatcher } from '../../../src/bot/chat/create-dispatcher.js';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { commandDefinitions, actionDefinitions } from '../../../src/handlers/index.js';
import { atmosphereUser } from '../../../src/db/atmosphere-schema.js';
import { findUserByUsername } from '../../../src/db/queries/users.js';
import type { Deps } from '../../../src/deps.js';
import { dbKinds } from '../../support/databases.js';
import { countingDatabase } from '../../support/counting-database.js';
import { commandEvent, createTestContext, recordingIO, type TestContext } from '../../support/test-deps.js';

describe.each(dbKinds())('the cached account resolution on %s', (kind) => {
  let t: TestContext;
  // Two replicas of the bot: the same databases and the same key-value store, each its own dispatcher.
  let replicaA: Dispatcher;
  let replicaB: Dispatcher;
  let counting: ReturnType<typeof countingDatabase>;
  const lookups: string[] = [];

  beforeAll(async () => {
    t = await createTestContext(kind);
    counting = countingDatabase(t.deps.db);
    const directory = {
      async emailOf(id: string) {
        lookups.push(id);
        return id === 'UKIRAN' ? 'KPatel@CyVerse.org' : null;
      },
    };
    const deps = (): Deps => ({ ...t.deps, db: counting.db, directories: { slack: directory } });
    replicaA = createDispatcher(deps(), commandDefinitions, actionDefinitions);
    replicaB = createDispatcher(deps(), commandDefinitions, actionDefinitions);
  }, 120_000);
  afterAll(async () => {
    await t?.database.drop();
  });

  async function whoami(dispatcher: Dispatcher): Promise<string> {
    const out = recordingIO();
    await dispatcher.handle(commandEvent('whoami', { platform: 'slack', id: 'UKIRAN' }), out.io);
    return out.replies[0]?.text ?? '';
  }

  it('follows /atmo link and unlink at once, on the other replica too', async () => {
    expect(await whoami(replicaA)).toContain('kpatel');
    const admin = recordingIO();
    await replicaB.handle(commandEvent('link slack:UKIRAN jsmith', { platform: 'slack', id: 'UADMIN' }), admin.io);
    expect(admin.replies[0]?.text).toContain('Linked slack:UKIRAN to jsmith');
    expect(await whoami(replicaA)).toContain('jsmith');
    const unlink = recordingIO();
    await replicaB.handle(commandEvent('unlink slack:UKIRAN', { platform: 'slack', id: 'UADMIN' }), unlink.io);
    expect(unlink.replies[0]?.text).toContain('Removed the link');
    expect(await whoami(replicaA)).toContain('kpatel');
  });

  it('keeps no permission in the cache: a demoted staff member is refused on the next click', async () => {
    const list = recordingIO();
    await replicaA.handle(commandEvent('requests', { platform: 'slack', id: 'UKIRAN' }), list.io);
    expect(list.replies[0]?.text).toMatch(/pending resource requests?/);
    const kpatel = await findUserByUsername(t.deps.db, 'kpatel');
    await t.deps.db.update(atmosphereUser).set({ isStaff: false }).where(eq(atmosphereUser.id, kpatel!.id));
    try {
      const refused = recordingIO();
      await replicaA.handle(commandEvent('requests', { platform: 'slack', id: 'UKIRAN' }), refused.io);
      expect(refused.replies[0]?.text).toContain('Only Atmosphere staff can do that, and kpatel is not staff');
    } finally {
      await t.deps.db.update(atmosphereUser).set({ isStaff: true }).where(eq(atmosphereUser.id, kpatel!.id));
    }
  });

  it('resolves afresh, with the reason, once the cached account is disabled', async () => {
    expect(await whoami(replicaA)).toContain('kpatel');
    const kpatel = await findUserByUsername(t.deps.db, 'kpatel');
    await t.deps.db.update(atmosphereUser).set({ isActive: false }).where(eq(atmosphereUser.id, kpatel!.id));
    try {
      expect(await whoami(replicaA)).toContain('No active Atmosphere account has the e-mail');
    } finally {
      await t.deps.db.update(atmosphereUser).set({ isActive: true }).where(eq(atmosphereUser.id, kpatel!.id));
    }
  });

  it('lists pending requests for a Slack user in three SQL statements once the resolution is cached', async () => {
    const first = recordingIO();
    await replicaA.handle(commandEvent('requests', { platform: 'slack', id: 'UKIRAN' }), first.io);
    counting.reset();
    const second = recordingIO();
    await replicaA.handle(commandEvent('requests', { platform: 'slack', id: 'UKIRAN' }), second.io);
    expect(second.replies[0]?.text).toMatch(/pending resource requests?/);
    // The account row by id; the page of requests with the count and the requesters' quotas; the audit row.
    // No chat link, e-mail match or status_type read: those are cached.
    expect(counting.statements).toHaveLength(3);
    expect(counting.statements.some((s) => s.includes('"status_type"'))).toBe(false);
    expect(counting.statements.some((s) => s.includes('"chat_link"'))).toBe(false);
    expect(lookups.filter((id) => id === 'UKIRAN').length).toBeLessThanOrEqual(2);
  });
});
