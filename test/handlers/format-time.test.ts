import { describe, expect, it } from 'vitest';
import { formatAge, formatAgo, formatDuration } from '../../src/handlers/format-time.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('durations in one humanised form', () => {
  it('writes at most two units, largest first, and no decimals', () => {
    expect(formatDuration(30_000)).toBe('under a minute');
    expect(formatDuration(54 * MIN)).toBe('54 min');
    expect(formatDuration(5 * HOUR)).toBe('5 h');
    expect(formatDuration(15.5 * HOUR)).toBe('15 h 30 min');
    expect(formatDuration(3 * DAY + 4 * HOUR + 20 * MIN)).toBe('3 d 4 h');
    expect(formatDuration(46 * 7 * DAY)).toBe('46 wk');
    expect(formatDuration(1100 * DAY)).toBe('3 yr');
    expect(formatDuration(380 * DAY)).toBe('1 yr 2 wk');
    expect(formatDuration(26400.1 * HOUR)).toBe('3 yr');
    expect(formatDuration(-5 * MIN)).toBe('under a minute');
  });

  it('says "just now" rather than "just now ago", and "… ago" otherwise', () => {
    const now = new Date('2026-11-23T17:00:00Z');
    expect(formatAgo(new Date(now.getTime() - 20_000), now)).toBe('just now');
    expect(formatAgo(new Date(now.getTime() - 3 * HOUR), now)).toBe('3 h ago');
    expect(formatAge(new Date(now.getTime() - 3 * HOUR), now)).toBe('3 h');
  });

  it('never prints a decimal duration anywhere a request or instance is described', async () => {
    const { classifyMachineRequest } = await import('../../src/handlers/imaging/classify-machine-request.js');
    const { classifyInstance } = await import('../../src/handlers/instances/classify-instance.js');
    const now = new Date('2026-11-23T17:00:00Z');
    const old = classifyMachineRequest({ status: 'started', oldStatus: 'pending', statusSince: new Date(now.getTime() - 1100 * DAY), now, stuckAfterMinutes: 120 });
    expect(old.summary).toBe('started 3 yr ago with no progress or error recorded');
    const networking = classifyInstance({ status: 'networking', activity: null, since: new Date(now.getTime() - 26 * HOUR), endDate: null, fault: null, now, networkingStuckMinutes: 20, deployingStuckMinutes: 60 });
    expect(networking.summary).toContain('In networking for 1 d 2 h (more than 20 min)');
  });
});
