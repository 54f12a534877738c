import type { Deps } from '../deps.js';
import {
  claimWindowReminder,
  listMaintenanceWindows,
  listOverdueWindows,
  releaseWindowReminder,
  type MaintenanceWindowRow,
  type ReminderColumn,
} from '../db/queries/maintenance-windows.js';
import { loadMaintenanceState } from '../handlers/maintenance/maintenance-state.js';
import { dueScheduledReminders, overdueText } from '../handlers/maintenance/maintenance-reminders.js';
import type { JobContext, ScheduledJob } from './scheduler.js';

export const MAINTENANCE_REMINDER_JOB = 'maintenance-reminder';

/**
 * Reminds staff about maintenance windows (`REMINDER_CRON`): send the user notice two working days
 * before, "starts in 1 hour", and a planned end that passed while maintenance is still on. Posted to
 * ALERT_CHANNEL, or ANNOUNCE_CHANNEL when that is the only one. Each reminder is claimed in its
 * window's row before posting, so it goes out once across replicas and overlapping runs; a failed
 * post gives the claim back for the next run.
 */
export function createMaintenanceReminderJob(deps: Deps): ScheduledJob {
  return { name: MAINTENANCE_REMINDER_JOB, cron: deps.config.REMINDER_CRON, run: (context) => runMaintenanceReminders(deps, context).then(() => {}) };
}

/** One tick; returns how many reminders were posted. */
export async function runMaintenanceReminders(deps: Deps, context: JobContext): Promise<number> {
  const log = deps.log.child({ job: MAINTENANCE_REMINDER_JOB, slot: context.slot });
  const channel = deps.config.alertChannel ?? deps.config.announceChannel;
  if (!channel) {
    log.debug('neither ALERT_CHANNEL nor ANNOUNCE_CHANNEL is set; no maintenance reminders');
    return 0;
  }
  const now = context.now;
  let posted = 0;

  const send = async (window: MaintenanceWindowRow, column: ReminderColumn, text: string) => {
    if (!(await claimWindowReminder(deps.db, window.id, column, now))) return;
    try {
      await deps.chat.post(channel, { text, visibility: 'channel', tone: column === 'overdueRemindedAt' ? 'danger' : 'warning' });
      posted += 1;
      log.info({ window: window.id, reminder: column }, 'maintenance reminder posted');
    } catch (error) {
      log.warn({ err: error, window: window.id, reminder: column }, 'could not post the maintenance reminder; will try again');
      await releaseWindowReminder(deps.db, window.id, column);
    }
  };

  for (const window of await listMaintenanceWindows(deps.db, ['scheduled'])) {
    for (const reminder of dueScheduledReminders(window, now, deps.config.SITE_TIME_ZONE)) await send(window, reminder.column, reminder.text);
  }

  const overdue = await listOverdueWindows(deps.db, now);
  if (overdue.length > 0) {
    const state = await loadMaintenanceState(deps, now);
    const stillOn = state.atmosphere.length > 0 || (state.troposphere?.length ?? 0) > 0;
    // A record given an end date ends on its own; only a maintenance still locking users out is overdue.
    if (stillOn) for (const window of overdue) await send(window, 'overdueRemindedAt', overdueText(window, now));
  }
  return posted;
}
