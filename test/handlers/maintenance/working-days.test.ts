import { describe, expect, it } from 'vitest';
import { subtractWorkingDays, weekdayIn } from '../../../src/handlers/maintenance/working-days.js';
import { noticeDeadline } from '../../../src/handlers/maintenance/maintenance-reminders.js';

describe('subtractWorkingDays', () => {
  it('counts back across a weekend: a Tuesday window gives the Friday before', () => {
    // 2026-12-01 is a Tuesday.
    expect(subtractWorkingDays(new Date('2026-12-01T16:00:00Z'), 2).toISOString()).toBe('2026-11-27T16:00:00.000Z');
  });

  it('a Monday window gives the Thursday before, a Thursday window the Tuesday', () => {
    expect(subtractWorkingDays(new Date('2026-11-30T16:00:00Z'), 2).toISOString()).toBe('2026-11-26T16:00:00.000Z');
    expect(subtractWorkingDays(new Date('2026-12-03T16:00:00Z'), 2).toISOString()).toBe('2026-12-01T16:00:00.000Z');
  });

  it('reads weekends in the given zone', () => {
    // Monday 02:00 UTC is still Sunday evening in Phoenix.
    expect(weekdayIn(new Date('2026-11-30T02:00:00Z'), 'UTC')).toBe(1);
    expect(weekdayIn(new Date('2026-11-30T02:00:00Z'), 'America/Phoenix')).toBe(0);
    // 02:00 UTC on Monday is still Sunday evening in Phoenix, so the deadline lands a day later there.
    expect(subtractWorkingDays(new Date('2026-11-30T02:00:00Z'), 2, 'UTC').toISOString()).toBe('2026-11-26T02:00:00.000Z');
    expect(subtractWorkingDays(new Date('2026-11-30T02:00:00Z'), 2, 'America/Phoenix').toISOString()).toBe('2026-11-27T02:00:00.000Z');
  });
});

describe('the maintenance notice deadline', () => {
  it('counts the working days of the site (SITE_TIME_ZONE), not of UTC', () => {
    // Monday 30 November 05:00 UTC is Sunday 22:00 in Phoenix: there, two working days before is Thursday 22:00.
    const window = { startsAt: new Date('2026-11-30T05:00:00Z') };
    expect(noticeDeadline(window, 'America/Phoenix').toISOString()).toBe('2026-11-27T05:00:00.000Z');
    expect(noticeDeadline(window, 'UTC').toISOString()).toBe('2026-11-26T05:00:00.000Z');
  });
});
