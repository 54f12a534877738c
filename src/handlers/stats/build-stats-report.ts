import type { Reply, ReplyFile } from '../../bot/chat/reply.js';
import { listProviders } from '../../db/queries/instances.js';
import { listInstanceStats, listMachineRequestStats, listMaintenanceStats, listResourceRequestStats } from '../../db/queries/stats.js';
import type { Deps } from '../../deps.js';
import { UserError } from '../../errors.js';
import { instanceThresholds } from '../instances/instance-thresholds.js';
import { imagingFigures, instanceFigures, maintenanceFigures, resourceRequestFigures, type StatsSettings } from './compute-stats.js';
import { renderChartPng } from './render-chart.js';
import { imagingChart, instanceChart, maintenanceChart, resourceRequestChart } from './stats-charts.js';

const WEEK = 7 * 24 * 3_600_000;
export const DEFAULT_STATS_WEEKS = 8;

export interface StatsChoice {
  weeks: number;
  /** A provider id or name (`provider.location`, case-insensitive). */
  provider?: string;
}

export type StatsFigures = Awaited<ReturnType<typeof computeStatsFigures>>;

/** Every figure of the report over the last `weeks` weeks up to `now`. */
export async function computeStatsFigures(deps: Pick<Deps, 'db' | 'config'>, choice: StatsChoice, now: Date) {
  const providers = await listProviders(deps.db);
  let chosen: { id: number; name: string } | undefined;
  if (choice.provider !== undefined) {
    const given = choice.provider;
    chosen = (/^\d+$/.test(given) ? providers.find((p) => p.id === Number(given)) : undefined) ?? providers.find((p) => p.name.toLowerCase() === given.toLowerCase());
    if (!chosen) throw new UserError('not_found', `There is no provider "${given}". Known providers: ${providers.map((p) => `${p.id} (${p.name})`).join(', ')}.`);
  }
  const since = new Date(now.getTime() - choice.weeks * WEEK);
  const range = { since, until: now, providerId: chosen?.id };
  const settings: StatsSettings = {
    since,
    weeks: choice.weeks,
    now,
    remindHours: deps.config.RESOURCE_REQUEST_REMIND_HOURS,
    imagingStuckMinutes: deps.config.IMAGING_STUCK_MINUTES,
    instanceThresholds: (provider) => instanceThresholds(deps.config, provider),
  };
  const [requests, imaging, instances, maintenance] = await Promise.all([
    listResourceRequestStats(deps.db, range),
    listMachineRequestStats(deps.db, range),
    listInstanceStats(deps.db, range),
    listMaintenanceStats(deps.db, range),
  ]);
  return {
    since,
    until: now,
    weeks: choice.weeks,
    provider: chosen,
    resourceRequests: resourceRequestFigures(requests, settings),
    imaging: imagingFigures(imaging, settings),
    instances: instanceFigures(instances, settings),
    maintenance: maintenanceFigures(maintenance, settings),
  };
}

const hours = (value: number | null) => (value === null ? 'n/a' : value < 1 ? `${Math.round(value * 60)} min` : `${Math.round(value * 10) / 10} h`);

/** The short text summary: one paragraph per area. */
export function summarizeStats(figures: StatsFigures, remindHours: number): { title: string; lines: string[] } {
  const rr = figures.resourceRequests;
  const im = figures.imaging;
  const inst = figures.instances;
  const mw = figures.maintenance;
  const launched = inst.providers.reduce((sum, p) => sum + p.launched, 0);
  const errored = inst.providers.reduce((sum, p) => sum + p.errored, 0);
  const stuck = inst.providers.reduce((sum, p) => sum + p.stuck, 0);
  const staff = rr.byStaff.map((s) => `${s.username} ${s.decisions}`).join(', ');
  const lines = [
    `*Resource requests*: ${rr.weeks.reduce((s, w) => s + w.submitted, 0)} submitted; ${rr.approved} approved, ${rr.denied} denied, ${rr.pending} still pending. ` +
      `Time to decision: median ${hours(rr.medianHours)}, p90 ${hours(rr.p90Hours)}. ${rr.waitedPastReminder} waited past ${remindHours} h. ` +
      `Decisions through the bot: ${staff || 'none'}${rr.decidedElsewhere > 0 ? `; ${rr.decidedElsewhere} decided outside the bot` : ''}.`,
    `*Imaging*: ${im.total} requests; ${im.weeks.reduce((s, w) => s + w.completed, 0)} completed (median ${hours(im.medianCompleteHours)}, p90 ${hours(im.p90CompleteHours)}), ` +
      `${im.weeks.reduce((s, w) => s + w.error, 0)} in error now. Errors by category: ${im.errorsByCategory.map((c) => `${c.category} ${c.requests}`).join(', ') || 'none'}. ` +
      `${im.resubmits} re-submit(s) on ${im.resubmittedRequests} request(s); the one-at-a-time queue held ${im.queueHolds} request(s)${im.queueHolds > 0 ? ` (median ${hours(im.medianQueueHours)})` : ''}.`,
    `*Instances*: ${launched} launched, ${errored} errored, ${stuck} stuck` +
      (inst.providers.length > 0 ? ` (${inst.providers.map((p) => `${p.provider}: ${p.launched}/${p.errored}/${p.stuck}`).join('; ')}, launched/errored/stuck)` : '') +
      `. By category: ${inst.byCategory.map((c) => `${c.category} ${c.instances}`).join(', ') || 'none'}. Median time to recover: ${hours(inst.medianRecoverHours)}.`,
    `*Maintenance*: ${mw.held} window(s) held${mw.stillOpen > 0 ? `, ${mw.stillOpen} still open` : ''}` +
      (mw.windows.length > 0 ? `: ${mw.windows.map((w) => `"${w.title}" planned ${w.plannedMinutes ?? 'open-ended'}${w.plannedMinutes === null ? '' : ' min'}, took ${w.actualMinutes ?? '?'} min`).join('; ')}` : '') +
      '.',
  ];
  const scope = figures.provider ? ` on ${figures.provider.name}` : '';
  return { title: `Service report, last ${figures.weeks} week(s)${scope} (${figures.since.toISOString().slice(0, 10)} to ${figures.until.toISOString().slice(0, 10)})`, lines };
}

/** The report as a reply: the summary, and one PNG chart per area as files. */
export async function buildStatsReport(deps: Pick<Deps, 'db' | 'config'>, choice: StatsChoice, now: Date): Promise<Reply> {
  const figures = await computeStatsFigures(deps, choice, now);
  const summary = summarizeStats(figures, deps.config.RESOURCE_REQUEST_REMIND_HOURS);
  const stamp = now.toISOString().slice(0, 10);
  const charts: { name: string; spec: Parameters<typeof renderChartPng>[0]; alt: string }[] = [
    { name: 'resource-requests', spec: resourceRequestChart(figures.resourceRequests), alt: 'Median and p90 hours from submission to decision per week' },
    { name: 'imaging', spec: imagingChart(figures.imaging), alt: 'Imaging requests per week by outcome' },
    { name: 'instances', spec: instanceChart(figures.instances), alt: 'Instances launched, errored and stuck per provider' },
    { name: 'maintenance', spec: maintenanceChart(figures.maintenance), alt: 'Planned and actual length of each maintenance window' },
  ];
  const files: ReplyFile[] = [];
  for (const chart of charts) {
    const { png } = await renderChartPng(chart.spec);
    files.push({ name: `stats-${chart.name}-${stamp}.png`, data: png, mimeType: 'image/png', title: chart.alt, altText: chart.alt });
  }
  return {
    title: summary.title,
    text: `The figures per area; each area's chart is in the attached PNG files (${files.map((f) => f.name).join(', ')}).`,
    sections: summary.lines.map((text) => ({ text })),
    files,
  };
}
