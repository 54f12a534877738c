/**
 * Plain calendar days (`2026-12-15`) for the release runbook: a deployment day is a day at the site,
 * not an instant, so due dates are days too, and "today" is the day it is at the site. Pure.
 */

const DAY_MS = 24 * 60 * 60_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD`, refusing impossible dates (`2026-02-30`). */
export function parseCalendarDay(text: string): string | null {
  const match = DAY.exec(text.trim());
  if (!match) return null;
  const [, y, m, d] = match;
  const at = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return at.toISOString().slice(0, 10) === `${y}-${m}-${d}` ? `${y}-${m}-${d}` : null;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay();
}

export function isWorkingDay(day: string): boolean {
  const weekday = weekdayOf(day);
  return weekday !== 0 && weekday !== 6;
}

export function addCalendarDays(day: string, days: number): string {
  return new Date(new Date(`${day}T00:00:00Z`).getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The working day `count` working days before `day` (Monday to Friday; the bot knows no public
 * holidays). Two working days before a Tuesday is the Friday before; before a Monday, the Thursday.
 */
export function workingDaysBefore(day: string, count: number): string {
  let cursor = day;
  let counted = 0;
  while (counted < count) {
    cursor = addCalendarDays(cursor, -1);
    if (isWorkingDay(cursor)) counted += 1;
  }
  return cursor;
}

const DAY_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** The calendar day it is at `at` in `timeZone` (America/Phoenix for CyVerse). */
export function calendarDayIn(at: Date, timeZone: string): string {
  let format = DAY_FORMATS.get(timeZone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    DAY_FORMATS.set(timeZone, format);
  }
  return format.format(at);
}

/** `Tue 15 Dec 2026`, for people. */
export function formatCalendarDay(day: string): string {
  const at = new Date(`${day}T00:00:00Z`);
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][at.getUTCDay()];
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][at.getUTCMonth()];
  return `${weekday} ${at.getUTCDate()} ${month} ${at.getUTCFullYear()}`;
}
