import { z } from 'zod';
import { flagArg } from '../flag-arg.js';
import { defineCommand, type ActingContext } from '../../bot/chat/command.js';
import type { Reply } from '../../bot/chat/reply.js';
import { UserError } from '../../errors.js';
import { recordId } from '../record-id.js';
import { formatTimestamp } from '../format-time.js';
import { listActiveProviderMaintenance } from '../../db/queries/maintenance.js';
import {
  findMaintenanceWindow,
  insertMaintenanceConfirmation,
  listMaintenanceWindows,
  type MaintenanceWindowRow,
} from '../../db/queries/maintenance-windows.js';
import { confirmationOrigin, loadMaintenanceState, requireStatusPage } from './maintenance-state.js';
import { checkWindowTimes, parseTimeInput, type RelativeBase } from './parse-time.js';
import { CANCEL_ACTION, CONFIRM_START_ACTION, CONFIRM_STOP_ACTION, describeStartPlan, describeStatus, describeStopPlan } from './render-maintenance.js';

export const title = z.string().trim().min(1, 'the title must not be empty').max(256, 'the title is longer than Atmosphere keeps (256 characters)');
export const message = z.string().trim().min(1, 'the message must not be empty').max(2000, 'the message is longer than 2000 characters');

/** Reads a typed time or refuses with a usage reply naming the option; `base` is what `+2h` counts from. */
export function timeArg(name: string, text: string, now: Date, base?: RelativeBase): Date {
  const parsed = parseTimeInput(text, now, base);
  if (!parsed.ok) throw new UserError('usage', `--${name}: ${parsed.error}`);
  return parsed.at;
}

/** A scheduled window whose planned time covers now (from two hours before its start), if exactly one. */
function windowDueNow(windows: readonly MaintenanceWindowRow[], now: Date): MaintenanceWindowRow | null {
  const due = windows.filter((w) => w.startsAt.getTime() - 2 * 3_600_000 <= now.getTime() && (w.endsAt === null || w.endsAt > now));
  return due.length === 1 ? due[0]! : null;
}

const START_USAGE = '/atmo maintenance start [--title "2026-12-01 v37-0 deployment" --message "Atmosphere is down…"] [--until <time>] [--statusio] [--window <id>]';

function confirmButtons(action: string, id: number, label: string): Reply['buttons'] {
  return [
    { label, action, value: String(id), style: 'danger' },
    { label: 'Cancel', action: CANCEL_ACTION, value: String(id) },
  ];
}

export interface StartRequest {
  title?: string | undefined;
  message?: string | undefined;
  until?: string | undefined;
  statusio: boolean;
  window?: number | undefined;
  /** The title when neither `title` nor a window due now gives one (a runbook's deployment title). */
  fallbackTitle?: string | undefined;
}

/**
 * Asks to start maintenance: stores what will change and shows it behind a confirmation button. The
 * title and message come from the scheduled window due now when not given.
 */
export async function requestMaintenanceStart(ctx: ActingContext, args: StartRequest): Promise<Reply> {
  const { deps } = ctx;
  const now = deps.now();
  let window: MaintenanceWindowRow | null = null;
  if (args.window !== undefined) {
    window = await findMaintenanceWindow(deps.db, args.window);
    if (!window) throw new UserError('not_found', `There is no maintenance window #${args.window}. /atmo maintenance status lists them.`);
    if (window.state !== 'scheduled') throw new UserError('conflict', `Maintenance window #${window.id} is ${window.state}, not scheduled.`);
  } else {
    window = windowDueNow(await listMaintenanceWindows(deps.db, ['scheduled']), now);
  }
  const recordTitle = args.title ?? window?.title ?? args.fallbackTitle;
  const recordMessage = args.message ?? window?.message;
  if (!recordTitle || !recordMessage) {
    throw new UserError('usage', `A maintenance needs a title and a message for users (--title, --message), and no scheduled window is due now to take them from.\nUsage: ${START_USAGE}`);
  }
  const until = args.until !== undefined ? timeArg('until', args.until, now) : (window?.endsAt ?? null);
  if (until) {
    const problem = checkWindowTimes({ end: until, now });
    if (problem) throw new UserError('usage', `--until: ${problem}. Nothing was changed.`);
  }
  const statusioId = window?.statusioMaintenanceId ?? null;
  const statusio = args.statusio || statusioId !== null;
  if (statusio) requireStatusPage(deps);
  if (statusio && !statusioId && !until) {
    throw new UserError('usage', 'status.io needs a planned end for a new maintenance: add --until (e.g. --until +4h). Nothing was changed.');
  }

  const state = await loadMaintenanceState(deps, now);
  if (state.atmosphere.length > 0 && (state.troposphere === null || state.troposphere.length > 0)) {
    throw new UserError('conflict', `Maintenance is already on ("${state.atmosphere[0]!.title}"). /atmo maintenance status shows it; /atmo maintenance stop ends it.`);
  }
  const pending = await insertMaintenanceConfirmation(deps.db, {
    kind: 'start',
    title: recordTitle,
    message: recordMessage,
    until,
    statusio,
    windowId: window?.id ?? null,
    ...confirmationOrigin(ctx, now),
  });
  ctx.audit({ confirmation: pending.id });
  const statusioText = !statusio
    ? null
    : statusioId
      ? `start maintenance ${statusioId} ("${window!.title}"), notifying subscribers.`
      : `schedule "${recordTitle}" from now until ${formatTimestamp(until!)} and start it, notifying subscribers.`;
  return {
    text: describeStartPlan({ title: recordTitle, message: recordMessage, until, atmosphereActive: state.atmosphere, troposphereActive: state.troposphere, statusio: statusioText, window }),
    buttons: confirmButtons(CONFIRM_START_ACTION, pending.id, 'Start maintenance'),
    footer: `Confirmation #${pending.id}, asked by ${ctx.actor.username}; any staff member may confirm until ${formatTimestamp(pending.expiresAt)}. Times are UTC.`,
    tone: 'warning',
  } satisfies Reply;
}

export const startMaintenanceCommand = defineCommand({
  name: 'maintenance start',
  summary: 'Start maintenance in Atmosphere and Troposphere (asks for confirmation)',
  // Title and message may come from the scheduled window due now, hence optional.
  usage: START_USAGE,
  options: [
    { name: 'title', description: 'Title of the maintenance record', type: 'string', flag: true },
    { name: 'message', description: 'Message shown to users', type: 'string', flag: true },
    { name: 'until', description: 'Planned end: 2026-12-01 23:00 (UTC), ISO with offset, or +2h', type: 'string', flag: true },
    { name: 'statusio', description: 'Also start the maintenance on status.io', type: 'boolean', flag: true },
    { name: 'window', description: 'Scheduled window to open (default: the one due now)', type: 'integer', flag: true },
  ],
  args: z.object({
    title: title.optional(),
    message: message.optional(),
    until: z.string().optional(),
    statusio: flagArg,
    window: recordId('maintenance window').optional(),
  }),
  permission: 'staff',
  run: (ctx, args) => requestMaintenanceStart(ctx, args),
});

/** Asks to end maintenance on both sides (and the started windows' status.io maintenances), behind a confirmation. */
export async function requestMaintenanceStop(ctx: ActingContext, details: string): Promise<Reply> {
  const { deps } = ctx;
  const now = deps.now();
  const state = await loadMaintenanceState(deps, now);
  const started = (await listMaintenanceWindows(deps.db, ['started'])).filter((w) => w.statusioMaintenanceId);
  if (state.atmosphere.length === 0 && (state.troposphere?.length ?? 0) === 0 && started.length === 0) {
    throw new UserError('conflict', 'Maintenance is not on: no active record in Atmosphere or Troposphere. Nothing to stop.');
  }
  if (started.length > 0) requireStatusPage(deps);
  const pending = await insertMaintenanceConfirmation(deps.db, {
    kind: 'stop',
    details,
    ...confirmationOrigin(ctx, now),
  });
  ctx.audit({ confirmation: pending.id });
  return {
    text: describeStopPlan({
      atmosphereActive: state.atmosphere,
      troposphereActive: state.troposphere,
      statusio: started.map((w) => `finish maintenance ${w.statusioMaintenanceId} ("${w.title}"), notifying subscribers.`),
      unusedDetails: details && started.length === 0 ? { details, statusioConfigured: deps.statusPage !== null } : undefined,
    }),
    buttons: confirmButtons(CONFIRM_STOP_ACTION, pending.id, 'End maintenance'),
    footer: `Confirmation #${pending.id}, asked by ${ctx.actor.username}; any staff member may confirm until ${formatTimestamp(pending.expiresAt)}.`,
    tone: 'warning',
  } satisfies Reply;
}

export const stopMaintenanceCommand = defineCommand({
  name: 'maintenance stop',
  summary: 'End maintenance in Atmosphere and Troposphere (asks for confirmation)',
  usage: '/atmo maintenance stop [details for status.io]',
  options: [{ name: 'details', description: 'Closing text for the status.io maintenance', type: 'string', rest: true }],
  args: z.object({ details: z.string().trim().max(2000, 'the details are longer than 2000 characters').default('') }),
  permission: 'staff',
  run: (ctx, args) => requestMaintenanceStop(ctx, args.details),
});

export const maintenanceStatusCommand = defineCommand({
  name: 'maintenance status',
  summary: 'Show whether maintenance is on in Atmosphere and Troposphere, and scheduled windows',
  usage: '/atmo maintenance status',
  options: [],
  args: z.object({}),
  permission: 'staff',
  async run(ctx) {
    const { deps } = ctx;
    const now = deps.now();
    const state = await loadMaintenanceState(deps, now);
    return {
      text: describeStatus({
        now,
        atmosphere: state.atmosphere,
        providerRecords: await listActiveProviderMaintenance(deps.db, now),
        troposphere: state.troposphere,
        started: await listMaintenanceWindows(deps.db, ['started']),
        scheduled: await listMaintenanceWindows(deps.db, ['scheduled']),
      }),
    };
  },
});
