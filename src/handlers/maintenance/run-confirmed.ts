import type { ActionEvent } from '../../bot/chat/chat-event.js';
import type { ActingContext } from '../../bot/chat/command.js';
import type { Reply } from '../../bot/chat/reply.js';
import {
  insertMaintenanceConfirmation,
  insertMaintenanceWindow,
  listMaintenanceWindows,
  recordConfirmationOutcome,
  transitionMaintenanceWindow,
  type MaintenanceConfirmationRow,
  type MaintenanceWindowRow,
} from '../../db/queries/maintenance-windows.js';
import { startMaintenanceOnBothSides, stopMaintenanceOnBothSides, type MaintenanceOutcome } from './apply-maintenance.js';
import { CONFIRMATION_TTL_MS, confirmationOrigin } from './maintenance-state.js';
import { CANCEL_ACTION, CONFIRM_START_ACTION, CONFIRM_STOP_ACTION, describeOutcome, describeUnusedDetails, isHalfDone } from './render-maintenance.js';
import { finishWindowsOnStatusIo, startWindowOnStatusIo } from './statusio-sync.js';
import { checkWindowTimes } from './parse-time.js';
import { UserError } from '../../errors.js';
import { tickMaintenanceStep } from '../releases/runbook/runbook-for-maintenance.js';

type Ctx = ActingContext<ActionEvent>;

/** Carries out a confirmed start: both databases, then the window and status.io, then the announcement. */
export async function runConfirmedStart(ctx: Ctx, request: MaintenanceConfirmationRow): Promise<Reply> {
  const { deps } = ctx;
  const now = deps.now();
  // The click can come minutes after the request: an end that has passed meanwhile would write
  // records that are never active while the reply said maintenance started.
  const tooLate = request.until ? checkWindowTimes({ end: request.until, now }) : null;
  if (tooLate) throw new UserError('invalid_value', `Nothing was changed: ${tooLate}. Ask again with a later --until.`);
  const outcome = await startMaintenanceOnBothSides(
    { atmosphere: deps.db, troposphere: deps.troposphereDb },
    { title: request.title, message: request.message, until: request.until, now },
  );
  // Whatever happened, the next write's maintenance check reads the records afresh.
  deps.gateway.maintenanceChanged?.();
  const who = ctx.actor.username;
  const lines = [
    outcome.ok ? `Maintenance "${request.title}" started by ${who}.` : `Maintenance "${request.title}" did NOT start as asked (confirmed by ${who}):`,
    ...describeOutcome(outcome),
  ];
  let buttons: Reply['buttons'];
  let statusioOk = true;
  const changedNothing = outcome.atmosphere.state !== 'changed' && outcome.troposphere.state !== 'changed';
  if (outcome.ok && changedNothing) {
    // Another confirmation (or manage.py) started it after this one was asked: a second window would
    // schedule and start a second status.io maintenance, notifying subscribers twice.
    lines.push('Maintenance was already on on every side, so no window was opened and status.io was not touched. /atmo maintenance status shows it.');
  } else if (outcome.ok) {
    const records = {
      atmosphereRecordId: firstId(outcome.atmosphere),
      troposphereRecordId: firstId(outcome.troposphere),
    };
    let window: MaintenanceWindowRow | null = null;
    if (request.windowId !== null) {
      window = await transitionMaintenanceWindow(deps.db, request.windowId, ['scheduled'], 'started', { startedAt: now, ...records, ...(request.until ? { endsAt: request.until } : {}) });
      if (!window) lines.push(`Scheduled window #${request.windowId} was no longer scheduled (cancelled or started meanwhile); this start is recorded as a window of its own.`);
    }
    window ??= await insertMaintenanceWindow(deps.db, {
      title: request.title,
      message: request.message,
      startsAt: now,
      endsAt: request.until,
      state: 'started',
      statusio: request.statusio,
      createdBy: request.requestedBy,
      createdAt: now,
      startedAt: now,
      ...records,
    });
    if (request.statusio) {
      const statusio = await startWindowOnStatusIo(deps, window, { title: request.title, message: request.message, now, until: request.until });
      statusioOk = statusio.ok;
      lines.push(`• ${statusio.line}`);
    }
    const ticked = await tickMaintenanceStep(deps, { title: window.title, startsAt: window.startsAt }, 'maintenance-start', who, 'maintenance start');
    lines.push(`Users see: "${request.message}". End it with /atmo maintenance stop.${ticked}`);
  } else {
    buttons = await fixButtons(ctx, request, outcome, lines);
  }
  return finish(ctx, request, outcome, lines, buttons, statusioOk);
}

/** Carries out a confirmed stop: both databases, then the started windows and their status.io maintenances. */
export async function runConfirmedStop(ctx: Ctx, request: MaintenanceConfirmationRow): Promise<Reply> {
  const { deps } = ctx;
  const now = deps.now();
  const outcome = await stopMaintenanceOnBothSides({ atmosphere: deps.db, troposphere: deps.troposphereDb }, { now });
  deps.gateway.maintenanceChanged?.();
  const who = ctx.actor.username;
  const lines = [outcome.ok ? `Maintenance ended by ${who}.` : `Maintenance did NOT end as asked (confirmed by ${who}):`, ...describeOutcome(outcome)];
  let buttons: Reply['buttons'];
  let statusioOk = true;
  if (outcome.ok) {
    const finished: MaintenanceWindowRow[] = [];
    for (const window of await listMaintenanceWindows(deps.db, ['started'])) {
      const done = await transitionMaintenanceWindow(deps.db, window.id, ['started'], 'finished', { finishedAt: now });
      if (done) finished.push(done);
    }
    const statusio = await finishWindowsOnStatusIo(deps, finished, request.details);
    statusioOk = statusio.ok;
    lines.push(...statusio.lines.map((line) => `• ${line}`));
    if (request.details && !finished.some((w) => w.statusioMaintenanceId)) {
      lines.push(`• ${describeUnusedDetails({ details: request.details, statusioConfigured: deps.statusPage !== null })}`);
    }
    // Maintenance started outside the bot has no window; it is then the release deploying today.
    const subjects = finished.length > 0 ? finished.map((w) => ({ title: w.title, startsAt: w.startsAt })) : [{ title: '', startsAt: now }];
    const ticked: string[] = [];
    for (const subject of subjects) ticked.push(await tickMaintenanceStep(deps, subject, 'maintenance-stop', who, 'maintenance stop'));
    if (ticked.some(Boolean)) lines.push(ticked.join('').trim());
  } else {
    buttons = await fixButtons(ctx, request, outcome, lines);
  }
  return finish(ctx, request, outcome, lines, buttons, statusioOk);
}

function firstId(side: MaintenanceOutcome['atmosphere']): number | null {
  return side.state === 'changed' ? (side.ids[0] ?? null) : null;
}

/**
 * After a failure: when one side changed alone, a fresh confirmation of the same command repairs it
 * (each side is idempotent); otherwise nothing changed and the command can simply be run again.
 */
async function fixButtons(ctx: Ctx, request: MaintenanceConfirmationRow, outcome: MaintenanceOutcome, lines: string[]): Promise<Reply['buttons']> {
  const verb = outcome.kind === 'start' ? 'start' : 'stop';
  if (!isHalfDone(outcome)) {
    lines.push(`Nothing was changed on either side. Fix the failure above and run /atmo maintenance ${verb} again.`);
    return undefined;
  }
  const now = ctx.deps.now();
  const retry = await insertMaintenanceConfirmation(ctx.deps.db, {
    kind: request.kind,
    title: request.title,
    message: request.message,
    until: request.until,
    statusio: request.statusio,
    windowId: request.windowId,
    details: request.details,
    ...confirmationOrigin(ctx, now),
  });
  lines.push(
    `Fix: "Retry the missing side" runs the ${verb} again; it leaves the side that is already ${verb === 'start' ? 'in' : 'out of'} maintenance as it is and changes only the other (confirmation #${retry.id}, valid ${CONFIRMATION_TTL_MS / 60_000} minutes). Or run /atmo maintenance ${verb === 'start' ? 'stop' : 'start'} to bring the changed side back.`,
  );
  return [
    { label: 'Retry the missing side', action: verb === 'start' ? CONFIRM_START_ACTION : CONFIRM_STOP_ACTION, value: String(retry.id), style: 'danger' },
    { label: 'Cancel', action: CANCEL_ACTION, value: String(retry.id) },
  ];
}

async function finish(
  ctx: Ctx,
  request: MaintenanceConfirmationRow,
  outcome: MaintenanceOutcome,
  lines: string[],
  buttons: Reply['buttons'],
  statusioOk: boolean,
): Promise<Reply> {
  const { deps } = ctx;
  await recordConfirmationOutcome(deps.db, request.id, { ...outcome, statusioOk });
  ctx.audit({ confirmation: request.id, ok: outcome.ok, atmosphere: outcome.atmosphere.state, troposphere: outcome.troposphere.state, statusioOk });
  const text = lines.join('\n');
  const tone = outcome.ok && statusioOk ? (outcome.kind === 'start' ? 'warning' : 'success') : 'danger';
  await ctx.updateSource({ text: `Maintenance ${request.kind} confirmation #${request.id} confirmed by ${ctx.actor.username}.`, tone: 'info' });
  const channel = deps.config.announceChannel;
  if (channel) {
    try {
      await deps.chat.post(channel, { text, visibility: 'channel', tone });
    } catch (error) {
      ctx.log.warn({ err: error }, 'could not announce the maintenance change');
      lines.push('(Posting this to the announcement channel failed; tell the team yourself.)');
    }
  }
  return { text: lines.join('\n'), visibility: 'channel', tone, ...(buttons ? { buttons } : {}) };
}
