import type { TopLevelSpec } from 'vega-lite';
import { IMAGING_OUTCOMES, type ImagingFigures, type InstanceFigures, type MaintenanceFigures, type ResourceRequestFigures } from './compute-stats.js';

/** The chart specs of the report, one per area, as data-inline vega-lite. */

const SIZE = { width: 520, height: 220 };
const round1 = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);

export function resourceRequestChart(figures: ResourceRequestFigures): TopLevelSpec {
  const values = figures.weeks.flatMap((week) => [
    { week: week.week, measure: 'median', hours: round1(week.medianHours) },
    { week: week.week, measure: 'p90', hours: round1(week.p90Hours) },
  ]);
  return {
    ...SIZE,
    title: 'Resource requests: time from submission to decision',
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'week', type: 'ordinal', title: 'week starting (UTC)', axis: { labelAngle: -30 } },
      xOffset: { field: 'measure' },
      y: { field: 'hours', type: 'quantitative', title: 'hours to decision' },
      color: { field: 'measure', type: 'nominal', title: null, sort: ['median', 'p90'] },
    },
  };
}

export function imagingChart(figures: ImagingFigures): TopLevelSpec {
  const values = figures.weeks.flatMap((week) => IMAGING_OUTCOMES.map((outcome) => ({ week: week.week, outcome, requests: week[outcome] })));
  return {
    ...SIZE,
    title: 'Imaging requests per week, by outcome now',
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'week', type: 'ordinal', title: 'week submitted (UTC)', axis: { labelAngle: -30 } },
      y: { field: 'requests', type: 'quantitative', title: 'requests', stack: 'zero', axis: { tickMinStep: 1 } },
      color: { field: 'outcome', type: 'nominal', title: 'outcome', sort: [...IMAGING_OUTCOMES], scale: { domain: [...IMAGING_OUTCOMES], range: ['#54a24b', '#9d755d', '#e45756', '#4c78a8', '#bab0ac'] } },
      order: { field: 'outcome' },
    },
  };
}

export function instanceChart(figures: InstanceFigures): TopLevelSpec {
  const values = figures.providers.flatMap((p) => [
    { provider: p.provider, measure: 'launched', instances: p.launched },
    { provider: p.provider, measure: 'errored', instances: p.errored },
    { provider: p.provider, measure: 'stuck', instances: p.stuck },
  ]);
  return {
    ...SIZE,
    title: 'Instances launched, errored and stuck, per provider',
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'provider', type: 'nominal', title: 'provider', axis: { labelAngle: -20, labelLimit: 260 } },
      xOffset: { field: 'measure', sort: ['launched', 'errored', 'stuck'] },
      y: { field: 'instances', type: 'quantitative', title: 'instances', axis: { tickMinStep: 1 } },
      color: { field: 'measure', type: 'nominal', title: null, sort: ['launched', 'errored', 'stuck'], scale: { domain: ['launched', 'errored', 'stuck'], range: ['#4c78a8', '#e45756', '#f58518'] } },
    },
  };
}

export function maintenanceChart(figures: MaintenanceFigures): TopLevelSpec {
  const values = figures.windows.flatMap((w) => {
    const label = `${w.startsAt.toISOString().slice(0, 10)} ${w.title.slice(0, 24)}`;
    return [
      { window: label, measure: 'planned', minutes: w.plannedMinutes },
      { window: label, measure: 'actual', minutes: w.actualMinutes },
    ];
  });
  return {
    ...SIZE,
    title: 'Maintenance windows: planned vs actual length',
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'window', type: 'nominal', title: 'window (start date, title)', axis: { labelAngle: -30, labelLimit: 180 } },
      xOffset: { field: 'measure', sort: ['planned', 'actual'] },
      y: { field: 'minutes', type: 'quantitative', title: 'length (minutes)' },
      color: { field: 'measure', type: 'nominal', title: null, sort: ['planned', 'actual'], scale: { domain: ['planned', 'actual'], range: ['#72b7b2', '#4c78a8'] } },
    },
  };
}
