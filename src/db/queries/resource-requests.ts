import { and, asc, count, desc, eq, inArray, ne } from 'drizzle-orm';
import { statusIdsOf } from './statuses.js';
import type { Database } from '../client.js';
import { atmosphereUser, identity, provider, quota, resourceRequest, statusType } from '../atmosphere-schema.js';
import type { QuotaValues } from '../../model/quota-values.js';
import { pickQuotaValues, quotaValueColumns } from './quota-columns.js';

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

export interface IdentityQuota {
  identityId: number;
  identityUuid: string;
  providerId: number;
  provider: string;
  quotaId: number;
  quota: QuotaValues;
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

/** A resource request with its status name and requester; callers add the filter. */
function requestViews(db: Database) {
  return db
    .select(viewColumns)
    .from(resourceRequest)
    .innerJoin(statusType, eq(statusType.id, resourceRequest.statusId))
    .innerJoin(atmosphereUser, eq(atmosphereUser.id, resourceRequest.createdById));
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
 * Pending resource requests, oldest first, with the total count. Uses only Atmosphere's own indexes:
 * `resource_request_status_id_…` finds the pending rows by their status ids (cached, see statuses.ts),
 * the page of `limit` is cut from resource_request alone, and only those rows are joined to their
 * requester. The page and the count run in parallel on the pool.
 */
export async function listPendingResourceRequests(
  db: Database,
  options: { limit: number },
): Promise<{ rows: ResourceRequestView[]; total: number }> {
  const pendingIds = await statusIdsOf(db, ['pending']);
  if (pendingIds.length === 0) return { rows: [], total: 0 };
  const pending = inArray(resourceRequest.statusId, pendingIds);
  const page = db
    .select({
      id: resourceRequest.id,
      uuid: resourceRequest.uuid,
      request: resourceRequest.request,
      description: resourceRequest.description,
      adminMessage: resourceRequest.adminMessage,
      startDate: resourceRequest.startDate,
      endDate: resourceRequest.endDate,
      createdById: resourceRequest.createdById,
    })
    .from(resourceRequest)
    .where(pending)
    .orderBy(asc(resourceRequest.startDate), asc(resourceRequest.id))
    .limit(options.limit)
    .as('page');
  const [rows, totals] = await Promise.all([
    db
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
      })
      .from(page)
      .innerJoin(atmosphereUser, eq(atmosphereUser.id, page.createdById))
      .orderBy(asc(page.startDate), asc(page.id)),
    db.select({ total: count() }).from(resourceRequest).where(pending),
  ]);
  return { rows: rows.map((row) => toView({ ...row, status: 'pending' })), total: totals[0]?.total ?? 0 };
}

/** One resource request with its status name and requester, or null. */
export async function getResourceRequest(db: Database, id: number): Promise<ResourceRequestView | null> {
  const rows = await requestViews(db)
    .where(eq(resourceRequest.id, id))
    .limit(1);
  return rows[0] ? toView(rows[0]) : null;
}

/** The requester's earlier requests, newest first, for the detail view. */
export async function listOtherRequestsOf(db: Database, userId: number, exceptId: number, limit: number): Promise<ResourceRequestView[]> {
  const rows = await requestViews(db)
    .where(and(eq(resourceRequest.createdById, userId), ne(resourceRequest.id, exceptId)))
    .orderBy(desc(resourceRequest.startDate))
    .limit(limit);
  return rows.map(toView);
}

/** Each user's identities (one per provider account) with the quota currently assigned. */
export async function listIdentityQuotas(db: Database, userIds: readonly number[]): Promise<Map<number, IdentityQuota[]>> {
  const result = new Map<number, IdentityQuota[]>();
  if (userIds.length === 0) return result;
  const rows = await db
    .select({
      userId: identity.createdById,
      identityId: identity.id,
      identityUuid: identity.uuid,
      providerId: provider.id,
      provider: provider.location,
      quotaId: quota.id,
      ...quotaValueColumns,
    })
    .from(identity)
    .innerJoin(provider, eq(provider.id, identity.providerId))
    .innerJoin(quota, eq(quota.id, identity.quotaId))
    .where(inArray(identity.createdById, [...new Set(userIds)]))
    .orderBy(asc(provider.location), asc(identity.id));
  for (const row of rows) {
    const list = result.get(row.userId) ?? [];
    list.push({
      identityId: row.identityId,
      identityUuid: row.identityUuid,
      providerId: row.providerId,
      provider: row.provider,
      quotaId: row.quotaId,
      quota: pickQuotaValues(row),
    });
    result.set(row.userId, list);
  }
  return result;
}
