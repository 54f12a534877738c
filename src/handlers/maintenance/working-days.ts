/**
 * Working-day arithmetic for maintenance notices: the release process asks for the notice to reach
 * users "two working days prior". Weekends are Saturday and Sunday in `timeZone` (public holidays are
 * not known to the bot). Pure.
 */

/** How many working days ahead users must hear of a maintenance (release process, CyVerse). */
export const NOTICE_WORKING_DAYS = 2;

const WEEKDAY_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** The day of the week of `at` in `timeZone`: 0 = Sunday … 6 = Saturday. */
export function weekdayIn(at: Date, timeZone: string): number {
  let format = WEEKDAY_FORMATS.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' });
    WEEKDAY_FORMATS.set(timeZone, format);
  }
  return ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(format.format(at));
}

/**
 * The instant `days` working days before `at`, at the same time of day: step back one day at a
 * time and count only the days that land on Monday to Friday. A Tuesday 09:00 window gives the
 * Friday before at 09:00 for two working days; a Monday gives Thursday.
 */
export function subtractWorkingDays(at: Date, days: number, timeZone = 'UTC'): Date {
  let cursor = at.getTime();
  let counted = 0;
  while (counted < days) {
    cursor -= 24 * 60 * 60_000;
    const weekday = weekdayIn(new Date(cursor), timeZone);
    if (weekday !== 0 && weekday !== 6) counted += 1;
  }
  return new Date(cursor);
}
