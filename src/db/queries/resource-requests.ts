import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { PgSelect } from 'drizzle-orm/pg-core';
import { statusIdsOf } from './statuses.js';
import type { Database } from '../client.js';
import { anyOfPlaceholder, preparedPerDatabase } from '../prepared.js';
import { atmosphereUser, resourceRequest, statusType } from '../atmosphere-schema.js';
import { fromIdentityQuotasJson, identityQuotasJson, type IdentityQuota } from './identity-quotas.js';
import { decision } from '../bot-schema/index.js';
import type { DecisionRow } from './decisions.js';

export interface ResourceRequestView {
  id: number;
  uuid: string;
  request: string;
  description: string;
  adminMessage: string;
  startDate: Date;
  endDate: Date | null;
  status: string;
  requester: { id: number; username: string; email: string };
}

const viewColumns = {
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
};

interface ViewRow {
  id: number;
  uuid: string;
  request: string;
  description: string;
  adminMessage: string;
  startDate: Date;
  endDate: Date | null;
  status: string;
  requesterId: number;
  requesterUsername: string;
  requesterEmail: string;
}

/** Joins a select from `resource_request` to its status name and requester (whose columns it selects). */
function withStatusAndRequester<Q extends PgSelect>(query: Q) {
  return query.innerJoin(statusType, eq(statusType.id, resourceRequest.statusId)).innerJoin(atmosphereUser, eq(atmosphereUser.id, resourceRequest.createdById));
}

/** A resource request with its status name and requester; callers add the filter. */
function requestViews(db: Database) {
  return withStatusAndRequester(db.select(viewColumns).from(resourceRequest).$dynamic());
}

function toView(row: ViewRow): ResourceRequestView {
  return {
    id: row.id,
    uuid: row.uuid,
    request: row.request,
    description: row.description,
    adminMessage: row.adminMessage,
    startDate: row.startDate,
    endDate: row.endDate,
    status: row.status,
    requester: { id: row.requesterId, username: row.requesterUsername, email: row.requesterEmail },
  };
}

/**
 * How many ids from the start of `resource_request` the pending list walks by primary key before it
 * switches to the status index. About 200 heap pages: a few milliseconds even uncached.
 */
export const PENDING_WALK_IDS = 10_000;

const pageColumns = {
  id: resourceRequest.id,
  uuid: resourceRequest.uuid,
  request: resourceRequest.request,
  description: resourceRequest.description,
  adminMessage: resourceRequest.adminMessage,
  startDate: resourceRequest.startDate,
  endDate: resourceRequest.endDate,
  createdById: resourceRequest.createdById,
};

/** The filter of the pending list and its count: the status ids are given at each execution. */
const pending = anyOfPlaceholder(resourceRequest.statusId, 'statusIds');

/**
 * The first `limit` pending requests by id. `walk` reads the primary key from the table's lowest id
 * and stops at the first `limit` matches, but never past `PENDING_WALK_IDS` ids; otherwise the rows
 * come from the status index and the few wanted are sorted out of them (`id + 0` keeps the planner
 * from walking the primary key instead: it assumes pending rows spread evenly, and where they sit at
 * the newest end, as on a cloud whose staff decide promptly, that walk reads the whole table).
 */
function pendingPage(db: Database, how: 'walk' | 'status index') {
  const page = db
    .select(pageColumns)
    .from(resourceRequest)
    .where(
      how === 'walk'
        ? and(pending, sql`${resourceRequest.id} < (select min(${resourceRequest.id}) from ${resourceRequest}) + ${PENDING_WALK_IDS}`)
        : pending,
    )
    .orderBy(how === 'walk' ? asc(resourceRequest.id) : sql`${resourceRequest.id} + 0`)
    .limit(sql.placeholder('limit'))
    .as('page');
  return db
    .select({
      id: page.id,
      uuid: page.uuid,
      request: page.request,
      description: page.description,
      adminMessage: page.adminMessage,
      startDate: page.startDate,
      endDate: page.endDate,
      requesterId: atmosphereUser.id,
      requesterUsername: atmosphereUser.username,
      requesterEmail: atmosphereUser.email,
      // Every pending request, counted in the same statement (an uncorrelated subquery: Postgres runs
      // it once, an index-only scan of the status index), so a list is one round trip, not two.
      total: sql<number>`(select count(*) from ${resourceRequest} where ${pending})`.mapWith(Number),
      // Each requester's identities with their quota, as listIdentityQuotas reads them, gathered per
      // row (the page is a few rows; identity's created_by index finds theirs), so the list shows
      // the quotas without a round trip of its own.
      quotas: identityQuotasJson(page.createdById),
    })
    .from(page)
    .innerJoin(atmosphereUser, eq(atmosphereUser.id, page.createdById))
    .orderBy(asc(page.id))
    .prepare(how === 'walk' ? 'atmobot_pending_requests_walk' : 'atmobot_pending_requests_by_status');
}

const pendingByWalk = preparedPerDatabase((db) => pendingPage(db, 'walk'));
const pendingByStatus = preparedPerDatabase((db) => pendingPage(db, 'status index'));
const pendingWay = { walk: pendingByWalk, 'status index': pendingByStatus } as const;

/**
 * Which way found a full page last time, per database handle. Both ways give the same rows; the
 * memory only spares a walk that came back short last time (pending requests gathered among the
 * newest stay so), and is forgotten after `PENDING_WAY_TTL_MS` so a changed spread is noticed.
 */
const lastWay = new WeakMap<Database, { way: 'status index'; at: number }>();
export const PENDING_WAY_TTL_MS = 10 * 60_000;

/**
 * Pending resource requests, oldest first, with the total count and each requester's identities and
 * quotas (as listIdentityQuotas gives them). Oldest means submitted first, which
 * is the lowest id: Atmosphere stamps `start_date` with the time of the insert that draws the id, and
 * `start_date` has no index. Uses only Atmosphere's own indexes, whatever the spread of pending rows:
 * the primary key from the start of the table finds old pending requests among decided ones in a few
 * hundred rows; when the first `PENDING_WALK_IDS` ids hold too few, the status index
 * (`resource_request_status_id_…`, on the cached status ids, see statuses.ts) gives every pending row
 * and the oldest are sorted out of them, which is cheap exactly when the first way was not (pending
 * rows gathered among the newest); the next lists go that way directly for a while. Only the page's
 * rows are joined to their requester; the count, an index-only scan of the status index, comes in
 * the same statement on every row of the page. An empty walk says nothing of the count, so it always
 * goes on to the status index, whose empty page means none is pending.
 */
export async function listPendingResourceRequests(
  db: Database,
  options: { limit: number },
): Promise<{ rows: ResourceRequestView[]; total: number; quotas: Map<number, IdentityQuota[]> }> {
  const pendingIds = await statusIdsOf(db, ['pending']);
  if (pendingIds.length === 0) return { rows: [], total: 0, quotas: new Map() };
  const params = { statusIds: pendingIds, limit: options.limit };
  const remembered = lastWay.get(db);
  const first = remembered && Date.now() - remembered.at < PENDING_WAY_TTL_MS ? 'status index' : 'walk';
  let rows = await pendingWay[first](db).execute(params);
  // The walk saw every pending row among its ids; fewer than a page and fewer than all means the
  // rest lie beyond it.
  if (first === 'walk' && rows.length < options.limit && (rows.length === 0 || rows.length < rows[0]!.total)) {
    rows = await pendingByStatus(db).execute(params);
    lastWay.set(db, { way: 'status index', at: Date.now() });
  }
  const quotas = new Map<number, IdentityQuota[]>();
  // Only requesters with an identity get an entry, as in listIdentityQuotas.
  for (const row of rows) {
    if (row.quotas && row.quotas.length > 0) quotas.set(row.requesterId, fromIdentityQuotasJson(row.quotas));
  }
  return { rows: rows.map(({ total: _total, quotas: _quotas, ...row }) => toView({ ...row, status: 'pending' })), total: rows[0]?.total ?? 0, quotas };
}

const requestById = preparedPerDatabase((db) =>
  requestViews(db).where(eq(resourceRequest.id, sql.placeholder('id'))).limit(1).prepare('atmobot_resource_request_by_id'),
);

/** One resource request with its status name and requester, or null. */
export async function getResourceRequest(db: Database, id: number): Promise<ResourceRequestView | null> {
  const rows = await requestById(db).execute({ id });
  return rows[0] ? toView(rows[0]) : null;
}

const requestAndDecisionById = preparedPerDatabase((db) =>
  withStatusAndRequester(db.select({ ...viewColumns, decision }).from(resourceRequest).$dynamic())
    // A resource request is decided in one round (round 0); the unique key makes this at most one row.
    .leftJoin(decision, and(eq(decision.subject, 'resource_request'), eq(decision.recordId, resourceRequest.id), eq(decision.round, 0)))
    .where(eq(resourceRequest.id, sql.placeholder('id')))
    .limit(1)
    .prepare('atmobot_resource_request_and_decision_by_id'),
);

/**
 * One resource request and the bot's decision journal row on it, if any, in one round trip: what a
 * click or a submission checks first (is it still pending, is anyone deciding it already).
 */
export async function getResourceRequestAndDecision(db: Database, id: number): Promise<{ request: ResourceRequestView; decision: DecisionRow | null } | null> {
  const row = (await requestAndDecisionById(db).execute({ id }))[0];
  return row ? { request: toView(row), decision: row.decision } : null;
}

/**
 * The request's status name as a scalar subquery, to be read inside another statement: a decision's
 * mark before it is sent (decisions.ts, markDecisionSent) checks in the same round trip that nobody
 * decided the request in Troposphere since it was read. Null when the request is gone.
 */
export function resourceRequestStatusOf(id: number): SQL<string | null> {
  return sql<string | null>`select ${statusType.name} from ${resourceRequest} inner join ${statusType} on ${statusType.id} = ${resourceRequest.statusId} where ${resourceRequest.id} = ${id}`;
}
