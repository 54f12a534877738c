import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc } from 'drizzle-orm';
import { dbKinds } from '../../support/databases.js';
import { commandEvent, createTestContext, type TestContext } from '../../support/test-deps.js';
import { auditLog } from '../../../src/db/bot-schema/index.js';
import { getResourceRequest } from '../../../src/db/queries/resource-requests.js';
import type { Reply } from '../../../src/bot/chat/reply.js';
import { requestIdOf } from '../../e2e/e2e-support.js';

const kpatel = { id: 'op', actingAs: 'kpatel' };

describe.each(dbKinds())('a reply that cannot be delivered after the handler succeeded, on %s', (kind) => {
  let t: TestContext;

  beforeAll(async () => {
    t = await createTestContext(kind);
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  it('is audited as done, and the user is not told that nothing was done', async () => {
    const attempts: Reply[] = [];
    const io = {
      respond: async (reply: Reply) => {
        attempts.push(reply);
        throw new Error('response_url expired');
      },
    };
    const id = await requestIdOf(t.deps.db, 'alee');
    const outcome = await t.dispatcher.handle(commandEvent(`deny ${id} not this term`, kpatel), io);

    expect(outcome).toEqual({ kind: 'done' });
    expect((await getResourceRequest(t.deps.db, id))?.status).toBe('denied');
    const [row] = await t.deps.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1);
    expect(row).toMatchObject({ name: 'deny', outcome: 'ok' });
    expect(row!.detail).toMatchObject({ decision: 'deny', requestId: id, replyFailed: true });
    // Only the handler's own answer was attempted, retried once: no reply claiming that nothing more was done.
    expect(attempts).toHaveLength(2);
    for (const attempt of attempts) expect(attempt.text).toContain(`Request #${id}`);
  });
});
