import { UserError } from '../../errors.js';
import type { Deps } from '../../deps.js';
import { claimDecision, type DecisionClaim, type DecisionRow, type DecisionSubject } from '../../db/queries/decisions.js';
import { describeClaim } from './describe-claim.js';
import type { DecisionPlan } from './read-atmosphere-outcome.js';
import { settleClaim, type Settlement } from './settle-claim.js';
import type { Who } from './who.js';

export interface DecisionRequest {
  subject: DecisionSubject;
  recordId: number;
  round: number;
  action: string;
  adminMessage: string;
  plan: DecisionPlan;
  /** "Request #12", "Imaging request #7": how replies name the record. */
  what: string;
}

/** The journal row of `who`'s decision: the plan, and the event it came from. */
export function decisionClaim(deps: Deps, who: Who, request: Omit<DecisionRequest, 'what'>): DecisionClaim {
  return {
    subject: request.subject,
    recordId: request.recordId,
    round: request.round,
    action: request.action,
    decidedBy: who.username,
    platform: who.platform,
    chatUserId: who.chatUserId,
    decidedAt: deps.now(),
    adminMessage: request.adminMessage,
    plan: { ...request.plan },
    eventId: who.eventId,
    channel: who.channel,
    messageId: who.messageId,
  };
}

/**
 * Claims a decision in the journal before anything is sent, recording the plan and who decided.
 * When a claim already exists it is settled first (settle-claim.ts re-reads Atmosphere): a claim
 * whose change landed is recorded as its author's and this click is told so; one that may still land
 * stays held and nothing is sent again; one that never landed is given back and this click claims.
 */
export async function claimForDecision(deps: Deps, who: Who, request: DecisionRequest): Promise<DecisionRow> {
  const claim = decisionClaim(deps, who, request);
  const first = await claimDecision(deps.db, claim);
  if (first.claimed) return first.row;
  const settled = await settleClaim(deps, first.row);
  if (settled.kind !== 'released') throw alreadyDecided(deps, request.what, settled);
  const second = await claimDecision(deps.db, claim);
  if (second.claimed) return second.row;
  throw alreadyDecided(deps, request.what, { kind: 'busy', row: second.row });
}

/**
 * The refusal for a click that came after someone else's decision, in whatever state it is; counted
 * under the decision it ran into.
 */
export function alreadyDecided(deps: Deps, what: string, settled: Exclude<Settlement, { kind: 'released' }>): UserError {
  deps.metrics.decision(settled.row.subject, settled.row.action, 'already_decided');
  const tail = settled.kind === 'held' ? 'Nothing was sent again.' : 'Nothing more was done.';
  return new UserError('already_decided', `${what} ${describeClaim(settled.row)}. ${tail}`);
}
