import type { InstanceStatsRow, MachineRequestStatsRow, MaintenanceStatsRow, ResourceRequestStatsRow } from '../../db/queries/stats.js';
import { classifyMachineRequest, type TriageCategory } from '../imaging/classify-machine-request.js';
import { classifyInstance, SETTLED_STATUSES, type InstanceCategory } from '../instances/classify-instance.js';

const HOUR = 3_600_000;
const SETTLED = new Set(SETTLED_STATUSES);
const WEEK = 7 * 24 * HOUR;

/** The inputs the arithmetic needs besides the rows: the window, the clock and the configured thresholds. */
export interface StatsSettings {
  since: Date;
  weeks: number;
  now: Date;
  remindHours: number;
  imagingStuckMinutes: number;
  /** The stuck thresholds of a provider (instance-thresholds.ts). */
  instanceThresholds: (provider: { id: number; name: string }) => { networkingStuckMinutes: number; deployingStuckMinutes: number };
}

/** The value at quantile q of sorted values, by linear interpolation between closest ranks; null for none. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/** Week labels (the Monday-or-whatever day the window starts on, `YYYY-MM-DD`) and the index of a date. */
function weekOf(settings: StatsSettings, at: Date): number {
  return Math.min(settings.weeks - 1, Math.max(0, Math.floor((at.getTime() - settings.since.getTime()) / WEEK)));
}
export function weekLabels(settings: Pick<StatsSettings, 'since' | 'weeks'>): string[] {
  return Array.from({ length: settings.weeks }, (_, i) => new Date(settings.since.getTime() + i * WEEK).toISOString().slice(0, 10));
}

export interface ResourceRequestWeek {
  week: string;
  submitted: number;
  decided: number;
  medianHours: number | null;
  p90Hours: number | null;
  /** Waited (or are still waiting) longer than RESOURCE_REQUEST_REMIND_HOURS. */
  waitedPastReminder: number;
}

export interface ResourceRequestFigures {
  weeks: ResourceRequestWeek[];
  medianHours: number | null;
  p90Hours: number | null;
  approved: number;
  denied: number;
  pending: number;
  waitedPastReminder: number;
  /** Decisions made through the bot, by Atmosphere username; `decidedElsewhere` counts the rest. */
  byStaff: { username: string; decisions: number }[];
  decidedElsewhere: number;
}

const DECIDED_STATUSES = new Set(['approved', 'denied', 'rejected', 'closed']);

export function resourceRequestFigures(rows: readonly ResourceRequestStatsRow[], settings: StatsSettings): ResourceRequestFigures {
  const labels = weekLabels(settings);
  const waits: number[][] = labels.map(() => []);
  const submitted = labels.map(() => 0);
  const late = labels.map(() => 0);
  const staff = new Map<string, number>();
  let approved = 0;
  let denied = 0;
  let pending = 0;
  let elsewhere = 0;
  for (const row of rows) {
    const week = weekOf(settings, row.startDate);
    submitted[week]! += 1;
    const status = row.status.toLowerCase();
    // The bot's journal knows when the decision was carried out; otherwise Atmosphere's end_date, set when it closed the request.
    const decidedAt = row.decision?.at ?? (DECIDED_STATUSES.has(status) ? row.endDate : null);
    if (status === 'approved') approved += 1;
    else if (status === 'denied' || status === 'rejected') denied += 1;
    else if (status === 'pending') pending += 1;
    if (decidedAt) {
      waits[week]!.push((decidedAt.getTime() - row.startDate.getTime()) / HOUR);
      if (row.decision) staff.set(row.decision.decidedBy, (staff.get(row.decision.decidedBy) ?? 0) + 1);
      else elsewhere += 1;
    }
    const waited = ((decidedAt ?? settings.now).getTime() - row.startDate.getTime()) / HOUR;
    if ((decidedAt || status === 'pending') && waited > settings.remindHours) late[week]! += 1;
  }
  const all = waits.flat();
  return {
    weeks: labels.map((week, i) => ({
      week,
      submitted: submitted[i]!,
      decided: waits[i]!.length,
      medianHours: quantile(waits[i]!, 0.5),
      p90Hours: quantile(waits[i]!, 0.9),
      waitedPastReminder: late[i]!,
    })),
    medianHours: quantile(all, 0.5),
    p90Hours: quantile(all, 0.9),
    approved,
    denied,
    pending,
    waitedPastReminder: late.reduce((a, b) => a + b, 0),
    byStaff: [...staff].map(([username, decisions]) => ({ username, decisions })).sort((a, b) => b.decisions - a.decisions || a.username.localeCompare(b.username)),
    decidedElsewhere: elsewhere,
  };
}

export type ImagingOutcome = 'completed' | 'denied' | 'error' | 'in progress' | 'pending';
export const IMAGING_OUTCOMES: readonly ImagingOutcome[] = ['completed', 'denied', 'error', 'in progress', 'pending'];
const ERROR_CATEGORIES = new Set<TriageCategory>(['max-instances', 'cache', 'imaging-host', 'stuck', 'unknown-error']);

export interface ImagingFigures {
  weeks: ({ week: string } & Record<ImagingOutcome, number>)[];
  total: number;
  medianCompleteHours: number | null;
  p90CompleteHours: number | null;
  /** Requests that errored, by the guide's triage category: now in error, or alerted on by the bot before. */
  errorsByCategory: { category: string; requests: number }[];
  resubmits: number;
  resubmittedRequests: number;
  queueHolds: number;
  medianQueueHours: number | null;
}

export function imagingFigures(rows: readonly MachineRequestStatsRow[], settings: StatsSettings): ImagingFigures {
  const labels = weekLabels(settings);
  const weeks = labels.map((week) => ({ week, completed: 0, denied: 0, error: 0, 'in progress': 0, pending: 0 }));
  const completeHours: number[] = [];
  const categories = new Map<string, number>();
  const queueHours: number[] = [];
  let holds = 0;
  for (const row of rows) {
    // Atmosphere keeps no time of the last status change; start_date is a lower bound, so "stuck" reads from it.
    const triage = classifyMachineRequest({ status: row.status, oldStatus: row.oldStatus, statusSince: row.startDate, sinceKnown: false, now: settings.now, stuckAfterMinutes: settings.imagingStuckMinutes });
    const status = row.status.toLowerCase();
    const outcome: ImagingOutcome =
      status === 'completed' ? 'completed'
      : status === 'denied' || status === 'rejected' || status === 'closed' ? 'denied'
      : ERROR_CATEGORIES.has(triage.category) ? 'error'
      : triage.category === 'pending' ? 'pending'
      : 'in progress';
    weeks[weekOf(settings, row.startDate)]![outcome] += 1;
    if (status === 'completed' && row.endDate) completeHours.push((row.endDate.getTime() - row.startDate.getTime()) / HOUR);
    const category = ERROR_CATEGORIES.has(triage.category) ? triage.category : row.alertCategory && ERROR_CATEGORIES.has(row.alertCategory as TriageCategory) ? row.alertCategory : null;
    if (category) categories.set(category, (categories.get(category) ?? 0) + 1);
    for (const hold of row.queueHolds) {
      holds += 1;
      queueHours.push(((hold.to ?? settings.now).getTime() - hold.from.getTime()) / HOUR);
    }
  }
  return {
    weeks,
    total: rows.length,
    medianCompleteHours: quantile(completeHours, 0.5),
    p90CompleteHours: quantile(completeHours, 0.9),
    errorsByCategory: [...categories].map(([category, requests]) => ({ category, requests })).sort((a, b) => b.requests - a.requests || a.category.localeCompare(b.category)),
    resubmits: rows.reduce((sum, row) => sum + row.resubmits, 0),
    resubmittedRequests: rows.filter((row) => row.resubmits > 0).length,
    queueHolds: holds,
    medianQueueHours: quantile(queueHours, 0.5),
  };
}

export interface InstanceProviderFigures {
  provider: string;
  launched: number;
  /** Instances that had an error row, or a row that stayed past its stuck threshold. */
  errored: number;
  stuck: number;
  /** Of the troubled ones, how many reached active with no activity again. */
  recovered: number;
  medianRecoverHours: number | null;
}

export interface InstanceFigures {
  providers: InstanceProviderFigures[];
  byCategory: { category: InstanceCategory; instances: number }[];
  medianRecoverHours: number | null;
}

export function instanceFigures(rows: readonly InstanceStatsRow[], settings: StatsSettings): InstanceFigures {
  const providers = new Map<number, { name: string; launched: number; errored: number; stuck: number; recoverHours: number[] }>();
  const categories = new Map<InstanceCategory, number>();
  const allRecover: number[] = [];
  for (const row of rows) {
    const entry = providers.get(row.providerId) ?? { name: row.providerName, launched: 0, errored: 0, stuck: 0, recoverHours: [] };
    providers.set(row.providerId, entry);
    entry.launched += 1;
    const thresholds = settings.instanceThresholds({ id: row.providerId, name: row.providerName });
    let troubleAt: Date | null = null;
    let worst: { severity: 'error' | 'stuck'; category: InstanceCategory } | null = null;
    for (const [index, history] of row.history.entries()) {
      const current = index === row.history.length - 1;
      // A settled status with no activity or fault is never trouble (the classifier's own rule, see
      // SETTLED_STATUSES); it is classified only when it may end a trouble, to learn whether it is active.
      if (!troubleAt && !(current && row.endDate) && history.activity === null && history.fault === null && SETTLED.has(history.status.toLowerCase())) continue;
      const triage = classifyInstance({
        status: history.status,
        activity: history.activity,
        since: history.startDate,
        endDate: current ? row.endDate : null,
        fault: history.fault,
        // A finished row is judged by how long it lasted; the current one by how long it has lasted so far.
        now: history.endDate ?? settings.now,
        ...thresholds,
      });
      if (triage.severity === 'error' || triage.severity === 'stuck') {
        troubleAt ??= history.startDate;
        if (!worst || (worst.severity === 'stuck' && triage.severity === 'error')) worst = { severity: triage.severity, category: triage.category };
      } else if (troubleAt && triage.category === 'active') {
        const hours = (history.startDate.getTime() - troubleAt.getTime()) / HOUR;
        entry.recoverHours.push(hours);
        allRecover.push(hours);
        troubleAt = null;
      }
    }
    if (worst) {
      entry[worst.severity === 'error' ? 'errored' : 'stuck'] += 1;
      categories.set(worst.category, (categories.get(worst.category) ?? 0) + 1);
    }
  }
  return {
    providers: [...providers.values()]
      .map((p) => ({ provider: p.name, launched: p.launched, errored: p.errored, stuck: p.stuck, recovered: p.recoverHours.length, medianRecoverHours: quantile(p.recoverHours, 0.5) }))
      .sort((a, b) => a.provider.localeCompare(b.provider)),
    byCategory: [...categories].map(([category, instances]) => ({ category, instances })).sort((a, b) => b.instances - a.instances || a.category.localeCompare(b.category)),
    medianRecoverHours: quantile(allRecover, 0.5),
  };
}

export interface MaintenanceFigures {
  held: number;
  stillOpen: number;
  windows: { title: string; startsAt: Date; plannedMinutes: number | null; actualMinutes: number | null }[];
}

export function maintenanceFigures(rows: readonly MaintenanceStatsRow[], settings: Pick<StatsSettings, 'now'>): MaintenanceFigures {
  const minutes = (from: Date | null, to: Date | null) => (from && to ? Math.round((to.getTime() - from.getTime()) / 60_000) : null);
  return {
    held: rows.filter((row) => row.state === 'finished').length,
    stillOpen: rows.filter((row) => row.state === 'started').length,
    windows: rows.map((row) => ({
      title: row.title,
      startsAt: row.startsAt,
      plannedMinutes: minutes(row.startsAt, row.endsAt),
      actualMinutes: minutes(row.startedAt ?? row.startsAt, row.finishedAt ?? (row.state === 'started' ? settings.now : null)),
    })),
  };
}
