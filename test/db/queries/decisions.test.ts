import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type SQLWrapper } from 'drizzle-orm';
import { migrateBotSchema } from '../../../src/db/migrate.js';
import {
  listRecordsWithChangeInFlight,
  listUnsettledDecisions,
  markDecisionSent,
  recordsWithChangeInFlightQuery,
  unsettledDecisionsQuery,
} from '../../../src/db/queries/decisions.js';
import { rowsOf } from '../../../src/db/rows-of.js';
import { createTestDatabase, dbKinds, TEST_NOW, type TestDatabase } from '../../support/databases.js';

const MINUTE = 60_000;
const DONE = 20_000;

describe.each(dbKinds())('reading the unsettled decisions of a long journal on %s', (kind) => {
  let database: TestDatabase;
  const db = () => database.atmosphere.db;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await migrateBotSchema(database.atmosphere);
    // Years of decisions carried out, then the handful still open, as a cloud's journal looks.
    await db().execute(sql`
      insert into atmobot.decision (subject, record_id, action, state, decided_by, platform, chat_user_id, decided_at, completed_at, sent_at)
      select case when n % 2 = 0 then 'resource_request' else 'machine_request' end, n, 'approve', 'done', 'kpatel', 'slack', 'U1',
             ${TEST_NOW.toISOString()}::timestamptz - n * interval '1 minute', ${TEST_NOW.toISOString()}::timestamptz, ${TEST_NOW.toISOString()}::timestamptz - n * interval '1 minute'
      from generate_series(1, ${DONE}) as n`);
    const open = (recordId: number, subject: string, state: string, sentMinutesAgo: number | null) => sql`
      insert into atmobot.decision (subject, record_id, action, state, decided_by, platform, chat_user_id, decided_at, sent_at)
      values (${subject}, ${recordId}, 'approve', ${state}, 'kpatel', 'slack', 'U1', ${TEST_NOW.toISOString()}::timestamptz,
              ${sentMinutesAgo === null ? null : new Date(TEST_NOW.getTime() - sentMinutesAgo * MINUTE).toISOString()}::timestamptz)`;
    await db().execute(open(DONE + 1, 'resource_request', 'in_progress', 1));
    await db().execute(open(DONE + 2, 'resource_request', 'held', 20));
    await db().execute(open(DONE + 3, 'machine_request', 'held', 1));
    await db().execute(open(DONE + 4, 'resource_request', 'in_progress', null));
    await db().execute(sql`analyze atmobot.decision`);
  }, 180_000);
  afterAll(async () => {
    await database?.drop();
  });

  async function planOf(query: SQLWrapper): Promise<string> {
    return rowsOf(await db().execute(sql`explain ${query}`))
      .map((row) => Object.values(row as Record<string, unknown>)[0])
      .join('\n');
  }

  it('lists the reconciler its open claims, oldest first, from the partial index', async () => {
    expect((await listUnsettledDecisions(db())).map((row) => [row.recordId, row.state])).toEqual([
      [DONE + 1, 'in_progress'],
      [DONE + 2, 'held'],
      [DONE + 3, 'held'],
      [DONE + 4, 'in_progress'],
    ]);
    const plan = await planOf(unsettledDecisionsQuery(db(), 100));
    expect(plan).toContain('decision_unsettled_idx');
    expect(plan).not.toMatch(/Seq Scan on decision/);
  });

  it('tells the alert scans which records have a change of the bot in flight, from the partial index', async () => {
    const since = new Date(TEST_NOW.getTime() - 10 * MINUTE);
    expect(await listRecordsWithChangeInFlight(db(), 'resource_request', since)).toEqual([DONE + 1]);
    expect(await listRecordsWithChangeInFlight(db(), 'machine_request', since)).toEqual([DONE + 3]);
    const plan = await planOf(recordsWithChangeInFlightQuery(db(), 'resource_request', since));
    expect(plan).toContain('decision_unsettled_idx');
    expect(plan).not.toMatch(/Seq Scan on decision/);
  });
});

describe.each(dbKinds())('marking a claim sent only while its record reads as planned, on %s', (kind) => {
  let database: TestDatabase;
  const db = () => database.atmosphere.db;
  let nextRecord = 1;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await migrateBotSchema(database.atmosphere);
  }, 180_000);
  afterAll(async () => {
    await database?.drop();
  });

  async function claim(state: 'in_progress' | 'done'): Promise<number> {
    const rows = rowsOf(await db().execute(sql`
      insert into atmobot.decision (subject, record_id, action, state, decided_by, platform, chat_user_id, decided_at)
      values ('resource_request', ${nextRecord++}, 'approve', ${state}, 'kpatel', 'slack', 'U1', ${TEST_NOW.toISOString()}::timestamptz)
      returning id`));
    return Number(rows[0]!['id']);
  }
  const sentAt = async (id: number) => rowsOf(await db().execute(sql`select sent_at from atmobot.decision where id = ${id}`))[0]!['sent_at'];
  // The record's state as the precondition's scalar subquery gives it: a value, or no row at all.
  const reads = (value: string | null) => ({ state: value === null ? sql<string | null>`select null::text where false` : sql<string | null>`select ${value}::text`, expected: 'pending' });

  it('marks an in-progress claim whose record still reads as planned', async () => {
    const id = await claim('in_progress');
    expect(await markDecisionSent(db(), id, TEST_NOW, reads('pending'))).toEqual({ marked: true });
    expect(await sentAt(id)).not.toBeNull();
  });

  it('leaves it unmarked and says what the record reads when it changed, or that it is gone', async () => {
    const changed = await claim('in_progress');
    expect(await markDecisionSent(db(), changed, TEST_NOW, reads('denied'))).toEqual({ marked: false, reason: 'record changed', state: 'denied' });
    expect(await sentAt(changed)).toBeNull();
    const gone = await claim('in_progress');
    expect(await markDecisionSent(db(), gone, TEST_NOW, reads(null))).toEqual({ marked: false, reason: 'record changed', state: null });
    expect(await sentAt(gone)).toBeNull();
  });

  it('says a claim no longer in progress is not ours, whatever its record reads', async () => {
    const finished = await claim('done');
    expect(await markDecisionSent(db(), finished, TEST_NOW, reads('denied'))).toEqual({ marked: false, reason: 'not in progress' });
    expect(await markDecisionSent(db(), finished, TEST_NOW, reads('pending'))).toEqual({ marked: false, reason: 'not in progress' });
    expect(await markDecisionSent(db(), finished, TEST_NOW)).toEqual({ marked: false, reason: 'not in progress' });
    expect(await sentAt(finished)).toBeNull();
  });
});
