import type { ChatEvent } from '../../bot/chat/chat-event.js';
import type { ActingContext } from '../../bot/chat/command.js';
import { UserError } from '../../errors.js';
import { completeDecision, releaseDecision } from '../../db/queries/decisions.js';
import { getMachineRequest } from '../../db/queries/machine-requests.js';
import { removeQueuedRequest } from '../../db/queries/imaging-queue.js';
import { recordRequestEvent } from '../../db/queries/request-events.js';
import type { MachineRequestStatus } from '../../integrations/atmosphere/gateway.js';
import { checkPendingDecision, checkResubmittable, claimMachineDecision, type MachineDecision } from './machine-request-checks.js';
import type { ImagingItem } from './load-imaging-items.js';

/**
 * Runs one claimed decision: claim, re-read (someone may have acted in Troposphere meanwhile), the
 * API call, the history row. A failure gives the claim back so someone can try again.
 */
async function decide(
  ctx: ActingContext<ChatEvent>,
  item: ImagingItem,
  action: MachineDecision,
  change: { status: MachineRequestStatus; stillValid(status: string): boolean; event: string; note: string | null },
): Promise<void> {
  const { deps } = ctx;
  const id = item.request.id;
  const claim = await claimMachineDecision(ctx, id, action, action === 'deny' ? (change.note ?? '') : '');
  try {
    const fresh = await getMachineRequest(deps.db, id);
    if (!fresh || !change.stillValid(fresh.status)) {
      throw new UserError('already_decided', `Imaging request #${id} became ${fresh?.status ?? 'removed'} outside the bot a moment ago. Nothing was changed.`);
    }
    await deps.gateway.setMachineRequestStatus({ id, status: change.status });
    const at = deps.now();
    const dequeued = action === 'deny' && (await removeQueuedRequest(deps.db, id));
    await recordRequestEvent(deps.db, {
      subject: 'machine_request',
      recordId: id,
      at,
      actor: ctx.actor.username,
      platform: ctx.event.platform,
      action: change.event,
      note: [change.note, dequeued ? 'taken out of the imaging queue' : null].filter(Boolean).join('; ') || null,
    });
    await completeDecision(deps.db, claim.id, at, { status: change.status });
    ctx.audit({ decision: action, machineRequestId: id });
  } catch (error) {
    await releaseDecision(deps.db, claim.id);
    throw error;
  }
}

/**
 * Troposphere's "Re-Submit": back to pending, which starts nothing. Only for a request whose chain
 * stopped (error, stuck, failed); approving it afterwards resumes at the failed step.
 */
export async function resubmitMachineRequest(ctx: ActingContext<ChatEvent>, id: number): Promise<ImagingItem> {
  const item = await checkResubmittable(ctx, id);
  await decide(ctx, item, 'resubmit', {
    status: 'pending',
    stillValid: (status) => status === item.request.status,
    event: 'resubmitted',
    note: `was ${item.request.status}: ${item.triage.category}, ${item.triage.summary}`.slice(0, 500),
  });
  return item;
}

/**
 * Denies a pending request. Atmosphere ignores admin_message on imaging requests and sends no e-mail
 * on a denial, so the reason lives in the bot's history and staff tell the owner themselves.
 */
export async function denyMachineRequest(ctx: ActingContext<ChatEvent>, id: number, reason: string): Promise<ImagingItem> {
  const item = await checkPendingDecision(ctx, id, 'deny');
  await decide(ctx, item, 'deny', { status: 'denied', stillValid: (status) => status === 'pending', event: 'denied', note: reason });
  return item;
}
