import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc } from 'drizzle-orm';
import { auditLog } from '../../../src/db/bot-schema/index.js';
import { findDecision } from '../../../src/db/queries/decisions.js';
import { getResourceRequest } from '../../../src/db/queries/resource-requests.js';
import { IntegrationError } from '../../../src/errors.js';
import type { EventIO } from '../../../src/bot/chat/command.js';
import type { Reply } from '../../../src/bot/chat/reply.js';
import { dbKinds } from '../../support/databases.js';
import { actionEvent, createTestContext, type TestContext } from '../../support/test-deps.js';
import { freeImagingSlot, requestId, statusOf } from '../imaging/imaging-support.js';
import { requestIdOf } from '../../e2e/e2e-support.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };

/** An EventIO whose message edits always fail, as chat.update does during a Slack outage. */
function failingRedrawIO() {
  const replies: Reply[] = [];
  let redrawAttempts = 0;
  const io: EventIO = {
    respond: async (reply) => void replies.push(reply),
    updateSource: async () => {
      redrawAttempts += 1;
      throw new IntegrationError('slack', 'chat.update failed', { status: 500, detail: 'internal_error' });
    },
  };
  return { io, replies, attempts: () => redrawAttempts };
}

describe.each(dbKinds())('a decision whose message cannot be redrawn, on %s', (kind) => {
  let t: TestContext;

  beforeAll(async () => {
    t = await createTestContext(kind);
    await freeImagingSlot(t.deps.db);
    // A fresh PGlite costs seconds, far more on a busy machine.
  }, 180_000);
  afterAll(async () => {
    await t?.database.drop();
  });

  async function lastAudit() {
    return (await t.deps.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1))[0]!;
  }

  it('reports a resource request as denied with a stale message, retried once, and audits it as done', async () => {
    const id = await requestIdOf(t.deps.db, 'tgarcia');
    const { io, replies, attempts } = failingRedrawIO();
    await t.dispatcher.handle(actionEvent('rr:deny', String(id), kpatel, { reason: 'no allocation left this quarter' }), io);
    expect((await getResourceRequest(t.deps.db, id))?.status).toBe('denied');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toMatch(new RegExp(`^Denied request #${id} from tgarcia`));
    expect(replies[0]!.text).toContain('The message could not be redrawn');
    expect(replies[0]!.text).not.toMatch(/Slack is unavailable|nothing more was done/i);
    expect(attempts()).toBe(2);
    expect(await findDecision(t.deps.db, 'resource_request', id)).toMatchObject({ state: 'done', decidedBy: 'kpatel' });
    expect(await lastAudit()).toMatchObject({ name: 'rr:deny', outcome: 'ok', detail: expect.objectContaining({ decision: 'deny', redrawFailed: true }) });
  });

  it('reports an imaging request as approved with a stale message, and audits it as done', async () => {
    const trinity = await requestId(t.deps.db, 'Trinity 2.11 RNA-Seq');
    const { io, replies } = failingRedrawIO();
    await t.dispatcher.handle(actionEvent('mr:approve', String(trinity), kpatel), io);
    expect(await statusOf(t.deps.db, trinity)).toBe('started');
    expect(replies[0]!.text).toMatch(/^Approved imaging request #\d+/);
    expect(replies[0]!.text).toContain('The message could not be redrawn');
    expect(await lastAudit()).toMatchObject({ outcome: 'ok', detail: expect.objectContaining({ redrawFailed: true }) });
  });
});
