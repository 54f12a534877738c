import { CONFIRMATION_TTL_MS } from './maintenance-state.js';
import { buttonRecordId } from '../record-id.js';
import { defineAction, type ActingContext } from '../../bot/chat/command.js';
import type { ActionEvent } from '../../bot/chat/chat-event.js';
import { UserError } from '../../errors.js';
import { formatTimestamp } from '../format-time.js';
import {
  claimMaintenanceConfirmation,
  findMaintenanceConfirmation,
  type MaintenanceConfirmationRow,
} from '../../db/queries/maintenance-windows.js';
import { CANCEL_ACTION, CONFIRM_START_ACTION, CONFIRM_STOP_ACTION } from './render-maintenance.js';
import { runConfirmedStart, runConfirmedStop } from './run-confirmed.js';

/** The button carries only the stored request's id. Anything else was tampered with. */
const requestId = buttonRecordId;

/**
 * Takes the request for this click, or explains why not: only the first click on a pending,
 * unexpired request acts; every other one is refused and changes nothing.
 */
async function claim(ctx: ActingContext<ActionEvent>, id: number, kind: 'start' | 'stop' | null, to: 'confirmed' | 'cancelled'): Promise<MaintenanceConfirmationRow> {
  const now = ctx.deps.now();
  const won = await claimMaintenanceConfirmation(ctx.deps.db, { id, kind, to, by: ctx.actor.username, at: now });
  if (won) return won;
  const row = await findMaintenanceConfirmation(ctx.deps.db, id);
  if (!row || (kind !== null && row.kind !== kind)) {
    throw new UserError('not_found', `There is no maintenance ${kind ?? ''} confirmation #${id}. Nothing was changed.`.replace('  ', ' '));
  }
  const again = `/atmo maintenance ${row.kind}`;
  if (row.state === 'confirmed') {
    throw new UserError('already_decided', `Maintenance ${row.kind} confirmation #${id} was already confirmed by ${row.decidedBy} at ${formatTimestamp(row.decidedAt!)}; this click changed nothing.`);
  }
  if (row.state === 'cancelled') {
    throw new UserError('already_decided', `Maintenance ${row.kind} confirmation #${id} was cancelled by ${row.decidedBy} at ${formatTimestamp(row.decidedAt!)}; nothing was changed. Run ${again} again if needed.`);
  }
  await ctx.updateSource({ text: `Maintenance ${row.kind} confirmation #${id} expired at ${formatTimestamp(row.expiresAt)}.` }).catch(() => {});
  throw new UserError('already_decided', `Maintenance ${row.kind} confirmation #${id} expired at ${formatTimestamp(row.expiresAt)} (confirmations last ${CONFIRMATION_TTL_MS / 60_000} minutes); nothing was changed. Run ${again} again.`);
}

export const confirmStartAction = defineAction({
  name: CONFIRM_START_ACTION,
  value: requestId,
  permission: 'staff',
  async run(ctx, id) {
    return runConfirmedStart(ctx, await claim(ctx, id, 'start', 'confirmed'));
  },
});

export const confirmStopAction = defineAction({
  name: CONFIRM_STOP_ACTION,
  value: requestId,
  permission: 'staff',
  async run(ctx, id) {
    return runConfirmedStop(ctx, await claim(ctx, id, 'stop', 'confirmed'));
  },
});

export const cancelMaintenanceRequestAction = defineAction({
  name: CANCEL_ACTION,
  value: requestId,
  permission: 'staff',
  async run(ctx, id) {
    const row = await claim(ctx, id, null, 'cancelled');
    const text = `Maintenance ${row.kind} confirmation #${row.id} cancelled by ${ctx.actor.username}; nothing was changed.`;
    await ctx.updateSource({ text });
    return { text };
  },
});
