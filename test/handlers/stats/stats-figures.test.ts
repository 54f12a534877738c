import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeStatsFigures, type StatsFigures } from '../../../src/handlers/stats/build-stats-report.js';
import { quantile } from '../../../src/handlers/stats/compute-stats.js';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { createTestContext, type TestContext } from '../../support/test-deps.js';
import { insertStatsScenario } from './stats-scenario.js';

/** A year after the demo data, so only the scenario's rows fall in the two weeks before it. */
const NOW = new Date(TEST_NOW.getTime() + 365 * 24 * 3_600_000);

describe('quantile', () => {
  it('interpolates between the closest ranks', () => {
    expect(quantile([60, 2, 10], 0.5)).toBe(10);
    expect(quantile([2, 10, 60], 0.9)).toBeCloseTo(50);
    expect(quantile([2, 4, 10, 60], 0.5)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });
});

describe.each(dbKinds())('the service report figures on %s', (kind) => {
  let t: TestContext;
  let figures: StatsFigures;
  let providerName: string;

  beforeAll(async () => {
    t = await createTestContext(kind);
    ({ providerName } = await insertStatsScenario(t.deps.db, NOW));
    figures = await computeStatsFigures(t.deps, { weeks: 2 }, NOW);
  }, 120_000);
  afterAll(async () => {
    await t?.database.drop();
  });

  it('gives resource request waits per week from the bot journal where it knows, else end_date', () => {
    const rr = figures.resourceRequests;
    // Week 1: 2 h, 10 h (journal, not end_date's 10 h 1 min), 60 h -> median 10, p90 10 + 0.8 * 50 = 50.
    expect(rr.weeks[0]).toMatchObject({ submitted: 3, decided: 3, medianHours: 10, waitedPastReminder: 1 });
    expect(rr.weeks[0]!.p90Hours).toBeCloseTo(50);
    // Week 2: 4 h decided; two pending, one of them 72 h old.
    expect(rr.weeks[1]).toMatchObject({ submitted: 3, decided: 1, medianHours: 4, p90Hours: 4, waitedPastReminder: 1 });
    // All: 2, 4, 10, 60 -> median 7, p90 10 + 0.7 * 50 = 45.
    expect(rr.medianHours).toBe(7);
    expect(rr.p90Hours).toBeCloseTo(45);
    expect(rr).toMatchObject({ approved: 3, denied: 1, pending: 2, waitedPastReminder: 2, decidedElsewhere: 1 });
    expect(rr.byStaff).toEqual([{ username: 'kpatel', decisions: 2 }, { username: 'mdelgado', decisions: 1 }]);
  });

  it('gives imaging outcomes, completion times, triage categories, re-submits and queue holds', () => {
    const im = figures.imaging;
    expect(im.total).toBe(6);
    expect(im.weeks[0]).toMatchObject({ completed: 2, error: 0, denied: 0, pending: 0, 'in progress': 0 });
    expect(im.weeks[1]).toMatchObject({ completed: 0, error: 2, denied: 1, pending: 1, 'in progress': 0 });
    // Completed in 3 h and 5 h: median 4, p90 3 + 0.9 * 2.
    expect(im.medianCompleteHours).toBe(4);
    expect(im.p90CompleteHours).toBeCloseTo(4.8);
    // One stale cache now, one the bot alerted on before it completed; one over the instance limit.
    expect(im.errorsByCategory).toEqual([{ category: 'cache', requests: 2 }, { category: 'max-instances', requests: 1 }]);
    expect(im).toMatchObject({ resubmits: 1, resubmittedRequests: 1, queueHolds: 2 });
    // Held 1 h, and 23 h so far: median 12.
    expect(im.medianQueueHours).toBe(12);
  });

  it('counts launches, errors and stuck instances per provider by the instance triage, and time to recover', () => {
    const inst = figures.instances;
    expect(inst.providers).toEqual([{ provider: providerName, launched: 4, errored: 2, stuck: 1, recovered: 2, medianRecoverHours: 3 }]);
    expect(inst.byCategory).toEqual([
      { category: 'capacity', instances: 1 },
      { category: 'deploy-error', instances: 1 },
      { category: 'networking-stuck', instances: 1 },
    ]);
    expect(inst.medianRecoverHours).toBe(3);
  });

  it('gives the maintenance windows held with planned and actual length', () => {
    expect(figures.maintenance).toMatchObject({ held: 1, stillOpen: 0 });
    expect(figures.maintenance.windows).toEqual([expect.objectContaining({ title: 'Storage upgrade', plannedMinutes: 60, actualMinutes: 90 })]);
  });

  it('narrows imaging and instances to one provider, and refuses one it does not know', async () => {
    const other = await computeStatsFigures(t.deps, { weeks: 2, provider: providerName.toUpperCase() }, NOW);
    expect(other.instances.providers[0]?.launched).toBe(4);
    await expect(computeStatsFigures(t.deps, { weeks: 2, provider: 'Nowhere' }, NOW)).rejects.toThrow(/no provider "Nowhere"/);
  });
});
