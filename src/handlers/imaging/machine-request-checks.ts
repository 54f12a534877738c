import type { ChatEvent } from '../../bot/chat/chat-event.js';
import type { HandlerContext, ActingContext } from '../../bot/chat/command.js';
import { UserError } from '../../errors.js';
import { findLatestDecision, type DecisionRow } from '../../db/queries/decisions.js';
import { getMachineRequest, nextMachineRequestRound } from '../../db/queries/machine-requests.js';
import { describeClaim } from '../decisions/describe-claim.js';
import { alreadyDecided, claimForDecision } from '../decisions/claim-for-decision.js';
import { settleClaim } from '../decisions/settle-claim.js';
import { isErroredOrStuck, loadImagingItems, type ImagingItem } from './load-imaging-items.js';

export type MachineDecision = 'approve' | 'deny' | 'resubmit';

/** "was re-submitted by kpatel at 2026-11-23 17:00 UTC (on slack)", for "too late" replies and footers. */
export function describeMachineDecision(row: DecisionRow): string {
  return describeClaim(row);
}

/**
 * Settles an unfinished claim of the bot's on the request against Atmosphere (settle-claim.ts), so a
 * decision that landed while its reply was lost is recorded, and refuses a new decision while one is
 * running or held. Views call it too, so what they show is already complete.
 */
async function settleOpenClaim(ctx: HandlerContext, id: number, refuse: boolean): Promise<void> {
  const latest = await findLatestDecision(ctx.deps.db, 'machine_request', id);
  if (!latest || latest.state === 'done') return;
  const settled = await settleClaim(ctx.deps, latest);
  if (refuse && (settled.kind === 'busy' || settled.kind === 'held' || (settled.kind === 'done' && settled.recordedNow))) {
    throw alreadyDecided(ctx.deps, `Imaging request #${id}`, settled);
  }
}

/** The request with its triage, queue place and history; a UserError when there is no such id. */
export async function requireImagingItem(ctx: HandlerContext, id: number, refuseOpenClaim = false): Promise<ImagingItem> {
  // Tagged before any refusal, so `/atmo audit imaging <id>` finds refusals too.
  ctx.audit({ machineRequestId: id });
  await settleOpenClaim(ctx, id, refuseOpenClaim);
  const request = await getMachineRequest(ctx.deps.db, id);
  if (!request) throw new UserError('not_found', `There is no imaging request #${id}. /atmo imaging pending lists the waiting ones.`);
  return (await loadImagingItems(ctx.deps, [request]))[0]!;
}

function refuseOwn(ctx: HandlerContext, item: ImagingItem, what: string): void {
  const own = ctx.actor && (item.request.owner.id === ctx.actor.userId || item.request.createdById === ctx.actor.userId);
  if (own) throw new UserError('self_approval', `Imaging request #${item.request.id} is your own; another staff member has to ${what} it.`);
}

/** Approve and Deny apply to pending requests only, as in Troposphere; anything else says what to do. */
export async function checkPendingDecision(ctx: HandlerContext, id: number, what: 'approve' | 'deny'): Promise<ImagingItem> {
  const item = await requireImagingItem(ctx, id, true);
  const { request } = item;
  if (request.status !== 'pending') {
    const hint = isErroredOrStuck(item)
      ? ` It is ${item.triage.category === 'stuck' ? 'stuck' : 'in error'}: re-submit it first (/atmo imaging resubmit ${id}), then ${what} it.`
      : '';
    throw new UserError('already_decided', `Imaging request #${id} is ${request.status}, not pending, so there is nothing to ${what}.${hint} Nothing was changed.`);
  }
  refuseOwn(ctx, item, what);
  if (what === 'approve' && item.queued) {
    throw new UserError(
      'already_decided',
      `Imaging request #${id} was already approved by ${item.queued.queuedBy} and waits in the imaging queue at place ${item.queued.place}. /atmo imaging queue move ${id} 1 puts it next.`,
    );
  }
  // As for resource requests: maintenance or no API refuses before anything, a queue place included.
  await ctx.deps.gateway.checkWritable();
  return item;
}

/** Re-submit is for requests whose chain stopped (error, stuck, failed), as the guide's retry step. */
export async function checkResubmittable(ctx: HandlerContext, id: number): Promise<ImagingItem> {
  const item = await requireImagingItem(ctx, id, true);
  if (!isErroredOrStuck(item)) {
    const state = item.request.status === 'pending' ? 'already pending: approve or deny it' : `${item.request.status} (${item.triage.summary}), not in error or stuck`;
    throw new UserError('already_decided', `Imaging request #${id} is ${state}. Nothing was changed.`);
  }
  await ctx.deps.gateway.checkWritable();
  return item;
}

/** Claims this round's decision on the request so only the first of simultaneous clicks acts. */
export async function claimMachineDecision(
  ctx: ActingContext<ChatEvent>,
  item: ImagingItem,
  action: MachineDecision,
  status: string,
  adminMessage = '',
): Promise<DecisionRow> {
  const id = item.request.id;
  return claimForDecision(ctx, {
    subject: 'machine_request',
    recordId: id,
    round: await nextMachineRequestRound(ctx.deps.db, id),
    action,
    adminMessage,
    plan: { from: item.request.status, status },
    what: `Imaging request #${id}`,
  });
}
