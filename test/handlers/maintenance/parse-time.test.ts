import { describe, expect, it } from 'vitest';
import { checkWindowTimes, parseTimeInput } from '../../../src/handlers/maintenance/parse-time.js';

const now = new Date('2026-11-23T17:00:00.000Z');
const at = (text: string) => {
  const parsed = parseTimeInput(text, now);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.at.toISOString();
};

describe('parseTimeInput', () => {
  it('reads ISO 8601 with Z or an offset', () => {
    expect(at('2026-12-01T15:00:00Z')).toBe('2026-12-01T15:00:00.000Z');
    expect(at('2026-12-01T08:00-07:00')).toBe('2026-12-01T15:00:00.000Z');
    expect(at('2026-12-01T20:30+0530')).toBe('2026-12-01T15:00:00.000Z');
  });

  it('reads a plain date and time as UTC', () => {
    expect(at('2026-12-01 15:00')).toBe('2026-12-01T15:00:00.000Z');
    expect(at('2026-12-01 15:00 UTC')).toBe('2026-12-01T15:00:00.000Z');
  });

  it('reads relative times from now', () => {
    expect(at('+2h')).toBe('2026-11-23T19:00:00.000Z');
    expect(at('+30m')).toBe('2026-11-23T17:30:00.000Z');
    expect(at('+1h30m')).toBe('2026-11-23T18:30:00.000Z');
    expect(at('+1d')).toBe('2026-11-24T17:00:00.000Z');
  });

  it('counts a relative time from another time when given one, and says so when it cannot read it', () => {
    const start = { at: new Date('2026-11-24T17:00:00.000Z'), name: 'the start' };
    const parsed = parseTimeInput('+2h', now, start);
    expect(parsed).toEqual({ ok: true, at: new Date('2026-11-24T19:00:00.000Z') });
    // An absolute time is the same whatever the base.
    expect(parseTimeInput('2026-12-01 15:00', now, start)).toEqual({ ok: true, at: new Date('2026-12-01T15:00:00.000Z') });
    const wrong = parseTimeInput('+0h', now, start);
    expect(wrong.ok ? '' : wrong.error).toBe('"+0h" is not a time I can read (a relative time must be later than the start): use 2026-12-01 15:00 (UTC), 2026-12-01T08:00-07:00, or +2h / +30m after the start');
  });

  it('refuses what it cannot read, with the accepted forms', () => {
    for (const text of ['tomorrow', '2026-02-30 10:00', '2026-13-01 10:00', '2026-12-01 24:00', '+0h', '12/01/2026 10:00', '']) {
      const parsed = parseTimeInput(text, now);
      expect(parsed.ok, text).toBe(false);
      if (!parsed.ok) expect(parsed.error).toContain('UTC');
    }
  });
});

describe('checkWindowTimes', () => {
  it('refuses an end in the past and an end before the start', () => {
    expect(checkWindowTimes({ end: new Date('2026-11-23T16:00:00Z'), now })).toContain('has already passed');
    expect(checkWindowTimes({ start: new Date('2026-12-01T15:00:00Z'), end: new Date('2026-12-01T14:00:00Z'), now })).toContain('must be after the start');
    expect(checkWindowTimes({ start: new Date('2026-12-01T15:00:00Z'), end: new Date('2026-12-01T16:00:00Z'), now })).toBeNull();
  });
});
