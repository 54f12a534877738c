import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { auditEntriesQuery, writeAudit, type AuditFilter } from '../../../src/db/queries/audit.js';
import { parseSince } from '../../../src/handlers/audit/parse-audit-filter.js';
import type { Reply } from '../../../src/bot/chat/reply.js';

const HOUR = 3_600_000;
const kpatel = { id: 'op', actingAs: 'kpatel' };
const mdelgado = { id: 'op2', actingAs: 'mdelgado' };
const jsmith = { id: 'op3', actingAs: 'jsmith' };
/** A pending resource request of the demo (rnguyen's), see resource-requests.test.ts. */
const REQUEST = 7;

const entriesOf = (reply: Reply) => (reply.sections ?? []).flatMap((section) => section.text.split('\n'));

describe('parseSince', () => {
  const now = new Date('2026-12-02T10:00:00Z');
  it('reads spans back from now in every spelling, and the maintenance parser\u2019s absolute times', () => {
    for (const text of ['2h', '-2h', '+2h', '2h ago', '1h60m']) expect(parseSince(text, now).toISOString()).toBe('2026-12-02T08:00:00.000Z');
    expect(parseSince('1d', now).toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(parseSince('2026-12-01 15:00', now).toISOString()).toBe('2026-12-01T15:00:00.000Z');
    expect(parseSince('2026-12-01T08:00-07:00', now).toISOString()).toBe('2026-12-01T15:00:00.000Z');
  });
  it('refuses what is no time, and a time in the future, saying what to write', () => {
    expect(() => parseSince('yesterday', now)).toThrow(/"yesterday" is not a time I can read: use 2026-12-01 15:00 \(UTC\).*2h \/ 30m \/ 1d ago/);
    expect(() => parseSince('2026-12-03 00:00', now)).toThrow(/2026-12-03 00:00 UTC is in the future .*holds only the past/);
  });
});

describe.each(dbKinds())('/atmo audit on %s', (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
    t.setNow(new Date(TEST_NOW.getTime() - 3 * HOUR));
    await dispatch(t.dispatcher, commandEvent(`request ${REQUEST}`, kpatel));
    t.setNow(new Date(TEST_NOW.getTime() - 2 * HOUR));
    await dispatch(t.dispatcher, commandEvent('imaging show 1', mdelgado));
    t.setNow(new Date(TEST_NOW.getTime() - HOUR));
    // A click on Approve opens the form; its row keeps the message the button sat on.
    await dispatch(t.dispatcher, actionEvent('rr:approve', String(REQUEST), kpatel));
    t.setNow(TEST_NOW);
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  it('is for staff only', async () => {
    const { replies } = await dispatch(t.dispatcher, commandEvent('audit', jsmith));
    expect(replies[0]?.text).toMatch(/staff/);
    expect(replies[0]?.sections).toBeUndefined();
  });

  it('lists one request\u2019s entries newest first, with when, who, what, outcome and the message it came from', async () => {
    const { replies } = await dispatch(t.dispatcher, commandEvent(`audit request ${REQUEST}`, mdelgado));
    expect(replies[0]?.text).toBe(`2 entries in the audit log for resource request #${REQUEST}, newest first.`);
    expect(entriesOf(replies[0]!)).toEqual([
      `• 2026-11-23 16:00 UTC (1 h ago): console:op as kpatel, form rr:approve "${REQUEST}": form opened; in console:C-ops, message 1700000000.000100`,
      `• 2026-11-23 14:00 UTC (3 h ago): console:op as kpatel, command request "request ${REQUEST}": ok; in console:C-ops`,
    ]);
  });

  it('finds an imaging request\u2019s entries apart from a resource request of the same id', async () => {
    const { replies } = await dispatch(t.dispatcher, commandEvent('audit imaging 1', kpatel));
    expect(entriesOf(replies[0]!)).toEqual(['• 2026-11-23 15:00 UTC (2 h ago): console:op2 as mdelgado, command imaging show "imaging show 1": ok; in console:C-ops']);
    const none = await dispatch(t.dispatcher, commandEvent('audit request 1', kpatel));
    expect(none.replies[0]?.text).toBe('Nothing in the audit log for resource request #1.');
  });

  it('filters by Atmosphere username, by chat user, and since a time', async () => {
    const byName = entriesOf((await dispatch(t.dispatcher, commandEvent('audit user mdelgado', kpatel))).replies[0]!);
    expect(byName.every((line) => line.includes('as mdelgado'))).toBe(true);
    expect(byName.at(-1)).toContain('imaging show');
    const byChatUser = entriesOf((await dispatch(t.dispatcher, commandEvent('audit user console:op', mdelgado))).replies[0]!);
    expect(byChatUser.length).toBeGreaterThanOrEqual(3);
    expect(byChatUser.every((line) => line.includes('console:op as kpatel'))).toBe(true);
    const since = await dispatch(t.dispatcher, commandEvent('audit since 90m', kpatel));
    expect(since.replies[0]?.text).toMatch(/^\d+ entries in the audit log since 2026-11-23 15:30 UTC, newest first\.$/);
    const lines = entriesOf(since.replies[0]!);
    expect(lines.at(-1)).toContain('form rr:approve');
    expect(lines.some((line) => line.includes('imaging show'))).toBe(false);
  });

  it('shows a refusal with what the user was told', async () => {
    await dispatch(t.dispatcher, commandEvent(`approve ${REQUEST}`, { id: 'op9', actingAs: 'rnguyen' }));
    const { replies } = await dispatch(t.dispatcher, commandEvent('audit user rnguyen', kpatel));
    expect(entriesOf(replies[0]!)[0]).toMatch(/^• 2026-11-23 17:00 UTC \(just now\): console:op9 as rnguyen, command approve "approve 7": refused: .*staff/);
  });

  it('says what a filter needs, instead of reading the whole log', async () => {
    const cases: [string, RegExp][] = [
      ['audit request', /^Request needs the resource request id/],
      ['audit request abc', /^The resource request id must be a number, e.g. 42: \/atmo audit request <id>/],
      ['audit since tomorrow', /"tomorrow" is not a time I can read/],
      ['audit user slack:nobody', /is not a chat user I can read/],
      ['audit everything', /say request <id>, imaging <id>, user <name> or since <time>/i],
    ];
    for (const [text, expected] of cases) {
      const { replies } = await dispatch(t.dispatcher, commandEvent(text, kpatel));
      expect({ text, reply: replies[0]?.text }).toEqual({ text, reply: expect.stringMatching(expected) });
    }
  });

  it('shows the newest 25 in sections that fit a Slack block, and counts the rest', async () => {
    for (let index = 0; index < 30; index += 1) {
      await writeAudit(t.deps.db, {
        at: new Date(TEST_NOW.getTime() - (100 + index) * HOUR),
        eventId: `bulk-${index}`,
        platform: 'slack',
        chatUserId: 'UBULK',
        atmosphereUsername: 'bulkuser',
        kind: 'command',
        name: 'requests',
        input: `requests ${'x'.repeat(5000)}`,
        outcome: 'failed',
        message: 'y'.repeat(5000),
        detail: null,
        channel: 'C-ops',
        messageId: null,
      }, t.deps.log);
    }
    const { replies } = await dispatch(t.dispatcher, commandEvent('audit user bulkuser', kpatel));
    expect(replies[0]?.text).toBe(
      '30 entries in the audit log for the Atmosphere user bulkuser, newest first. The newest 25 are shown; 5 older ones are not (narrow it with request, imaging, user or since).',
    );
    expect(entriesOf(replies[0]!)).toHaveLength(25);
    expect(entriesOf(replies[0]!)[0]).toContain('2026-11-19 13:00 UTC');
    for (const section of replies[0]!.sections!) expect(section.text.length).toBeLessThan(3000);
  });

  it('serves every filter from an index', async () => {
    const filters: [AuditFilter, string][] = [
      [{ kind: 'request', id: REQUEST }, 'audit_log_request_idx'],
      [{ kind: 'imaging', id: 1 }, 'audit_log_machine_request_idx'],
      [{ kind: 'username', username: 'kpatel' }, 'audit_log_username_idx'],
      [{ kind: 'chatUser', platform: 'console', chatUserId: 'op' }, 'audit_log_chat_user_idx'],
      [{ kind: 'since', at: TEST_NOW }, 'audit_log_at_idx'],
      [{ kind: 'all' }, 'audit_log_at_idx'],
    ];
    for (const [filter, index] of filters) {
      // The table is small here, so the planner would rather scan it; forbid that to see what it can use.
      const plan = await t.deps.db.transaction(async (tx) => {
        await tx.execute(sql`SET LOCAL enable_seqscan = off`);
        const result = await tx.execute(sql`EXPLAIN ${auditEntriesQuery(tx, filter, 25)}`);
        return (result as unknown as { rows: Record<string, string>[] }).rows.map((row) => Object.values(row)[0]).join('\n');
      });
      expect({ filter: filter.kind, usesIndex: plan.includes(index) }).toEqual({ filter: filter.kind, usesIndex: true });
    }
  });
});
