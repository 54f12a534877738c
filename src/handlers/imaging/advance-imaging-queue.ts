import type { Deps } from '../../deps.js';
import { writeAudit } from '../../db/queries/audit.js';
import { claimDecision, findLatestDecision, type DecisionRow } from '../../db/queries/decisions.js';
import { listImagingQueue, removeQueuedRequest, withImagingSlotLock, type QueuedRequest } from '../../db/queries/imaging-queue.js';
import { getMachineRequest, nextMachineRequestRound, type MachineRequestView } from '../../db/queries/machine-requests.js';
import { recordRequestEvent } from '../../db/queries/request-events.js';
import { decisionClaim } from '../decisions/claim-for-decision.js';
import { recordOutcome } from '../decisions/record-outcome.js';
import { retryWrite } from '../decisions/retry-write.js';
import { settleClaim } from '../decisions/settle-claim.js';
import { isUnclearOutcome } from '../decisions/unclear-outcome.js';
import { botWho, type Who } from '../decisions/who.js';
import { formatTimestamp } from '../format-time.js';
import { sendApprovalOnce } from './approve-machine-request.js';
import { findImagingOccupants } from './find-imaging-occupant.js';

/** The history action of an approval the queue job made. */
const AUTO_APPROVED = 'auto-approved';

type Step = { kind: 'approved'; head: QueuedRequest; request: MachineRequestView } | { kind: 'waiting' };

/**
 * The scheduled job's step: when no request holds the imaging slot, approves the head of the bot's
 * queue (skipping entries no longer pending) and says so in the alert channel.
 *
 * The approval is journalled like a staff one: claimed in the bot's name (with who queued it) before
 * the PATCH, sent once, its outcome and history row recorded after. An unclear answer holds the
 * claim, and the held request keeps the imaging slot; a claim left behind by a crash is finished by
 * the reconciler from what Atmosphere shows, history row included. Safe on every replica at once: it
 * runs under the slot lock, and the claim's round keeps a staff denial running at the same moment
 * and this approval from both going out.
 */
export async function advanceImagingQueue(deps: Deps): Promise<{ approved: number | null }> {
  const step = await withImagingSlotLock(deps.db, () => approveHead(deps), deps.waitOutsideSlot);
  if (step.kind !== 'approved') return { approved: null };
  const { head, request } = step;
  deps.log.info({ machineRequestId: request.id }, 'imaging queue advanced');
  if (deps.config.alertChannel) {
    const text = `Imaging request #${request.id} ("${request.newApplicationName}" ${request.newVersionName} for ${request.owner.username}) left the imaging queue and was approved: the slot was free. Queued by ${head.queuedBy}. Check it in 15-20 minutes: /atmo imaging show ${request.id}`;
    await deps.chat
      .post(deps.config.alertChannel, { text, visibility: 'channel', tone: 'info' })
      .catch((error: unknown) => deps.log.warn({ err: error, machineRequestId: request.id }, 'could not post the imaging queue update'));
  }
  return { approved: request.id };
}

async function approveHead(deps: Deps): Promise<Step> {
  if ((await findImagingOccupants(deps)).length > 0) return { kind: 'waiting' };
  for (;;) {
    const head = (await listImagingQueue(deps.db))[0];
    if (!head) return { kind: 'waiting' };
    // A claim still open on the head (an approval of the job's whose answer was lost, a staff denial
    // in flight) is settled first; whatever it becomes, the next tick looks at a settled queue.
    const open = await findLatestDecision(deps.db, 'machine_request', head.requestId);
    if (open && open.state !== 'done' && (await settleClaim(deps, open)).kind !== 'released') return { kind: 'waiting' };
    const request = await getMachineRequest(deps.db, head.requestId);
    // The bot decides, for the event of this request's queue approval.
    const who = botWho(`imaging-queue:${head.requestId}`, deps.config.alertChannel?.channel ?? '');
    if (!request || request.status !== 'pending') {
      await removeQueuedRequest(deps.db, head.requestId);
      await recordRequestEvent(deps.db, {
        subject: 'machine_request',
        recordId: head.requestId,
        at: deps.now(),
        actor: who.username,
        platform: who.platform,
        action: 'dequeued',
        note: `no longer pending (${request?.status ?? 'removed'}), so not approved`,
      });
      continue;
    }
    const claim = await claimQueueApproval(deps, who, head, request);
    // Someone is deciding it at this moment (a denial): leave it to them; the next tick looks again.
    if (!claim) return { kind: 'waiting' };
    await sendQueueApproval(deps, who, claim, request.id);
    await retryWrite(deps.log.child({ machineRequestId: request.id }), 'take the approved request out of the imaging queue', () => removeQueuedRequest(deps.db, request.id));
    const { recorded } = await recordOutcome(deps, claim, {
      detail: { outcome: 'approved', queuedBy: head.queuedBy },
      history: { subject: 'machine_request', recordId: request.id, actor: who.username, platform: who.platform, action: AUTO_APPROVED, note: claim.adminMessage },
    });
    await audit(deps, who, claim, 'ok', `imaging request #${request.id} approved from the imaging queue${recorded ? '' : '; the record is completed by the reconciler'}`);
    return { kind: 'approved', head, request };
  }
}

/**
 * The job's claim on this round of the request, or null when a decision on it is already running.
 * The same journal row as a staff approval's (claim-for-decision.ts), with the bot as who decided; the
 * open claim was settled just before, so a claim taken meanwhile is someone deciding it now.
 */
async function claimQueueApproval(deps: Deps, who: Who, head: QueuedRequest, request: MachineRequestView): Promise<DecisionRow | null> {
  const claimed = await claimDecision(
    deps.db,
    decisionClaim(deps, who, {
      subject: 'machine_request',
      recordId: request.id,
      round: await nextMachineRequestRound(deps.db, request.id),
      action: 'approve',
      // Atmosphere ignores admin_message on imaging requests; this is the history row's note.
      adminMessage: `from the imaging queue; approved by ${head.queuedBy} at ${formatTimestamp(head.queuedAt)}`,
      plan: { from: 'pending', status: 'approved', event: AUTO_APPROVED },
    }),
  );
  return claimed.claimed ? claimed.row : null;
}

/** Sends the claimed approval once, as a staff approval does; the failure is audited and rethrown for the job's log line. */
async function sendQueueApproval(deps: Deps, who: Who, claim: DecisionRow, id: number): Promise<void> {
  try {
    await sendApprovalOnce(deps, claim, id);
  } catch (error) {
    const held = isUnclearOutcome(error);
    const reason = error instanceof Error ? error.message : String(error);
    await audit(deps, who, claim, held ? 'held' : 'failed', `imaging request #${id} from the imaging queue: ${held ? 'no clear answer, held' : 'refused'}: ${reason}`);
    throw error;
  }
}

async function audit(deps: Deps, who: Who, claim: DecisionRow, outcome: string, message: string): Promise<void> {
  await writeAudit(deps.db, {
    at: deps.now(),
    eventId: claim.eventId ?? `decision-${claim.id}`,
    platform: who.platform,
    chatUserId: who.chatUserId,
    atmosphereUsername: who.username,
    kind: 'job',
    name: 'imaging-queue:approve',
    input: `machine_request ${claim.recordId} approve`,
    outcome,
    message,
    detail: { decisionId: claim.id, machineRequestId: claim.recordId, round: claim.round },
    channel: claim.channel ?? '',
    messageId: null,
  }, deps.log);
}
