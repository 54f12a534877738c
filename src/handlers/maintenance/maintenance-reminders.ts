import { formatAgo, formatTimestamp } from '../format-time.js';
import type { MaintenanceWindowRow, ReminderColumn } from '../../db/queries/maintenance-windows.js';
import { NOTICE_WORKING_DAYS, subtractWorkingDays } from './working-days.js';

/** Which reminders a scheduled window is due at `now`, and their text. Pure. */

export const HOUR_BEFORE_MS = 3_600_000;

export interface DueReminder {
  column: ReminderColumn;
  text: string;
}

/**
 * When the notice to users must have gone out: two working days before the start, the working days
 * being those of the site (SITE_TIME_ZONE), not of UTC.
 */
export function noticeDeadline(window: Pick<MaintenanceWindowRow, 'startsAt'>, timeZone: string): Date {
  return subtractWorkingDays(window.startsAt, NOTICE_WORKING_DAYS, timeZone);
}

/** Reminders a scheduled window is due: the user notice, then "starts in 1 hour". Each only while not yet posted. */
export function dueScheduledReminders(window: MaintenanceWindowRow, now: Date, timeZone: string): DueReminder[] {
  if (window.state !== 'scheduled') return [];
  const due: DueReminder[] = [];
  const start = window.startsAt.getTime();
  const when = `${formatTimestamp(window.startsAt)} → ${window.endsAt ? formatTimestamp(window.endsAt) : 'open end'}`;
  if (window.noticeRemindedAt === null && now.getTime() >= noticeDeadline(window, timeZone).getTime() && now.getTime() < start - HOUR_BEFORE_MS) {
    due.push({
      column: 'noticeRemindedAt',
      text:
        `Maintenance window #${window.id} "${window.title}" (${when}) is ${NOTICE_WORKING_DAYS} working days away or less: ` +
        'send the maintenance notice to atmosphere-users now, post the banner in the user manual and check the CyVerse maintenance calendar' +
        `${window.statusioMaintenanceId ? '' : ', and schedule it on status.io (/atmo statusio schedule)'}. Message: "${window.message}"`,
    });
  }
  if (window.hourRemindedAt === null && now.getTime() >= start - HOUR_BEFORE_MS) {
    const minutes = Math.round((start - now.getTime()) / 60_000);
    const lead =
      minutes > 0
        ? `Maintenance "${window.title}" (window #${window.id}) starts in ${minutes >= 59 ? '1 hour' : `${minutes} min`}, at ${formatTimestamp(window.startsAt)}.`
        : `Maintenance "${window.title}" (window #${window.id}) was planned to start at ${formatTimestamp(window.startsAt)} and has not been started.`;
    due.push({ column: 'hourRemindedAt', text: `${lead} Start it with /atmo maintenance start --window ${window.id}.` });
  }
  return due;
}

/** The overdue post for a started window whose planned end has passed while maintenance is still on. */
export function overdueText(window: MaintenanceWindowRow, now: Date): string {
  return (
    `Maintenance "${window.title}" (window #${window.id}) was planned to end at ${formatTimestamp(window.endsAt!)} (${formatAgo(window.endsAt!, now)}) and is still on: ` +
    `users are still locked out. End it with /atmo maintenance stop${window.statusioMaintenanceId ? `, which also finishes status.io maintenance ${window.statusioMaintenanceId}` : ''}, or post an update on the delay.`
  );
}
