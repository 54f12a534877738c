import { describe, expect, it } from 'vitest';
import { describeStopPlan, describeUnusedDetails } from '../../../src/handlers/maintenance/render-maintenance.js';

describe('details of a stop that reach no one', () => {
  it('point to statusio finish where status.io is configured, and say status.io is missing where it is not', () => {
    expect(describeUnusedDetails({ details: 'Back up', statusioConfigured: true })).toBe(
      'Your details ("Back up") go nowhere: no maintenance the bot started is open on status.io. To post them there, use /atmo statusio finish <maintenance id> <details>.',
    );
    expect(describeUnusedDetails({ details: 'x'.repeat(200), statusioConfigured: false })).toBe(
      `Your details ("${'x'.repeat(79)}…") go nowhere: status.io is not configured here, and only a status.io maintenance takes closing details.`,
    );
  });

  it('are the last line of the stop confirmation, and absent without details', () => {
    const plan = { atmosphereActive: [], troposphereActive: [], statusio: [] };
    expect(describeStopPlan(plan)).not.toContain('go nowhere');
    expect(describeStopPlan({ ...plan, unusedDetails: { details: 'Back up', statusioConfigured: true } }).split('\n').at(-1)).toMatch(/^• Your details \("Back up"\) go nowhere/);
  });
});
