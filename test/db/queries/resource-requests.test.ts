import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { asc, eq, sql } from 'drizzle-orm';
import { allocationSource, atmosphereUser, resourceRequest, statusType } from '../../../src/db/atmosphere-schema.js';
import { listPendingResourceRequests, PENDING_WALK_IDS, PENDING_WAY_TTL_MS, type ResourceRequestView } from '../../../src/db/queries/resource-requests.js';
import { listIdentityQuotas, type IdentityQuota } from '../../../src/db/queries/identity-quotas.js';
import type { Database } from '../../../src/db/client.js';
import { getRequesterHoldings, listAllocationSources } from '../../../src/db/queries/allocation-sources.js';
import { createTestDatabase, dbKinds, TEST_NOW, type TestDatabase } from '../../support/databases.js';
import { countingDatabase } from '../../support/counting-database.js';
import { createTestContext, type TestContext } from '../../support/test-deps.js';

const PAGE = 15;

/**
 * The list as it was read before it walked the primary key: every pending row through the join on
 * `status_type.name`, ordered by `start_date`, then id. On rows whose ids follow submission, as
 * Atmosphere's do, the new list must give exactly this.
 */
async function listedTheOldWay(db: Database): Promise<{ rows: ResourceRequestView[]; total: number; quotas: Map<number, IdentityQuota[]> }> {
  const rows = await db
    .select({
      id: resourceRequest.id,
      uuid: resourceRequest.uuid,
      request: resourceRequest.request,
      description: resourceRequest.description,
      adminMessage: resourceRequest.adminMessage,
      startDate: resourceRequest.startDate,
      endDate: resourceRequest.endDate,
      status: statusType.name,
      requesterId: atmosphereUser.id,
      requesterUsername: atmosphereUser.username,
      requesterEmail: atmosphereUser.email,
    })
    .from(resourceRequest)
    .innerJoin(statusType, eq(statusType.id, resourceRequest.statusId))
    .innerJoin(atmosphereUser, eq(atmosphereUser.id, resourceRequest.createdById))
    .where(eq(statusType.name, 'pending'))
    .orderBy(asc(resourceRequest.startDate), asc(resourceRequest.id));
  const page = rows.slice(0, PAGE);
  return {
    total: rows.length,
    // As the list showed them before they came in its statement: listIdentityQuotas for the page.
    quotas: await listIdentityQuotas(db, page.map((row) => row.requesterId)),
    rows: page.map(({ requesterId, requesterUsername, requesterEmail, ...row }) => ({
      ...row,
      requester: { id: requesterId, username: requesterUsername, email: requesterEmail },
    })),
  };
}

describe.each(dbKinds())('the pending resource request list on %s', (kind) => {
  let database: TestDatabase;
  let db: Database;
  let firstId = 0;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = database.atmosphere.db;
    // Created lazily by get_or_create in Atmosphere, so "pending" is not the lowest id.
    await db.insert(statusType).values([{ name: 'approved' }, { name: 'denied' }, { name: 'pending' }, { name: 'closed' }]);
    await db.insert(atmosphereUser).values(
      ['ada', 'bo', 'cy'].map((name) => ({ password: '!', username: name, email: `${name}@example.org`, firstName: name, lastName: 'Tester' })),
    );
  }, 120_000);
  afterAll(async () => {
    await database?.drop();
  });

  /**
   * Replaces every request with `count` new ones, submitted a minute apart (two at a time share a
   * minute, so equal start dates are ordered by id) and drawing ids in that order; `pending(n)` says
   * which, counting from 1, wait for a decision. Returns the ids of the pending ones.
   */
  async function submit(count: number, pending: string): Promise<number[]> {
    await db.delete(resourceRequest);
    const inserted = await db.execute<{ id: number; n: number }>(sql`
      with ids as (select id, name from status_type),
           users as (select id, row_number() over (order by id) - 1 as k from atmosphere_user)
      insert into resource_request (uuid, admin_message, start_date, end_date, request, description, created_by_id, status_id)
      select gen_random_uuid(), case when ${sql.raw(pending)} then '' else 'done' end,
             ${TEST_NOW}::timestamptz - (${count} - g / 2) * interval '1 minute', null,
             'cpu: ' || g, 'request number ' || g, (select id from users where k = g % 3),
             (select id from ids where name = case when ${sql.raw(pending)} then 'pending' when g % 3 = 0 then 'denied' else 'approved' end)
      from generate_series(1, ${count}) g
      order by g
      returning id, status_id`);
    const rows = (inserted as unknown as { rows: { id: number; status_id: number }[] }).rows;
    const [pendingStatus] = await db.select({ id: statusType.id }).from(statusType).where(eq(statusType.name, 'pending'));
    firstId = Math.min(...rows.map((row) => row.id));
    return rows.filter((row) => row.status_id === pendingStatus!.id).map((row) => row.id).sort((a, b) => a - b);
  }

  /**
   * The list as the bot reads it on a database handle of its own, twice: how many statements the
   * first list took once the status ids were read, and how many the second, which has the first's
   * experience. Both gave the same rows.
   */
  async function listed(): Promise<{ rows: ResourceRequestView[]; total: number; quotas: Map<number, IdentityQuota[]>; statements: [number, number] }> {
    const counting = countingDatabase(db);
    const first = await listPendingResourceRequests(counting.db, { limit: PAGE });
    const firstCount = counting.statements.filter((statement) => !statement.includes('"status_type"')).length;
    counting.reset();
    const second = await listPendingResourceRequests(counting.db, { limit: PAGE });
    expect(second).toEqual(first);
    return { ...second, statements: [firstCount, counting.statements.length] };
  }

  it('finds old pending requests spread among decided ones by walking the primary key', async () => {
    const pendingIds = await submit(1000, 'g % 20 = 7');
    const { rows, total, quotas, statements } = await listed();
    expect(total).toBe(50);
    expect(rows.map((row) => row.id)).toEqual(pendingIds.slice(0, PAGE));
    expect({ rows, total, quotas }).toEqual(await listedTheOldWay(db));
    // The page, with the count in the same statement; no second look.
    expect(statements).toEqual([1, 1]);
  });

  it('gives every pending request when all of them sit near the start, fewer than a page', async () => {
    const pendingIds = await submit(600, 'g in (5, 6, 300, 599)');
    const { rows, total, quotas, statements } = await listed();
    expect(rows.map((row) => row.id)).toEqual(pendingIds);
    expect(total).toBe(4);
    expect({ rows, total, quotas }).toEqual(await listedTheOldWay(db));
    expect(statements).toEqual([1, 1]);
  });

  it('finds pending requests gathered among the newest, past the walk, through the status index', async () => {
    const count = PENDING_WALK_IDS + 2000;
    const pendingIds = await submit(count, `g > ${count - 40}`);
    expect(pendingIds[0]! - firstId).toBeGreaterThan(PENDING_WALK_IDS);
    const { rows, total, quotas, statements } = await listed();
    expect(total).toBe(40);
    expect(rows.map((row) => row.id)).toEqual(pendingIds.slice(0, PAGE));
    expect({ rows, total, quotas }).toEqual(await listedTheOldWay(db));
    // The walk came back short, so the status index was read as well; the next list went there directly.
    expect(statements).toEqual([2, 1]);
  });

  it('puts the few old pending requests inside the walk before the newer ones beyond it', async () => {
    const count = PENDING_WALK_IDS + 2000;
    const pendingIds = await submit(count, `(g in (3, 40, 41)) or g > ${count - 30}`);
    const { rows, total, quotas, statements } = await listed();
    expect(total).toBe(33);
    expect(rows.map((row) => row.id)).toEqual(pendingIds.slice(0, PAGE));
    expect(rows.slice(0, 3).map((row) => row.id - firstId + 1)).toEqual([3, 40, 41]);
    expect({ rows, total, quotas }).toEqual(await listedTheOldWay(db));
    expect(statements).toEqual([2, 1]);
  });

  it('remembers a short walk for a while, and walks again once that is old', async () => {
    const counting = countingDatabase(db);
    const walked = (statements: readonly string[]) => statements.some((statement) => statement.includes('select min('));
    const count = PENDING_WALK_IDS + 2000;
    await submit(count, `g > ${count - 40}`);
    await listPendingResourceRequests(counting.db, { limit: PAGE });
    // Now spread out again: the status index still gives exactly the right rows, only more slowly.
    await submit(1000, 'g % 20 = 7');
    counting.reset();
    const remembered = await listPendingResourceRequests(counting.db, { limit: PAGE });
    expect(remembered).toEqual(await listedTheOldWay(db));
    expect(walked(counting.statements)).toBe(false);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + PENDING_WAY_TTL_MS + 1 });
    try {
      counting.reset();
      expect(await listPendingResourceRequests(counting.db, { limit: PAGE })).toEqual(remembered);
      // The walk, which counts too (the status ids, old by now too, may be read again first).
      expect(walked(counting.statements)).toBe(true);
      expect(counting.statements.filter((statement) => !statement.includes('"status_type"'))).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers an empty list when nothing is pending', async () => {
    await submit(50, 'false');
    // An empty walk cannot tell "none pending" from "all past the walk", so the status index answers.
    expect(await listed()).toEqual({ rows: [], total: 0, quotas: new Map(), statements: [2, 1] });
  });
});

describe.each(dbKinds())('the pending list\'s quotas on the demo data on %s', (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
  }, 120_000);
  afterAll(async () => {
    await t?.database.drop();
  });

  it('carries each requester\'s identities and quotas, the same as read on their own', async () => {
    const { rows, quotas } = await listPendingResourceRequests(t.deps.db, { limit: PAGE });
    const requesters = rows.map((row) => row.requester.id);
    const alone = await listIdentityQuotas(t.deps.db, requesters);
    // The demo has requesters with one identity and with two (rnguyen: tucson and tacc), and values set.
    expect([...alone.values()].some((list) => list.length === 2)).toBe(true);
    expect([...alone.values()].flat().some((identity) => (identity.quota.cpu ?? 0) > 0)).toBe(true);
    expect(quotas).toEqual(alone);
    // In the same order too: provider, then identity.
    for (const id of requesters) expect(quotas.get(id)?.map((q) => q.identityId)).toEqual(alone.get(id)?.map((q) => q.identityId));
  });

  it('gives a user\'s quotas and allocation sources in one statement, the same as read on their own', async () => {
    // A source that ends, to compare its date as JSON carries it with the column read on its own.
    await t.deps.db.update(allocationSource).set({ endDate: new Date('2027-03-31T23:59:59.123Z') }).where(eq(allocationSource.name, 'TG-BIO210056'));
    const users = await t.deps.db.select({ id: atmosphereUser.id }).from(atmosphereUser).orderBy(asc(atmosphereUser.id));
    const quotas = await listIdentityQuotas(t.deps.db, users.map((user) => user.id));
    const sources = await listAllocationSources(t.deps.db, users.map((user) => user.id));
    // The demo has shared sources (members > 1) and sources with an end date to compare.
    expect([...sources.values()].flat().some((source) => source.members > 1)).toBe(true);
    expect([...sources.values()].flat().some((source) => source.endDate !== null)).toBe(true);
    for (const user of users) {
      const counting = countingDatabase(t.deps.db);
      expect(await getRequesterHoldings(counting.db, user.id)).toEqual({ quotas: quotas.get(user.id) ?? [], sources: sources.get(user.id) ?? [] });
      expect(counting.statements).toHaveLength(1);
    }
    expect(await getRequesterHoldings(t.deps.db, 987_654)).toEqual({ quotas: [], sources: [] });
  });
});
