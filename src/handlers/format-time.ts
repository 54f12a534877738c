/**
 * Durations and timestamps for chat messages, in one humanised form everywhere: `45 min`, `3 h 20 min`,
 * `3 d 4 h`, `46 wk`, `3 yr 2 wk`; never `26400.1 h` or `1100.0 d`. Pure: `now` is passed in.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const YEAR = 365 * DAY;

/** Two units at most, the second only when it says something (`3 d`, not `3 d 0 h`). */
function twoUnits(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small > 0 ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`;
}

/** A length of time: `under a minute`, `12 min`, `5 h 3 min`, `3 d 4 h`, `7 wk`, `3 yr 2 wk`. */
export function formatDuration(ms: number): string {
  const span = Math.max(0, ms);
  if (span < MINUTE) return 'under a minute';
  if (span < HOUR) return `${Math.floor(span / MINUTE)} min`;
  if (span < DAY) return twoUnits(Math.floor(span / HOUR), 'h', Math.floor((span % HOUR) / MINUTE), 'min');
  if (span < 14 * DAY) return twoUnits(Math.floor(span / DAY), 'd', Math.floor((span % DAY) / HOUR), 'h');
  if (span < YEAR) return `${Math.floor(span / WEEK)} wk`;
  return twoUnits(Math.floor(span / YEAR), 'yr', Math.floor((span % YEAR) / WEEK), 'wk');
}

/** How long from `from` to `now`, as `formatDuration` writes it. */
export function formatAge(from: Date, now: Date): string {
  return formatDuration(now.getTime() - from.getTime());
}

/** `just now` or `3 h 5 min ago`: the one way to say when something happened relative to now. */
export function formatAgo(from: Date, now: Date): string {
  const ms = now.getTime() - from.getTime();
  return ms < MINUTE ? 'just now' : `${formatDuration(ms)} ago`;
}

/** "2026-11-21 14:02 UTC": unambiguous for staff spread across time zones. */
export function formatTimestamp(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
