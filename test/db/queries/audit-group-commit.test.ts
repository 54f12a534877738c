import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, like } from 'drizzle-orm';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { createTestContext, type TestContext } from '../../support/test-deps.js';
import { countingDatabase } from '../../support/counting-database.js';
import { auditLog } from '../../../src/db/bot-schema/index.js';
import { drainAudit, pendingAudit, writeAudit, type AuditRow } from '../../../src/db/queries/audit.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { createWorkQueue } from '../../../src/bot/chat/work-queue.js';

const capturingLog = () => createMemoryLogger('info');

function row(eventId: string, extra: Partial<AuditRow> = {}): AuditRow {
  return {
    at: TEST_NOW,
    eventId,
    platform: 'slack',
    chatUserId: 'UAUDIT',
    atmosphereUsername: 'kpatel',
    kind: 'action',
    name: 'rr:approve',
    input: '7:list',
    outcome: 'ok',
    message: null,
    detail: { requestId: 7 },
    channel: 'C-ops',
    messageId: null,
    ...extra,
  };
}

/**
 * The audit log under a burst: a row goes at once when none is being written, and the rows that
 * arrive meanwhile go together in one insert once it is done, each caller's promise resolving when
 * its own row is in the table.
 */
describe.each(dbKinds())('audit rows group-committed on %s', (kind) => {
  let t: TestContext;

  beforeAll(async () => {
    t = await createTestContext(kind);
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  const written = async (prefix: string) =>
    (await t.deps.db.select({ eventId: auditLog.eventId, detail: auditLog.detail }).from(auditLog).where(like(auditLog.eventId, `${prefix}%`)).orderBy(asc(auditLog.id))).map((r) => r.eventId);

  it('writes a burst of twelve in two inserts, in the order they came, each resolved once its row is there', async () => {
    const counting = countingDatabase(t.deps.db);
    const { log } = capturingLog();
    const ids = Array.from({ length: 12 }, (_, i) => `burst-${String(i).padStart(2, '0')}`);
    const seen: number[] = [];
    await Promise.all(
      ids.map(async (id, i) => {
        await writeAudit(counting.db, row(id), log);
        // Resolved only once the row is in the table.
        seen.push((await written(id)).length === 1 ? i : -1);
      }),
    );
    expect(seen.sort((a, b) => a - b)).toEqual(ids.map((_, i) => i));
    expect(await written('burst-')).toEqual(ids);
    // The first alone (nothing was on its way), the eleven that came meanwhile in one more.
    expect(counting.statements.filter((statement) => /^insert into "atmobot"\."audit_log"/.test(statement))).toHaveLength(2);
    expect(counting.statements).toHaveLength(2);
  });

  it('writes a lone row at once, in one statement of its own', async () => {
    const counting = countingDatabase(t.deps.db);
    const { log } = capturingLog();
    await writeAudit(counting.db, row('lone-1'), log);
    await writeAudit(counting.db, row('lone-2'), log);
    expect(counting.statements).toHaveLength(2);
    expect(await written('lone-')).toEqual(['lone-1', 'lone-2']);
  });

  it('keeps the rest of a group when the database refuses one row of it, and logs that row in full', async () => {
    const { log, lines } = capturingLog();
    // The first goes alone; the three behind it go as a group, one of which Postgres refuses (no such time).
    await Promise.all([
      writeAudit(t.deps.db, row('refused-0'), log),
      writeAudit(t.deps.db, row('refused-1'), log),
      writeAudit(t.deps.db, row('refused-2', { at: new Date(Number.NaN) }), log),
      writeAudit(t.deps.db, row('refused-3'), log),
    ]);
    expect(await written('refused-')).toEqual(['refused-0', 'refused-1', 'refused-3']);
    const refusals = lines.filter((line) => line.msg === 'the database refused an audit row; it is kept here in the log instead');
    expect(refusals).toHaveLength(1);
    expect((refusals[0]!.auditRow as { eventId: string }).eventId).toBe('refused-2');
    expect(pendingAudit(t.deps.db)).toBe(0);
  });

  it('finishes every event of a burst through the work queue, whose slots are given up while a row waits for its group', async () => {
    // As the bot runs: statements wait outside the event's slot. An event whose row waited for the
    // group inside its slot would keep the event of the insert on its way from getting its slot back.
    const queue = createWorkQueue(2);
    t.database.atmosphere.waitThrough((wait) => queue.waitOnDatabase(wait));
    try {
      const { log } = capturingLog();
      const events = Array.from({ length: 12 }, (_, i) => queue.run({ eventId: `queued-${i}`, run: () => writeAudit(t.deps.db, row(`queued-${String(i).padStart(2, '0')}`), log) }));
      await Promise.all(events);
      expect(await written('queued-')).toHaveLength(12);
    } finally {
      t.database.atmosphere.waitThrough((wait) => wait());
    }
  }, 20_000);

  it('lets shutdown wait for a group still on its way', async () => {
    const { log } = capturingLog();
    const writes = Array.from({ length: 5 }, (_, i) => writeAudit(t.deps.db, row(`drain-${i}`), log));
    await drainAudit(t.deps.db);
    expect(await written('drain-')).toEqual(['drain-0', 'drain-1', 'drain-2', 'drain-3', 'drain-4']);
    await Promise.all(writes);
  });
});
