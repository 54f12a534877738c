import { formatTimestamp } from '../format-time.js';
/**
 * Times typed by staff for maintenance windows. Pure: `now` is passed in.
 *
 * Accepted: ISO 8601 with a zone (`2026-12-01T15:00Z`, `2026-12-01T08:00-07:00`), a plain
 * `2026-12-01 15:00` read as UTC (so a time never depends on where the bot runs), and relative
 * `+2h`, `+30m`, `+1h30m`, `+2d` from now, or from another time given (a window's end counts from its start).
 */

export type ParsedTime = { ok: true; at: Date } | { ok: false; error: string };

export const TIME_FORMAT_HELP = 'use 2026-12-01 15:00 (UTC), 2026-12-01T08:00-07:00, or +2h / +30m from now';

/** What a relative time counts from when it is not now: a time and how to name it (`the start`). */
export interface RelativeBase {
  at: Date;
  name: string;
}

const RELATIVE = /^\+(?:(\d{1,3})d)?(?:(\d{1,4})h)?(?:(\d{1,5})m)?$/i;
const ABSOLUTE = /^(\d{4})-(\d{2})-(\d{2})(?:[T\s]+)(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Longest piece of the input quoted back in an error; a time is never longer. */
const MAX_ECHO = 40;

/** Reads one time; relative times count from `now`, or from `base` when given. */
export function parseTimeInput(text: string, now: Date, base?: RelativeBase): ParsedTime {
  const input = text.trim();
  const shown = input.length > MAX_ECHO ? `${input.slice(0, MAX_ECHO - 1)}…` : input;
  const help = base ? TIME_FORMAT_HELP.replace('from now', `after ${base.name}`) : TIME_FORMAT_HELP;
  const fail = (why = ''): ParsedTime => ({ ok: false, error: `"${shown}" is not a time I can read${why}: ${help}` });
  if (input === '') return { ok: false, error: `a time is needed: ${help}` };

  const relative = RELATIVE.exec(input);
  if (relative) {
    const [days, hours, minutes] = [relative[1], relative[2], relative[3]].map((part) => Number(part ?? 0)) as [number, number, number];
    const ms = ((days * 24 + hours) * 60 + minutes) * 60_000;
    if (ms <= 0) return fail(` (a relative time must be later than ${base?.name ?? 'now'})`);
    return { ok: true, at: new Date((base?.at ?? now).getTime() + ms) };
  }

  const match = ABSOLUTE.exec(input);
  if (!match) return fail();
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return fail(' (out of range)');
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 2026-02-30 over into March; a date that does not survive the round trip does not exist.
  if (new Date(utc).getUTCDate() !== day) return fail(' (no such day)');
  const zone = match[7]?.toUpperCase();
  let offsetMinutes = 0;
  if (zone && zone !== 'Z' && zone !== 'UTC') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const zoneHours = Number(digits.slice(0, 2));
    const zoneMinutes = Number(digits.slice(2) || '0');
    if (zoneHours > 14 || zoneMinutes > 59) return fail(' (no such UTC offset)');
    offsetMinutes = sign * (zoneHours * 60 + zoneMinutes);
  }
  return { ok: true, at: new Date(utc - offsetMinutes * 60_000) };
}

/**
 * Checks a window's times: the end must be in the future and after the start. Returns the problem
 * as a sentence, or null when the window is fine.
 */
export function checkWindowTimes(input: { start?: Date; end: Date; now: Date }): string | null {
  if (input.end.getTime() <= input.now.getTime()) {
    return `the end time ${formatTimestamp(input.end)} has already passed (it is now ${formatTimestamp(input.now)})`;
  }
  if (input.start && input.end.getTime() <= input.start.getTime()) {
    return `the end (${formatTimestamp(input.end)}) must be after the start (${formatTimestamp(input.start)})`;
  }
  return null;
}
