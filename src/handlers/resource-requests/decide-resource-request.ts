import type { Deps } from '../../deps.js';
import { IntegrationError, UserError } from '../../errors.js';
import { releaseDecision, type DecisionRow } from '../../db/queries/decisions.js';
import { alreadyDecided, claimForDecision } from '../decisions/claim-for-decision.js';
import type { AuditDetail, Progress, Who } from '../decisions/who.js';
import { recordOutcome } from '../decisions/record-outcome.js';
import { sendOnce } from '../decisions/send-once.js';
import { isUnclearOutcome } from '../decisions/unclear-outcome.js';
import { settleClaim } from '../decisions/settle-claim.js';
import { getResourceRequest, getResourceRequestAndDecision, resourceRequestStatusOf, type ResourceRequestView } from '../../db/queries/resource-requests.js';
import { formatQuota } from './parse-quota-spec.js';
import { prepareApproval, type ApprovalInput, type ApprovalPlan } from './prepare-approval.js';
import type { FirstApprovalRow } from '../../db/queries/first-approvals.js';
import { recordOrConfirm, secondReviewReasons } from './second-review.js';

/** `close`: a duplicate or withdrawn request, closed without an e-mail (Atmosphere sends none for `closed`). */
export type ResourceDecision = 'approve' | 'deny' | 'close';

const STATUS_OF: Record<ResourceDecision, 'approved' | 'denied' | 'closed'> = { approve: 'approved', deny: 'denied', close: 'closed' };

export interface DecisionInput extends ApprovalInput {
  id: number;
  decision: ResourceDecision;
  /** E-mailed to the user by Atmosphere as the reason (kept, not e-mailed, on a close). */
  message: string;
}

export interface DecisionResult {
  kind: 'decided';
  request: ResourceRequestView;
  /** The first approval this decision confirmed, for a grant large enough to need two reviewers. */
  firstApproval?: FirstApprovalRow;
  decision: DecisionRow;
  /** Set when a quota was assigned: on which provider and what. */
  quotaNote?: string;
  /** Every value the approval changed, current → new; empty when only the status changed. */
  preview: string;
  /** False when Atmosphere applied it but the bot's database did not take the record (yet). */
  recorded: boolean;
  /** What the event's audit row says of the decision. */
  audit: AuditDetail;
}

/** A large grant's first approval: recorded, nothing sent to Atmosphere, waiting for a second reviewer. */
export interface AwaitingSecondReview {
  kind: 'awaiting';
  request: ResourceRequestView;
  first: FirstApprovalRow;
  audit: AuditDetail;
}

/**
 * Checks that a request can be decided by `who` now. Shared by the button precheck (so a refusal
 * comes before any form) and the decision itself. A claim of the bot's that was left unfinished is
 * settled against Atmosphere first, so "decided outside the bot" is said only when the bot has no
 * claim on it. Throws a UserError that says why not. The caller tags its audit row with the id first
 * (`requestId`), so `/atmo audit request <id>` finds refusals too.
 */
export async function checkDecidable(deps: Deps, who: Who, id: number): Promise<ResourceRequestView> {
  // The request and any journal row on it come in one statement.
  const found = await getResourceRequestAndDecision(deps.db, id);
  if (!found) throw new UserError('not_found', `There is no resource request #${id}. /atmo requests lists the pending ones.`);
  const { request, decision: existing } = found;
  if (existing) {
    const settled = await settleClaim(deps, existing);
    if (settled.kind !== 'released') throw alreadyDecided(deps, `Request #${id}`, settled);
  }
  if (request.status !== 'pending') {
    throw new UserError(
      'already_decided',
      `Request #${id} is already ${request.status}${request.endDate ? ` (since ${request.endDate.toISOString().slice(0, 10)})` : ''}, decided outside the bot. Nothing more was done.`,
    );
  }
  if (who.userId !== null && request.requester.id === who.userId) {
    throw new UserError('self_approval', `Request #${id} is your own; another staff member has to decide it.`);
  }
  // Maintenance or no API: said before the form opens, not after it was filled in.
  await deps.gateway.checkWritable();
  return request;
}

/**
 * Approves or denies a resource request exactly once. The decision is claimed in the journal, with
 * what is about to be sent, before any API call, so of any number of simultaneous clicks only one
 * reaches Atmosphere; the rest are told who decided. A clear refusal gives the claim back; an unclear
 * answer holds it (send-once.ts), so a retry re-reads Atmosphere instead of sending again. Each
 * change that reaches Atmosphere before the status goes to `progress` as it lands.
 */
export async function decideResourceRequest(deps: Deps, who: Who, input: DecisionInput, progress: Progress = () => {}): Promise<DecisionResult | AwaitingSecondReview> {
  const request = await checkDecidable(deps, who, input.id);
  const what = `Request #${input.id}`;
  const status = STATUS_OF[input.decision];

  // Work out everything the approval sends before claiming anything, so bad input changes nothing.
  const approval: ApprovalPlan = input.decision === 'approve' ? await prepareApproval(deps, request, input) : { allocation: null, quota: null, preview: '' };
  // A grant above a SECOND_REVIEW_* threshold: the first approval is only recorded; the second, by
  // someone else with the same values, goes on below through the journal like any approval.
  let first: FirstApprovalRow | undefined;
  if (input.decision === 'approve') {
    const reasons = secondReviewReasons(approval, deps.config);
    if (reasons.length > 0) {
      const step = await recordOrConfirm(deps, who, request, input, approval, reasons);
      if (step.kind === 'recorded') return { kind: 'awaiting', request, first: step.row, audit: step.audit };
      first = step.row;
    }
  }
  // A confirmation e-mails the first approver's message unless the second reviewer wrote one.
  const message = first && !input.message ? first.adminMessage : input.message;
  const quotaPlan = approval.quota;
  const allocationPlan = approval.allocation;
  const allocationText = allocationPlan ? `${allocationPlan.source.name}: ${allocationPlan.computeAllowed} AU (was ${allocationPlan.source.computeAllowed})` : undefined;

  const claim = await claimForDecision(deps, who, {
    subject: 'resource_request',
    recordId: input.id,
    round: 0,
    action: input.decision,
    adminMessage: message,
    plan: {
      from: 'pending',
      status,
      ...(first ? { firstApprovedBy: first.approvedBy } : {}),
      ...(quotaPlan ? { quota: `${quotaPlan.identity.provider}: ${formatQuota(quotaPlan.values)}` } : {}),
      ...(allocationText ? { allocation: allocationText } : {}),
    },
    what,
  });

  let quotaNote: string | undefined;
  let allocationNote: string | undefined;
  // What reached Atmosphere before a later step failed, so the failure says it truthfully.
  const done: string[] = [];
  try {
    // Someone may have decided it in Troposphere between our check and our claim. With nothing to
    // send before the status, the mark before the PATCH checks that in the same statement (below).
    if (allocationPlan || quotaPlan) {
      const fresh = await getResourceRequest(deps.db, input.id);
      if (!fresh || fresh.status !== 'pending') throw decidedMeanwhile(input.id, fresh?.status ?? null);
    }
    if (allocationPlan) {
      // First, as Troposphere's admin page grants the allocation before the quota and the status.
      // Setting the same allowance again changes nothing more, so a repeat after an unclear answer is safe.
      const { source, computeAllowed } = allocationPlan;
      try {
        await deps.gateway.setAllocationComputeAllowed({ uuid: source.uuid, name: source.name, computeAllowed });
      } catch (error) {
        if (isUnclearOutcome(error)) throw withDetail(error, `The allowance of ${source.name} may have been set to ${computeAllowed} AU; approving again sends the same value, which is safe`);
        throw error;
      }
      allocationNote = allocationText;
      done.push(`${source.name}'s allowance WAS set to ${computeAllowed} AU`);
      progress({ allocationSource: source.uuid, computeAllowed, computeAllowedBefore: source.computeAllowed });
    }
    if (quotaPlan) {
      // Both steps are safe to repeat: the same values find the same quota row.
      const quota = await deps.gateway.findOrCreateQuota(quotaPlan.values);
      await deps.gateway.assignQuota({ identityUuid: quotaPlan.identity.identityUuid, username: request.requester.username, quotaId: quota.id });
      quotaNote = `${quotaPlan.identity.provider}: ${formatQuota(quotaPlan.values)} (quota #${quota.id}${quota.created ? ', new' : ''})`;
      done.push(`the new quota WAS assigned to ${request.requester.username}'s identity`);
      progress({ quotaId: quota.id, quotaCreated: quota.created, identity: quotaPlan.identity.identityUuid });
    }
  } catch (error) {
    // Nothing of the decision itself was sent: give the claim back.
    await releaseDecision(deps.db, claim.id).catch((releaseError: unknown) => deps.log.error({ err: releaseError }, 'could not give the decision claim back'));
    throw done.length > 0 ? withDetail(error, alreadyDone(done)) : error;
  }

  try {
    await sendOnce(deps, claim, what, () => deps.gateway.setResourceRequestStatus({ id: input.id, status, adminMessage: message }), {
      stillAsPlanned: { state: resourceRequestStatusOf(input.id), expected: 'pending', refusal: (current) => decidedMeanwhile(input.id, current, done) },
    });
  } catch (error) {
    // Say exactly what did happen, so staff don't grant twice or think it was lost.
    throw done.length > 0 ? withDetail(error, alreadyDone(done)) : error;
  }

  // Atmosphere has decided and e-mailed the user: from here on, bookkeeping failures are logged and
  // left to the reconciler, never reported as "nothing was done".
  const audit: AuditDetail = { decision: input.decision, requestId: input.id, ...(first ? { firstApprovedBy: first.approvedBy } : {}) };
  const detail = {
    ...(quotaNote ? { quota: quotaNote } : {}),
    ...(allocationNote ? { allocation: allocationNote } : {}),
    ...(first ? { firstApprovedBy: first.approvedBy, firstApprovedAt: first.approvedAt.toISOString() } : {}),
  };
  const historyNote = [message, first ? `second review of ${first.approvedBy}'s approval` : ''].filter(Boolean).join(' · ');
  const { recorded, at } = await recordOutcome(deps, claim, {
    ...(Object.keys(detail).length > 0 ? { detail } : {}),
    history: {
      subject: 'resource_request',
      recordId: input.id,
      actor: who.username,
      platform: who.platform,
      action: status,
      ...(historyNote ? { note: historyNote } : {}),
    },
  });
  if (!recorded) audit['recordPending'] = true;
  return {
    kind: 'decided',
    audit,
    request,
    decision: { ...claim, state: 'done', completedAt: at },
    recorded,
    preview: approval.preview,
    ...(quotaNote ? { quotaNote } : {}),
    ...(first ? { firstApproval: first } : {}),
  };
}

/**
 * The refusal for a request decided in Troposphere (or removed: `status` null) after the bot read it,
 * saying what of the approval had already reached Atmosphere, if anything.
 */
function decidedMeanwhile(id: number, status: string | null, done: readonly string[] = []): UserError {
  const tail = done.length > 0 ? `Its status was not sent, but ${done.join(' and ')}.` : 'Nothing more was done.';
  return new UserError('already_decided', `Request #${id} was ${status ?? 'removed'} outside the bot a moment ago. ${tail}`);
}

function alreadyDone(done: readonly string[]): string {
  return `${done.join(' and ')} (repeating the approval sends the same values, which is safe)`;
}

/** The same failure with what did happen noted for staff; other errors pass unchanged. */
function withDetail(error: unknown, note: string): unknown {
  return error instanceof IntegrationError ? error.withNote(note) : error;
}
