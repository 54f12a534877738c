import { z } from 'zod';
import { defineCommand, type ActingContext, type HandlerContext } from '../../bot/chat/command.js';
import type { Reply } from '../../bot/chat/reply.js';
import { tickMaintenanceStep } from '../releases/runbook/runbook-for-maintenance.js';
import { IntegrationError, UserError } from '../../errors.js';
import { renderIntegrationError } from '../../bot/chat/render-error.js';
import { recordId } from '../record-id.js';
import { formatTimestamp } from '../format-time.js';
import { findMaintenanceWindow, insertMaintenanceWindow, listMaintenanceWindows, transitionMaintenanceWindow, type MaintenanceWindowRow } from '../../db/queries/maintenance-windows.js';
import { requireStatusPage } from './maintenance-state.js';
import { checkWindowTimes } from './parse-time.js';
import { timeArg } from './maintenance-commands.js';
import { flagArg } from '../flag-arg.js';
import { describeWindow } from './render-maintenance.js';
import { NOTICE_WORKING_DAYS } from './working-days.js';
import { noticeDeadline } from './maintenance-reminders.js';

export interface ScheduleRequest {
  start: string;
  end: string;
  title: string;
  message: string;
  statusio: boolean;
  /** Schedule even when the window overlaps another scheduled or running one. */
  overlap?: boolean;
}

/** Whether [start, end) meets a window's planned span. A running window without an end counts as open-ended. */
function overlaps(window: MaintenanceWindowRow, start: Date, end: Date): boolean {
  const windowEnd = window.endsAt?.getTime() ?? Number.POSITIVE_INFINITY;
  return window.startsAt.getTime() < end.getTime() && start.getTime() < windowEnd;
}

/** Schedules a window (status.io first when asked), whose reminders the reminder job then posts. */
export async function scheduleMaintenanceWindow(ctx: ActingContext, args: ScheduleRequest): Promise<Reply> {
  const { deps } = ctx;
  const now = deps.now();
  const start = timeArg('start', args.start, now);
  const end = timeArg('end', args.end, now, { at: start, name: 'the start' });
  if (start.getTime() <= now.getTime()) {
    throw new UserError('usage', `--start ${formatTimestamp(start)} has already passed; to start maintenance now use /atmo maintenance start. Nothing was scheduled.`);
  }
  const problem = checkWindowTimes({ start, end, now });
  if (problem) throw new UserError('usage', `${problem.charAt(0).toUpperCase()}${problem.slice(1)}. Nothing was scheduled.`);
  // Two windows over the same hours send users two notices and staff two sets of reminders, and
  // `maintenance start` could not tell which one is due: refused unless asked for.
  const clashes = (await listMaintenanceWindows(deps.db, ['scheduled', 'started'])).filter((window) => overlaps(window, start, end));
  if (clashes.length > 0 && !args.overlap) {
    const named = clashes.map((window) => describeWindow(window)).join('; ');
    throw new UserError(
      'conflict',
      `That window overlaps ${clashes.length === 1 ? 'maintenance window' : 'maintenance windows'} ${named}. Nothing was scheduled. Cancel or reschedule ${clashes.length === 1 ? 'it' : 'them'} (/atmo maintenance cancel <id>), or add --overlap to schedule this one as well.`,
    );
  }
  // status.io first: if it refuses, nothing is saved and the command can simply be run again.
  const statusioId = args.statusio
    ? (await requireStatusPage(deps).scheduleMaintenance({ title: args.title, details: args.message, start, end })).id
    : null;
  const window = await insertMaintenanceWindow(deps.db, {
    title: args.title,
    message: args.message,
    startsAt: start,
    endsAt: end,
    state: 'scheduled',
    statusio: args.statusio,
    statusioMaintenanceId: statusioId,
    createdBy: ctx.actor.username,
    createdAt: now,
  });
  ctx.audit({ window: window.id, statusio: statusioId });
  const noticeBy = noticeDeadline(window, deps.config.SITE_TIME_ZONE);
  // Only a window on status.io does the runbook's "scheduled maintenance on status.io" step.
  const ticked = statusioId ? await tickMaintenanceStep(deps, { title: window.title, startsAt: window.startsAt }, 'statusio', ctx.actor.username, 'maintenance schedule') : '';
  const lines = [
    `Scheduled maintenance window ${describeWindow(window)}.${ticked}`,
    statusioId ? `status.io maintenance ${statusioId} is scheduled; status.io notifies subscribers 24 h and 1 h ahead.` : 'Not on status.io (add it with /atmo statusio schedule, or schedule again with --statusio).',
    noticeBy.getTime() <= now.getTime()
      ? `The notice to atmosphere-users is due now: the window is less than ${NOTICE_WORKING_DAYS} working days away.`
      : `Send the notice to atmosphere-users by ${formatTimestamp(noticeBy)} (${NOTICE_WORKING_DAYS} working days ahead in ${deps.config.SITE_TIME_ZONE}); I will remind the staff channel then, and 1 hour before the start.`,
    `At the start, run /atmo maintenance start --window ${window.id}. Times are UTC.`,
  ];
  return { text: lines.join('\n'), visibility: 'channel', tone: 'info' };
}

export const scheduleMaintenanceCommand = defineCommand({
  name: 'maintenance schedule',
  summary: 'Schedule a future maintenance window (optionally on status.io); reminders follow',
  usage: '/atmo maintenance schedule --start "2026-12-01 16:00" --end "2026-12-01 23:00" --title "…" --message "…" [--statusio] [--overlap]',
  options: [
    { name: 'start', description: 'Planned start: 2026-12-01 16:00 (UTC), ISO with offset, or +1d from now', type: 'string', flag: true, required: true },
    { name: 'end', description: 'Planned end: 2026-12-01 23:00 (UTC), ISO with offset, or +2h after the start', type: 'string', flag: true, required: true },
    { name: 'title', description: 'Title, e.g. "2026-12-01 v37-0 deployment"', type: 'string', flag: true, required: true },
    { name: 'message', description: 'Message shown to users during the maintenance', type: 'string', flag: true, required: true },
    { name: 'statusio', description: 'Also schedule it on status.io', type: 'boolean', flag: true },
    { name: 'overlap', description: 'Schedule it even though it overlaps another window', type: 'boolean', flag: true },
  ],
  args: z.object({
    start: z.string({ error: '--start is required' }),
    end: z.string({ error: '--end is required' }),
    title: z.string({ error: '--title is required' }).trim().min(1).max(256, 'the title is longer than Atmosphere keeps (256 characters)'),
    message: z.string({ error: '--message is required' }).trim().min(1).max(2000, 'the message is longer than 2000 characters'),
    statusio: flagArg,
    overlap: flagArg,
  }),
  permission: 'staff',
  run: (ctx, args) => scheduleMaintenanceWindow(ctx, args),
});

/** Deletes a cancelled window's status.io maintenance; a failure is reported, the cancellation stands. */
async function removeFromStatusIo(ctx: HandlerContext, id: string): Promise<string> {
  if (!ctx.deps.statusPage) return `status.io maintenance ${id} is still scheduled there and status.io is not configured here: delete it on the status.io dashboard.`;
  try {
    await ctx.deps.statusPage.deleteMaintenance(id);
    return `Removed status.io maintenance ${id} from the status page.`;
  } catch (error) {
    if (!(error instanceof IntegrationError)) throw error;
    ctx.log.warn({ err: error }, 'could not delete the status.io maintenance of a cancelled window');
    return `status.io maintenance ${id} could NOT be removed (${renderIntegrationError(error)}); delete it on the status.io dashboard.`;
  }
}

export const cancelMaintenanceCommand = defineCommand({
  name: 'maintenance cancel',
  summary: 'Cancel a scheduled maintenance window',
  usage: '/atmo maintenance cancel <window id>',
  options: [{ name: 'id', description: 'Maintenance window id', type: 'integer', required: true }],
  args: z.object({ id: recordId('maintenance window') }),
  permission: 'staff',
  async run(ctx, args) {
    const { deps } = ctx;
    const cancelled = await transitionMaintenanceWindow(deps.db, args.id, ['scheduled'], 'cancelled', { finishedAt: deps.now() });
    if (!cancelled) {
      const window = await findMaintenanceWindow(deps.db, args.id);
      if (!window) throw new UserError('not_found', `There is no maintenance window #${args.id}. /atmo maintenance status lists them.`);
      throw new UserError('conflict', `Maintenance window #${args.id} is ${window.state}; only a scheduled window can be cancelled.${window.state === 'started' ? ' End it with /atmo maintenance stop.' : ''}`);
    }
    const statusio = cancelled.statusioMaintenanceId ? `\n${await removeFromStatusIo(ctx, cancelled.statusioMaintenanceId)}` : '';
    return { text: `Cancelled maintenance window ${describeWindow(cancelled)}; no reminders will follow.${statusio}`, visibility: 'channel' };
  },
});
