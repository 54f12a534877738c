import { z } from 'zod';
import type { QUOTA_KEYS } from '../../model/quota-values.js';
import type { Config } from '../../config.js';
import type { Deps } from '../../deps.js';
import { UserError } from '../../errors.js';
import { findFirstApproval, recordFirstApproval, type FirstApprovalRow } from '../../db/queries/first-approvals.js';
import { recordRequestEvent } from '../../db/queries/request-events.js';
import type { ResourceRequestView } from '../../db/queries/resource-requests.js';
import { retryWrite } from '../decisions/retry-write.js';
import type { AuditDetail, Who } from '../decisions/who.js';
import { formatTimestamp } from '../format-time.js';
import { formatAu, formatGigabytes } from '../quantities.js';
import type { ApprovalInput, ApprovalPlan } from './prepare-approval.js';

export type SecondReviewThresholds = Pick<Config, 'SECOND_REVIEW_CPU' | 'SECOND_REVIEW_MEMORY_GB' | 'SECOND_REVIEW_AU'>;

/**
 * Why an approval needs a second reviewer: each value it RAISES above its threshold. A value already
 * above it and left as it is, or lowered, needs none; neither does an approval within them.
 */
export function secondReviewReasons(plan: ApprovalPlan, limits: SecondReviewThresholds): string[] {
  const reasons: string[] = [];
  const raised = (from: number | null, to: number, limit: number | undefined) => limit !== undefined && to > limit && (from === null || to > from);
  const quota = plan.quota;
  if (quota) {
    const change = (label: string) => quota.changes.find((c) => c.label === label);
    const cpu = change('cpu');
    if (cpu && raised(cpu.from, cpu.to, limits.SECOND_REVIEW_CPU)) reasons.push(`cpu ${cpu.to} is above SECOND_REVIEW_CPU (${limits.SECOND_REVIEW_CPU})`);
    const memory = change('memory');
    if (memory && raised(memory.from, memory.to, limits.SECOND_REVIEW_MEMORY_GB)) {
      reasons.push(`memory ${formatGigabytes(memory.to)} is above SECOND_REVIEW_MEMORY_GB (${formatGigabytes(limits.SECOND_REVIEW_MEMORY_GB!)})`);
    }
  }
  const allocation = plan.allocation;
  if (allocation && raised(allocation.source.computeAllowed, allocation.computeAllowed, limits.SECOND_REVIEW_AU)) {
    reasons.push(`${allocation.source.name} ${formatAu(allocation.computeAllowed)} is above SECOND_REVIEW_AU (${formatAu(limits.SECOND_REVIEW_AU!)})`);
  }
  return reasons;
}

/** The values an approval resolves to; a second approval resolving to the same values confirms the first. */
export function planKeyOf(plan: ApprovalPlan): string {
  return JSON.stringify({
    quota: plan.quota ? { identity: plan.quota.identity.identityUuid, values: plan.quota.values } : null,
    allocation: plan.allocation ? { source: plan.allocation.source.uuid, computeAllowed: plan.allocation.computeAllowed } : null,
  });
}

/** "approved first by kpatel at 2026-11-23 17:00 UTC (on slack)". */
export function describeFirstApproval(row: FirstApprovalRow): string {
  return `approved first by ${row.approvedBy} at ${formatTimestamp(row.approvedAt)} (on ${row.platform})`;
}

const positive = z.number().int().min(0);
/** The stored input, checked on the way back: a row edited by hand fails here, not at Atmosphere. */
const storedInput = z.object({
  quota: z
    .object({
      cpu: positive.optional(),
      memory: positive.optional(),
      storage: positive.optional(),
      instance_count: positive.optional(),
      snapshot_count: positive.optional(),
      storage_count: positive.optional(),
      floating_ip_count: positive.optional(),
      port_count: positive.optional(),
    } satisfies Record<(typeof QUOTA_KEYS)[number], z.ZodType>)
    .optional(),
  provider: z.string().optional(),
  allocation: z.object({ amount: positive, source: z.string().optional() }).optional(),
  confirmDecrease: z.boolean().optional(),
});

/** What the first approver asked for, as it was stored: what a confirmation sends. */
export function approvalInputOf(row: FirstApprovalRow): ApprovalInput {
  const parsed = storedInput.safeParse(row.input);
  if (!parsed.success) throw new Error(`first approval ${row.id} holds an input the bot did not write: ${parsed.error.message}`);
  const { quota, provider, allocation, confirmDecrease } = parsed.data;
  return {
    ...(quota ? { quota: Object.fromEntries(Object.entries(quota).filter(([, value]) => value !== undefined)) } : {}),
    ...(provider ? { provider } : {}),
    ...(allocation ? { allocation: { amount: allocation.amount, ...(allocation.source ? { source: allocation.source } : {}) } } : {}),
    ...(confirmDecrease ? { confirmDecrease } : {}),
  };
}

/** `recorded` carries what the event's audit row says of the first approval. */
export type SecondReviewStep = { kind: 'recorded'; row: FirstApprovalRow; audit: AuditDetail } | { kind: 'confirm'; row: FirstApprovalRow };

/**
 * For an approval that needs a second reviewer: records it as the first approval when there is none
 * (nothing is sent to Atmosphere), or, when one is waiting, lets it through as the confirmation if it
 * is by someone else and resolves to the same values. The first approver cannot confirm their own,
 * and different values are refused with what waits, so nobody approves something the first reviewer
 * never saw. A first approval that lost a simultaneous race is told who was first.
 */
export async function recordOrConfirm(
  deps: Deps,
  who: Who,
  request: ResourceRequestView,
  input: ApprovalInput & { message: string },
  plan: ApprovalPlan,
  reasons: readonly string[],
): Promise<SecondReviewStep> {
  const key = planKeyOf(plan);
  const waiting = await findFirstApproval(deps.db, request.id);
  if (waiting) return { kind: 'confirm', row: checkConfirmer(who, request.id, waiting, key) };
  const stored: ApprovalInput = {
    ...(input.quota ? { quota: input.quota } : {}),
    ...(input.provider ? { provider: input.provider } : {}),
    ...(input.allocation ? { allocation: input.allocation } : {}),
    ...(input.confirmDecrease ? { confirmDecrease: true } : {}),
  };
  const { recorded, row } = await recordFirstApproval(deps.db, {
    requestId: request.id,
    approvedBy: who.username,
    platform: who.platform,
    chatUserId: who.chatUserId,
    approvedAt: deps.now(),
    adminMessage: input.message,
    input: { ...stored },
    summary: `${plan.preview}\nNeeds a second reviewer: ${reasons.join('; ')}.`,
    planKey: key,
    eventId: who.eventId,
    channel: who.channel,
    messageId: who.messageId,
  });
  if (!recorded) return { kind: 'confirm', row: checkConfirmer(who, request.id, row, key) };
  await retryWrite(deps.log, 'first approval history', () =>
    recordRequestEvent(deps.db, {
      subject: 'resource_request',
      recordId: request.id,
      at: row.approvedAt,
      actor: row.approvedBy,
      platform: row.platform,
      action: 'first-approved',
      note: reasons.join('; '),
    }),
  ).catch((error: unknown) => deps.log.error({ err: error }, 'could not write the first approval to the history'));
  return { kind: 'recorded', row, audit: { decision: 'first_approval', requestId: request.id, needs: reasons } };
}

/** Refuses the first approver, and an approval of other values than the ones waiting. */
function checkConfirmer(who: Who, id: number, row: FirstApprovalRow, key: string): FirstApprovalRow {
  if (row.approvedBy === who.username) {
    throw new UserError('self_approval', `You approved request #${id} first (at ${formatTimestamp(row.approvedAt)}); a second staff member, not you, has to confirm it. Nothing was sent.`);
  }
  if (row.planKey !== key) {
    throw new UserError(
      'conflict',
      `Request #${id} was ${describeFirstApproval(row)} with other values, and waits for a second reviewer:\n${row.summary}\nConfirm exactly that (the Confirm button, or /atmo confirm ${id}), or deny it. Nothing was sent.`,
    );
  }
  return row;
}

/** The first approval waiting on a request, for `/atmo confirm` and the Confirm button; refuses when none waits. */
export async function waitingFirstApproval(deps: Deps, who: Who, id: number): Promise<FirstApprovalRow> {
  const row = await findFirstApproval(deps.db, id);
  if (!row) throw new UserError('not_found', `Request #${id} has no first approval waiting for a second reviewer. /atmo request ${id} shows it.`);
  if (row.approvedBy === who.username) {
    throw new UserError('self_approval', `You approved request #${id} first (at ${formatTimestamp(row.approvedAt)}); a second staff member, not you, has to confirm it. Nothing was sent.`);
  }
  return row;
}
