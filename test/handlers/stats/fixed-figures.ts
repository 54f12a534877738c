import type { ImagingFigures, InstanceFigures, MaintenanceFigures, ResourceRequestFigures } from '../../../src/handlers/stats/compute-stats.js';

/** Figures fixed by hand, so a chart drawn from them is the same on every run (the reference image). */
const week = (week: string, submitted: number, medianHours: number | null, p90Hours: number | null) => ({ week, submitted, decided: submitted, medianHours, p90Hours, waitedPastReminder: 0 });

export const FIXED_REQUESTS: ResourceRequestFigures = {
  weeks: [week('2026-11-02', 5, 30, 70), week('2026-11-09', 4, 18, 40), week('2026-11-16', 6, 9.5, 26), week('2026-11-23', 3, 6, 12)],
  medianHours: 12,
  p90Hours: 44,
  approved: 15,
  denied: 3,
  pending: 0,
  waitedPastReminder: 2,
  byStaff: [{ username: 'kpatel', decisions: 10 }, { username: 'mdelgado', decisions: 8 }],
  decidedElsewhere: 0,
};

export const FIXED_IMAGING: ImagingFigures = {
  weeks: [
    { week: '2026-11-02', completed: 4, denied: 1, error: 1, 'in progress': 0, pending: 0 },
    { week: '2026-11-09', completed: 6, denied: 0, error: 2, 'in progress': 1, pending: 1 },
  ],
  total: 16,
  medianCompleteHours: 3,
  p90CompleteHours: 7,
  errorsByCategory: [{ category: 'cache', requests: 2 }, { category: 'max-instances', requests: 1 }],
  resubmits: 2,
  resubmittedRequests: 2,
  queueHolds: 1,
  medianQueueHours: 2,
};

export const FIXED_INSTANCES: InstanceFigures = {
  providers: [
    { provider: 'CyVerse Cloud - Tucson', launched: 40, errored: 3, stuck: 2, recovered: 4, medianRecoverHours: 1.5 },
    { provider: 'Jetstream - IU', launched: 25, errored: 1, stuck: 0, recovered: 1, medianRecoverHours: 0.5 },
  ],
  byCategory: [{ category: 'deploy-error', instances: 3 }],
  medianRecoverHours: 1,
};

export const FIXED_MAINTENANCE: MaintenanceFigures = {
  held: 1,
  stillOpen: 0,
  windows: [{ title: 'Storage upgrade', startsAt: new Date('2026-11-10T15:00:00Z'), plannedMinutes: 60, actualMinutes: 90 }],
};
