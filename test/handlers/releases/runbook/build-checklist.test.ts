import { describe, expect, it } from 'vitest';
import { buildChecklist } from '../../../../src/handlers/releases/runbook/build-checklist.js';
import { calendarDayIn, parseCalendarDay, workingDaysBefore } from '../../../../src/handlers/releases/runbook/calendar-days.js';

describe('working days on calendar days', () => {
  it('skip the weekend and cross a month boundary', () => {
    // Tuesday 1 December 2026: two working days before is Friday 27 November.
    expect(workingDaysBefore('2026-12-01', 2)).toBe('2026-11-27');
    // Monday 14 December: ten working days before is Monday 30 November.
    expect(workingDaysBefore('2026-12-14', 10)).toBe('2026-11-30');
    expect(workingDaysBefore('2026-12-14', 5)).toBe('2026-12-07');
    // From a Sunday, the first working day back is the Friday.
    expect(workingDaysBefore('2026-12-06', 1)).toBe('2026-12-04');
  });

  it('read dates strictly', () => {
    expect(parseCalendarDay('2026-12-15')).toBe('2026-12-15');
    expect(parseCalendarDay('2026-02-30')).toBeNull();
    expect(parseCalendarDay('15/12/2026')).toBeNull();
    expect(parseCalendarDay('2026-12-15; drop table')).toBeNull();
  });

  it('tell the day at the site, not in UTC', () => {
    // 03:00 UTC on Tuesday is still Monday evening in Phoenix (UTC-7, no daylight saving).
    const at = new Date('2026-12-01T03:00:00Z');
    expect(calendarDayIn(at, 'UTC')).toBe('2026-12-01');
    expect(calendarDayIn(at, 'America/Phoenix')).toBe('2026-11-30');
  });
});

describe('the release checklist', () => {
  const byKey = (items: ReturnType<typeof buildChecklist>) => new Map(items.map((item) => [item.key, item]));

  it('for CyVerse only: the CyVerse notices, no Jetstream step, deployment steps once', () => {
    const items = buildChecklist({ tag: 'v37-6', deploymentDay: '2026-12-01', sites: ['cyverse'] });
    const keys = byKey(items);
    // The user notice is due two working days before at the latest: Friday 27 November.
    expect(keys.get('cyverse-notice')).toMatchObject({ due: '2026-11-27', owner: 'chief', site: 'cyverse' });
    expect(keys.get('cyverse-banner')!.due).toBe('2026-11-27');
    // "Two weeks prior": ten working days before Tuesday 1 December is Tuesday 17 November.
    expect(keys.get('crew')!.due).toBe('2026-11-17');
    expect(keys.get('cyverse-statusio')).toMatchObject({ due: '2026-11-17', command: 'maintenance schedule' });
    // "Week prior": five working days before is Tuesday 24 November.
    expect(keys.get('changelog')).toMatchObject({ due: '2026-11-24', owner: 'driver', command: 'release prepare', hint: '/atmo release prepare v37-6' });
    expect(keys.get('tag')).toMatchObject({ due: '2026-11-24', command: 'release tag' });
    expect(keys.get('images')!.title).toContain('cyverse/atmosphere:v37-6');
    expect(keys.has('jetstream-team')).toBe(false);
    expect(keys.get('cyverse:backups')).toMatchObject({ due: '2026-12-01', section: 'day', title: 'Both databases backed up' });
    expect(items.filter((item) => item.key.endsWith(':maintenance-start'))).toHaveLength(1);
    expect(keys.get('announced')!.due).toBe('2026-12-01');
    expect(new Set(items.map((item) => item.key)).size).toBe(items.length);
    expect(items.every((item) => item.short.length <= 30)).toBe(true);
  });

  it('for both sites: the Jetstream step, deployment steps per site and named by site', () => {
    const items = buildChecklist({ tag: 'v38-0', deploymentDay: '2027-01-04', sites: ['cyverse', 'jetstream'] });
    const keys = byKey(items);
    // Monday 4 January 2027: ten working days before is Monday 21 December, across the year's end.
    expect(keys.get('jetstream-team')).toMatchObject({ due: '2026-12-21', site: 'jetstream' });
    expect(keys.get('cyverse-notice')!.due).toBe('2026-12-31');
    expect(keys.get('cyverse:backups')!.title).toBe('CyVerse: Both databases backed up');
    expect(keys.get('jetstream:backups')!.title).toBe('Jetstream: Both databases backed up');
    expect(items.filter((item) => item.section === 'day' && item.key !== 'announced')).toHaveLength(18);
  });
});
