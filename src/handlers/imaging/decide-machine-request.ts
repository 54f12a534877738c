import type { Deps } from '../../deps.js';
import { UserError } from '../../errors.js';
import { releaseDecision } from '../../db/queries/decisions.js';
import { getMachineRequest } from '../../db/queries/machine-requests.js';
import { removeQueuedRequest } from '../../db/queries/imaging-queue.js';
import { recordOutcome } from '../decisions/record-outcome.js';
import { sendOnce } from '../decisions/send-once.js';
import type { AuditDetail, Who } from '../decisions/who.js';
import type { MachineRequestStatus } from '../../integrations/atmosphere/gateway.js';
import { checkPendingDecision, checkResubmittable, claimMachineDecision, type MachineDecision } from './machine-request-checks.js';
import type { ImagingItem } from './load-imaging-items.js';

/**
 * A carried-out imaging decision; `recorded` false when the bot's record of it is still to be
 * completed, and `audit` what the event's audit row says of it.
 */
export interface MachineDecisionResult {
  item: ImagingItem;
  recorded: boolean;
  audit: AuditDetail;
}

/**
 * Runs one journalled decision: claim (with the plan), re-read (someone may have acted in Troposphere
 * meanwhile), the API call once (send-once.ts holds the claim on an unclear answer), then the record
 * with its history row. `recorded` is false when Atmosphere applied it but the bot's database did not
 * take the record yet (the reconciler completes it).
 */
async function decide(
  deps: Deps,
  who: Who,
  item: ImagingItem,
  action: MachineDecision,
  change: { status: MachineRequestStatus; stillValid(status: string): boolean; event: string; note: string | null },
): Promise<MachineDecisionResult> {
  const id = item.request.id;
  const what = `Imaging request #${id}`;
  const claim = await claimMachineDecision(deps, who, item, action, change.status, action === 'deny' ? (change.note ?? '') : '');
  try {
    const fresh = await getMachineRequest(deps.db, id);
    if (!fresh || !change.stillValid(fresh.status)) {
      throw new UserError('already_decided', `Imaging request #${id} became ${fresh?.status ?? 'removed'} outside the bot a moment ago. Nothing was changed.`);
    }
  } catch (error) {
    await releaseDecision(deps.db, claim.id).catch((releaseError: unknown) => deps.log.error({ err: releaseError }, 'could not give the decision claim back'));
    throw error;
  }
  await sendOnce(deps, claim, what, () => deps.gateway.setMachineRequestStatus({ id, status: change.status }));
  const audit: AuditDetail = { decision: action, machineRequestId: id };
  const dequeued =
    action === 'deny' &&
    (await removeQueuedRequest(deps.db, id).catch((error: unknown) => {
      deps.log.error({ err: error, machineRequestId: id }, 'could not take the denied request out of the imaging queue');
      return false;
    }));
  const { recorded } = await recordOutcome(deps, claim, {
    detail: { status: change.status },
    history: {
      subject: 'machine_request',
      recordId: id,
      actor: who.username,
      platform: who.platform,
      action: change.event,
      note: [change.note, dequeued ? 'taken out of the imaging queue' : null].filter(Boolean).join('; ') || null,
    },
  });
  if (!recorded) audit['recordPending'] = true;
  return { item, recorded, audit };
}

/**
 * Troposphere's "Re-Submit": back to pending, which starts nothing. Only for a request whose chain
 * stopped (error, stuck, failed); approving it afterwards resumes at the failed step.
 */
export async function resubmitMachineRequest(deps: Deps, who: Who, input: { id: number }): Promise<MachineDecisionResult> {
  const item = await checkResubmittable(deps, input.id);
  return decide(deps, who, item, 'resubmit', {
    status: 'pending',
    stillValid: (status) => status === item.request.status,
    event: 'resubmitted',
    note: `was ${item.request.status}: ${item.triage.category}, ${item.triage.summary}`.slice(0, 500),
  });
}

/**
 * Denies a pending request. Atmosphere ignores admin_message on imaging requests and sends no e-mail
 * on a denial, so the reason lives in the bot's history and staff tell the owner themselves.
 */
export async function denyMachineRequest(deps: Deps, who: Who, input: { id: number; reason: string }): Promise<MachineDecisionResult> {
  const item = await checkPendingDecision(deps, who, input.id, 'deny');
  return decide(deps, who, item, 'deny', { status: 'denied', stillValid: (status) => status === 'pending', event: 'denied', note: input.reason });
}
