import { sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { decision, firstApproval } from '../bot-schema/index.js';
import { rowsOf } from '../rows-of.js';

/** What a requester runs now on one provider: live instances with their sizes summed, and volumes. */
export interface ProviderUsage {
  provider: string;
  instances: number;
  /** Of those, how many are in the `active` status (the rest are suspended, shut off, building...). */
  active: number;
  cpu: number;
  memoryMb: number;
  diskGb: number;
  volumes: number;
  volumeGb: number;
}

export interface RecentInstance {
  id: number;
  name: string;
  provider: string;
  size: string | null;
  cpu: number;
  memoryMb: number;
  status: string | null;
  startDate: Date;
}

/** The allocation engine's last view of one source the requester draws on; null fields: no snapshot yet. */
export interface AllocationUsage {
  sourceId: number;
  /** The whole source's use and burn rate (AU, AU per hour), over all its users. */
  sourceUsed: number | null;
  sourceBurnRate: number | null;
  /** The requester's own share. */
  userUsed: number | null;
  userBurnRate: number | null;
  updated: Date | null;
}

export interface EarlierRequest {
  id: number;
  status: string;
  startDate: Date;
  endDate: Date | null;
  request: string;
  adminMessage: string;
  /** Who decided it through the bot, when the bot did. */
  decidedBy: string | null;
  platform: string | null;
}

export interface RequesterContext {
  account: { joined: Date; active: boolean; endDate: Date | null; lastLogin: Date | null } | null;
  usage: ProviderUsage[];
  recentInstances: RecentInstance[];
  /** Live instances over all providers; `recentInstances` holds only the newest few. */
  instanceCount: number;
  allocations: AllocationUsage[];
  /** The requester's other requests by status name, however many there are. */
  requestCounts: Record<string, number>;
  recentRequests: EarlierRequest[];
  /** A large grant's first approval on the viewed request, waiting for its second reviewer. */
  firstApproval: { approvedBy: string; approvedAt: Date; platform: string; summary: string } | null;
}

const dateOf = (value: unknown): Date | null => (typeof value === 'string' ? new Date(value) : null);
const numberOf = (value: unknown): number => (typeof value === 'number' ? value : Number(value ?? 0));
const numberOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const textOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const listOf = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null) : []);

/**
 * Everything staff weigh a resource request by, beyond the quota, in ONE statement (the detail view
 * already reads the request, quotas, allocation sources and decision beside it): the account's age
 * and state; live instances (no end date) with the size of their current status row
 * (`instance_status_history` newest first, as Atmosphere reads it) summed per provider, and the newest
 * `recent`; volumes whose source is not end-dated, per provider; the allocation engine's snapshots of
 * each source the user draws on; the user's other requests counted by status and the newest `recent`
 * with who decided them through the bot; and a first approval of the viewed request waiting for its
 * second reviewer. Counts and sums stay one row each however many instances or
 * requests there are. Everything comes back as one JSON value, which both drivers parse alike.
 * "Unknown Size" rows carry -1 for cpu, memory and disk; they count as 0.
 */
export async function getRequesterContext(db: Database, userId: number, exceptRequestId: number, recent: number): Promise<RequesterContext> {
  const result = await db.execute(sql`
    with live as (
      select i.id, i.name, i.start_date, p.location as provider, sz.name as size,
             greatest(coalesce(sz.cpu, 0), 0) as cpu, greatest(coalesce(sz.mem, 0), 0) as mem_mb,
             greatest(coalesce(sz.disk, 0), 0) as disk_gb, st.name as status
      from instance i
      join instance_source src on src.id = i.source_id
      join provider p on p.id = src.provider_id
      left join lateral (
        select h.size_id, h.status_id from instance_status_history h
        where h.instance_id = i.id order by h.start_date desc, h.id desc limit 1
      ) cur on true
      left join size sz on sz.id = cur.size_id
      left join instance_status st on st.id = cur.status_id
      where i.created_by_id = ${userId} and i.end_date is null
    ),
    per_provider as (
      select provider, count(*)::int as instances, (count(*) filter (where status = 'active'))::int as active,
             sum(cpu)::int as cpu, sum(mem_mb)::bigint as mem_mb, sum(disk_gb)::int as disk_gb
      from live group by provider
    ),
    volumes as (
      select p.location as provider, count(*)::int as volumes, coalesce(sum(v.size), 0)::int as gb
      from volume v
      join instance_source src on src.id = v.instance_source_id
      join provider p on p.id = src.provider_id
      where src.created_by_id = ${userId} and src.end_date is null
      group by p.location
    ),
    others as (
      select r.id, st.name as status, r.start_date, r.end_date, r.request, r.admin_message
      from resource_request r join status_type st on st.id = r.status_id
      where r.created_by_id = ${userId} and r.id <> ${exceptRequestId}
    )
    select json_build_object(
      'account', (select json_build_object('joined', u.date_joined, 'active', u.is_active, 'endDate', u.end_date, 'lastLogin', u.last_login)
                  from atmosphere_user u where u.id = ${userId}),
      'usage', (select coalesce(json_agg(json_build_object(
                   'provider', coalesce(pp.provider, vv.provider), 'instances', coalesce(pp.instances, 0), 'active', coalesce(pp.active, 0),
                   'cpu', coalesce(pp.cpu, 0), 'memoryMb', coalesce(pp.mem_mb, 0), 'diskGb', coalesce(pp.disk_gb, 0),
                   'volumes', coalesce(vv.volumes, 0), 'volumeGb', coalesce(vv.gb, 0))
                 order by coalesce(pp.provider, vv.provider)), '[]'::json)
                from per_provider pp full join volumes vv on vv.provider = pp.provider),
      'instanceCount', (select count(*)::int from live),
      'recentInstances', (select coalesce(json_agg(json_build_object(
                   'id', l.id, 'name', l.name, 'provider', l.provider, 'size', l.size, 'cpu', l.cpu, 'memoryMb', l.mem_mb,
                   'status', l.status, 'startDate', l.start_date) order by l.start_date desc, l.id desc), '[]'::json)
                from (select * from live order by start_date desc, id desc limit ${recent}) l),
      'allocations', (select coalesce(json_agg(json_build_object(
                   'sourceId', uas.allocation_source_id, 'sourceUsed', s.compute_used, 'sourceBurnRate', s.global_burn_rate,
                   'userUsed', us.compute_used, 'userBurnRate', us.burn_rate, 'updated', coalesce(s.updated, us.updated))), '[]'::json)
                from user_allocation_source uas
                left join allocation_source_snapshot s on s.allocation_source_id = uas.allocation_source_id
                left join user_allocation_snapshot us on us.allocation_source_id = uas.allocation_source_id and us.user_id = uas.user_id
                where uas.user_id = ${userId}),
      'requestCounts', (select coalesce(json_object_agg(c.status, c.n), '{}'::json)
                from (select status, count(*)::int as n from others group by status) c),
      'recentRequests', (select coalesce(json_agg(json_build_object(
                   'id', o.id, 'status', o.status, 'startDate', o.start_date, 'endDate', o.end_date, 'request', o.request,
                   'adminMessage', o.admin_message, 'decidedBy', d.decided_by, 'platform', d.platform) order by o.id desc), '[]'::json)
                from (select * from others order by id desc limit ${recent}) o
                left join ${decision} d on d.subject = 'resource_request' and d.record_id = o.id and d.round = 0 and d.state = 'done'),
      'firstApproval', (select json_build_object('approvedBy', f.approved_by, 'approvedAt', f.approved_at, 'platform', f.platform, 'summary', f.summary)
                from ${firstApproval} f where f.request_id = ${exceptRequestId})
    ) as context`);
  const raw = rowsOf(result)[0]?.context;
  const context = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown> | null | undefined;
  const account = context?.account as Record<string, unknown> | null | undefined;
  const counts = (context?.requestCounts ?? {}) as Record<string, unknown>;
  const first = context?.firstApproval as Record<string, unknown> | null | undefined;
  return {
    account: account
      ? { joined: dateOf(account.joined) ?? new Date(0), active: account.active === true, endDate: dateOf(account.endDate), lastLogin: dateOf(account.lastLogin) }
      : null,
    usage: listOf(context?.usage).map((row) => ({
      provider: String(row.provider),
      instances: numberOf(row.instances),
      active: numberOf(row.active),
      cpu: numberOf(row.cpu),
      memoryMb: numberOf(row.memoryMb),
      diskGb: numberOf(row.diskGb),
      volumes: numberOf(row.volumes),
      volumeGb: numberOf(row.volumeGb),
    })),
    instanceCount: numberOf(context?.instanceCount),
    recentInstances: listOf(context?.recentInstances).map((row) => ({
      id: numberOf(row.id),
      name: String(row.name),
      provider: String(row.provider),
      size: textOrNull(row.size),
      cpu: numberOf(row.cpu),
      memoryMb: numberOf(row.memoryMb),
      status: textOrNull(row.status),
      startDate: dateOf(row.startDate) ?? new Date(0),
    })),
    allocations: listOf(context?.allocations).map((row) => ({
      sourceId: numberOf(row.sourceId),
      sourceUsed: numberOrNull(row.sourceUsed),
      sourceBurnRate: numberOrNull(row.sourceBurnRate),
      userUsed: numberOrNull(row.userUsed),
      userBurnRate: numberOrNull(row.userBurnRate),
      updated: dateOf(row.updated),
    })),
    requestCounts: Object.fromEntries(Object.entries(counts).map(([status, n]) => [status, numberOf(n)])),
    recentRequests: listOf(context?.recentRequests).map((row) => ({
      id: numberOf(row.id),
      status: String(row.status),
      startDate: dateOf(row.startDate) ?? new Date(0),
      endDate: dateOf(row.endDate),
      request: String(row.request ?? ''),
      adminMessage: String(row.adminMessage ?? ''),
      decidedBy: textOrNull(row.decidedBy),
      platform: textOrNull(row.platform),
    })),
    firstApproval: first
      ? { approvedBy: String(first.approvedBy), approvedAt: dateOf(first.approvedAt) ?? new Date(0), platform: String(first.platform), summary: String(first.summary) }
      : null,
  };
}
