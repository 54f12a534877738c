import type { Deps } from '../../deps.js';
import { UserError } from '../../errors.js';
import { releaseDecision, type DecisionRow } from '../../db/queries/decisions.js';
import { recordOutcome } from '../decisions/record-outcome.js';
import { sendOnce } from '../decisions/send-once.js';
import { isUnclearOutcome } from '../decisions/unclear-outcome.js';
import type { AuditDetail, Who } from '../decisions/who.js';
import { getMachineRequest } from '../../db/queries/machine-requests.js';
import {
  enqueueImagingRequest,
  findQueuedRequest,
  withImagingSlotLock,
  type QueuedRequest,
} from '../../db/queries/imaging-queue.js';
import { recordRequestEvent } from '../../db/queries/request-events.js';
import { findImagingOccupants, UNCONFIRMED_APPROVAL } from './find-imaging-occupant.js';
import type { ImagingItem } from './load-imaging-items.js';
import { checkPendingDecision, claimMachineDecision } from './machine-request-checks.js';

type Approval = { kind: 'approved'; item: ImagingItem } | { kind: 'queued'; item: ImagingItem; place: number; occupants: ImagingItem[] };

/**
 * What an approval did; `recorded` false when the bot's record of it is still to be completed, and
 * `audit` what the event's audit row says of it.
 */
export type ApproveOutcome = Approval & { recorded: boolean; audit: AuditDetail };

/**
 * Approves a pending imaging request, or queues it when another request holds the imaging slot.
 * The click is claimed in the decision journal first (first click wins); the slot check and the API
 * call then run under the cross-replica imaging lock, so of simultaneous approvals exactly one starts
 * imaging. The call goes out once (send-once.ts): an unclear answer holds the claim, and the request
 * keeps the imaging slot while it may still start (find-imaging-occupant.ts).
 */
export async function approveMachineRequest(deps: Deps, who: Who, input: { id: number }): Promise<ApproveOutcome> {
  const { id } = input;
  const item = await checkPendingDecision(deps, who, id, 'approve');
  const claim = await claimMachineDecision(deps, who, item, 'approve', 'approved');
  let sending = false;
  let outcome: Approval;
  try {
    outcome = await withImagingSlotLock(deps.db, async (): Promise<Approval> => {
      const fresh = await getMachineRequest(deps.db, id);
      if (!fresh || fresh.status !== 'pending') {
        throw new UserError('already_decided', `Imaging request #${id} became ${fresh?.status ?? 'removed'} outside the bot a moment ago. Nothing was changed.`);
      }
      const alreadyQueued = await findQueuedRequest(deps.db, id);
      if (alreadyQueued) throw queuedError(id, alreadyQueued);
      const occupants = (await findImagingOccupants(deps)).filter((o) => o.request.id !== id);
      const at = deps.now();
      if (occupants.length > 0) {
        const queued = await enqueueImagingRequest(deps.db, { requestId: id, queuedBy: who.username, platform: who.platform, queuedAt: at });
        if (!queued) throw queuedError(id, await findQueuedRequest(deps.db, id));
        await recordRequestEvent(deps.db, {
          subject: 'machine_request',
          recordId: id,
          at,
          actor: who.username,
          platform: who.platform,
          action: 'queued',
          note: `place ${queued.place}; imaging slot held by ${occupants.map((o) => `#${o.request.id}`).join(', ')}`,
        });
        return { kind: 'queued', item, place: queued.place, occupants };
      }
      sending = true;
      await sendApprovalOnce(deps, claim, id);
      return { kind: 'approved', item };
    }, deps.waitOutsideSlot);
  } catch (error) {
    // Before the call nothing was sent: give the claim back. A failed call settled its claim itself.
    if (!sending) await releaseDecision(deps.db, claim.id).catch((releaseError: unknown) => deps.log.error({ err: releaseError }, 'could not give the decision claim back'));
    throw error;
  }
  const audit: AuditDetail = { decision: 'approve', machineRequestId: id, outcome: outcome.kind };
  const { recorded } = await recordOutcome(
    deps,
    claim,
    outcome.kind === 'queued'
      ? { detail: { outcome: 'queued', place: outcome.place } }
      : { detail: { outcome: 'approved' }, history: { subject: 'machine_request', recordId: id, actor: who.username, platform: who.platform, action: 'approved', note: null } },
  );
  if (!recorded) audit['recordPending'] = true;
  return { ...outcome, recorded, audit };
}

/**
 * An approval (a staff member's, or the queue job's), sent once through the journal. An unclear
 * answer holds the claim, which keeps the imaging slot taken (find-imaging-occupant.ts), and is also
 * noted in the request's history.
 */
export async function sendApprovalOnce(deps: Deps, claim: DecisionRow, id: number): Promise<void> {
  const slot = `; meanwhile request #${id} holds the imaging slot, so no other request starts beside it. Check /atmo imaging show ${id}`;
  try {
    await sendOnce(deps, claim, `Imaging request #${id}`, () => deps.gateway.setMachineRequestStatus({ id, status: 'approved' }), { extra: slot });
  } catch (error) {
    if (isUnclearOutcome(error)) {
      const reason = error instanceof Error ? error.message : String(error);
      await recordRequestEvent(deps.db, { subject: 'machine_request', recordId: id, at: deps.now(), actor: claim.decidedBy, platform: claim.platform, action: UNCONFIRMED_APPROVAL, note: reason })
        .catch((recordError: unknown) => deps.log.error({ err: recordError, machineRequestId: id }, 'could not record an unconfirmed approval'));
    }
    throw error;
  }
}

function queuedError(id: number, queued: QueuedRequest | null): UserError {
  const by = queued ? ` by ${queued.queuedBy} at place ${queued.place}` : '';
  return new UserError('already_decided', `Imaging request #${id} is already in the imaging queue${by}. Nothing more was done.`);
}
