import { and, asc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import {
  instance,
  instanceSource,
  instanceStatus,
  instanceStatusHistory,
  machineRequest,
  provider,
  resourceRequest,
  statusType,
} from '../atmosphere-schema.js';
import { alertThread, decision, maintenanceWindow, requestEvent } from '../bot-schema/index.js';

/**
 * The rows behind the service report (`/atmo stats` and the weekly job), one query per area, each
 * bounded by a submission or launch date in [since, until). Atmosphere indexes none of these
 * `start_date` columns (atmosphere-schema.sql), so the request tables are read by a filtered scan:
 * they hold thousands of rows, not millions. The one large table, `instance_status_history`, is only
 * reached through its `instance_id` index for the instances launched in the window.
 */
export interface StatsRange {
  since: Date;
  until: Date;
  /** A provider id: imaging and instance figures for that provider only. */
  providerId?: number;
}

export interface ResourceRequestStatsRow {
  id: number;
  startDate: Date;
  endDate: Date | null;
  status: string;
  /** The bot's decision on it, when one was made through the bot and carried out. */
  decision: { action: string; decidedBy: string; at: Date } | null;
}

/** Resource requests submitted in the range, with the bot's finished decision on each. */
export async function listResourceRequestStats(db: Database, range: StatsRange): Promise<ResourceRequestStatsRow[]> {
  const rows = await db
    .select({ id: resourceRequest.id, startDate: resourceRequest.startDate, endDate: resourceRequest.endDate, status: statusType.name })
    .from(resourceRequest)
    .innerJoin(statusType, eq(statusType.id, resourceRequest.statusId))
    .where(and(gte(resourceRequest.startDate, range.since), lt(resourceRequest.startDate, range.until)))
    .orderBy(asc(resourceRequest.id));
  const decisions = await doneDecisions(db, 'resource_request', rows.map((row) => row.id));
  return rows.map((row) => ({ ...row, decision: decisions.get(row.id) ?? null }));
}

/** The latest carried-out approve/deny per record (by round), through the decision table's unique key. */
async function doneDecisions(db: Database, subject: string, ids: readonly number[]): Promise<Map<number, { action: string; decidedBy: string; at: Date }>> {
  const found = new Map<number, { action: string; decidedBy: string; at: Date; round: number }>();
  for (const chunk of chunks(ids)) {
    const rows = await db
      .select({ recordId: decision.recordId, round: decision.round, action: decision.action, decidedBy: decision.decidedBy, decidedAt: decision.decidedAt, completedAt: decision.completedAt })
      .from(decision)
      .where(and(eq(decision.subject, subject), inArray(decision.recordId, chunk), eq(decision.state, 'done'), inArray(decision.action, ['approve', 'deny'])));
    for (const row of rows) {
      const seen = found.get(row.recordId);
      if (seen && seen.round > row.round) continue;
      found.set(row.recordId, { action: row.action, decidedBy: row.decidedBy, at: row.completedAt ?? row.decidedAt, round: row.round });
    }
  }
  return found;
}

export interface MachineRequestStatsRow {
  id: number;
  startDate: Date;
  endDate: Date | null;
  status: string;
  oldStatus: string | null;
  providerId: number;
  /** The category of the bot's alert thread on it, when it ever errored while the bot watched. */
  alertCategory: string | null;
  resubmits: number;
  /** Each time the one-at-a-time queue held it: queued at, and when it left the queue (approved or taken out), if it did. */
  queueHolds: { from: Date; to: Date | null }[];
}

/** Imaging requests submitted in the range (optionally on one provider), with what the bot recorded about each. */
export async function listMachineRequestStats(db: Database, range: StatsRange): Promise<MachineRequestStatsRow[]> {
  const rows = await db
    .select({
      id: machineRequest.id,
      startDate: machineRequest.startDate,
      endDate: machineRequest.endDate,
      status: statusType.name,
      oldStatus: machineRequest.oldStatus,
      providerId: instanceSource.providerId,
    })
    .from(machineRequest)
    .innerJoin(statusType, eq(statusType.id, machineRequest.statusId))
    .innerJoin(instance, eq(instance.id, machineRequest.instanceId))
    .innerJoin(instanceSource, eq(instanceSource.id, instance.sourceId))
    .where(
      and(
        gte(machineRequest.startDate, range.since),
        lt(machineRequest.startDate, range.until),
        range.providerId === undefined ? undefined : eq(instanceSource.providerId, range.providerId),
      ),
    )
    .orderBy(asc(machineRequest.id));
  const categories = new Map<number, string>();
  const events = new Map<number, { at: Date; action: string }[]>();
  for (const chunk of chunks(rows.map((row) => row.id))) {
    const threads = await db
      .select({ recordId: alertThread.recordId, category: alertThread.category })
      .from(alertThread)
      .where(and(eq(alertThread.subject, 'machine_request'), inArray(alertThread.recordId, chunk)));
    for (const thread of threads) categories.set(thread.recordId, thread.category);
    const found = await db
      .select({ recordId: requestEvent.recordId, at: requestEvent.at, action: requestEvent.action })
      .from(requestEvent)
      .where(and(eq(requestEvent.subject, 'machine_request'), inArray(requestEvent.recordId, chunk)))
      .orderBy(asc(requestEvent.id));
    for (const event of found) events.set(event.recordId, [...(events.get(event.recordId) ?? []), event]);
  }
  return rows.map((row) => {
    const own = events.get(row.id) ?? [];
    return { ...row, alertCategory: categories.get(row.id) ?? null, resubmits: own.filter((e) => e.action === 'resubmitted').length, queueHolds: queueHolds(own) };
  });
}

function queueHolds(events: readonly { at: Date; action: string }[]): { from: Date; to: Date | null }[] {
  const holds: { from: Date; to: Date | null }[] = [];
  let open: Date | null = null;
  for (const event of events) {
    if (event.action === 'queued' && open === null) open = event.at;
    else if ((event.action === 'approved' || event.action === 'dequeued') && open !== null) {
      holds.push({ from: open, to: event.at });
      open = null;
    }
  }
  if (open !== null) holds.push({ from: open, to: null });
  return holds;
}

export interface InstanceStatsRow {
  id: number;
  startDate: Date;
  endDate: Date | null;
  providerId: number;
  providerName: string;
  /** Its status history, oldest first. */
  history: { status: string; activity: string | null; startDate: Date; endDate: Date | null; fault: string | null }[];
}

/**
 * Instances launched in the range (optionally on one provider) with their status history. The history
 * comes in one query joined to the launched instances (through the `instance_id` index), not one IN
 * list per few thousand ids.
 */
export async function listInstanceStats(db: Database, range: StatsRange): Promise<InstanceStatsRow[]> {
  const inRange = and(
    gte(instance.startDate, range.since),
    lt(instance.startDate, range.until),
    range.providerId === undefined ? undefined : eq(provider.id, range.providerId),
  );
  const launched = await db
    .select({ id: instance.id, startDate: instance.startDate, endDate: instance.endDate, providerId: provider.id, providerName: provider.location })
    .from(instance)
    .innerJoin(instanceSource, eq(instanceSource.id, instance.sourceId))
    .innerJoin(provider, eq(provider.id, instanceSource.providerId))
    .where(inRange)
    .orderBy(asc(instance.id));
  if (launched.length === 0) return [];
  // One JSON array per instance, [status, activity, start ms, end ms, fault] per row: a year's launches
  // carry a million history rows, and decoding them field by field costs seconds where JSON.parse is fast.
  const rows = await db
    .select({
      instanceId: instanceStatusHistory.instanceId,
      rows: sql<[string, string | null, number, number | null, string | null][]>`json_agg(json_build_array(
        ${instanceStatus.name}, ${instanceStatusHistory.activity},
        extract(epoch from ${instanceStatusHistory.startDate}) * 1000, extract(epoch from ${instanceStatusHistory.endDate}) * 1000,
        ${instanceStatusHistory.extra}->>'display_error'
      ) order by ${instanceStatusHistory.startDate}, ${instanceStatusHistory.id})`,
    })
    .from(instanceStatusHistory)
    .innerJoin(instance, eq(instance.id, instanceStatusHistory.instanceId))
    .innerJoin(instanceSource, eq(instanceSource.id, instance.sourceId))
    .innerJoin(provider, eq(provider.id, instanceSource.providerId))
    .innerJoin(instanceStatus, eq(instanceStatus.id, instanceStatusHistory.statusId))
    .where(inRange)
    .groupBy(instanceStatusHistory.instanceId);
  const history = new Map<number, InstanceStatsRow['history']>();
  for (const row of rows) {
    history.set(
      row.instanceId,
      row.rows.map(([status, activity, startMs, endMs, fault]) => ({ status, activity, startDate: new Date(Number(startMs)), endDate: endMs === null ? null : new Date(Number(endMs)), fault })),
    );
  }
  return launched.map((row) => ({ ...row, history: history.get(row.id) ?? [] }));
}

export interface MaintenanceStatsRow {
  id: number;
  title: string;
  state: string;
  startsAt: Date;
  endsAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** The bot's maintenance windows planned to start (or started) in the range, through its (state, starts_at) index. */
export async function listMaintenanceStats(db: Database, range: Omit<StatsRange, 'providerId'>): Promise<MaintenanceStatsRow[]> {
  return db
    .select({
      id: maintenanceWindow.id,
      title: maintenanceWindow.title,
      state: maintenanceWindow.state,
      startsAt: maintenanceWindow.startsAt,
      endsAt: maintenanceWindow.endsAt,
      startedAt: maintenanceWindow.startedAt,
      finishedAt: maintenanceWindow.finishedAt,
    })
    .from(maintenanceWindow)
    .where(and(inArray(maintenanceWindow.state, ['started', 'finished']), gte(maintenanceWindow.startsAt, range.since), lt(maintenanceWindow.startsAt, range.until)))
    .orderBy(asc(maintenanceWindow.startsAt), asc(maintenanceWindow.id));
}

/** Keeps each `IN (...)` list well under Postgres' bind-parameter limit. */
function chunks(ids: readonly number[], size = 5_000): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}
