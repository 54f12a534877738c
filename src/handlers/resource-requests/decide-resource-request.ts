import type { ChatEvent } from '../../bot/chat/chat-event.js';
import type { HandlerContext, ActingContext } from '../../bot/chat/command.js';
import { IntegrationError, UserError } from '../../errors.js';
import { claimDecision, completeDecision, findDecision, isAbandonedClaim, releaseDecision, type DecisionRow } from '../../db/queries/decisions.js';
import { recordRequestEvent } from '../../db/queries/request-events.js';
import { getResourceRequest, listIdentityQuotas, type IdentityQuota, type ResourceRequestView } from '../../db/queries/resource-requests.js';
import type { QuotaValues } from '../../integrations/atmosphere/gateway.js';
import { describeDecision } from './render-resource-request.js';
import { formatQuota, mergeQuota } from './parse-quota-spec.js';

export type ResourceDecision = 'approve' | 'deny';

export interface DecisionInput {
  id: number;
  decision: ResourceDecision;
  /** E-mailed to the user by Atmosphere as the reason. */
  message: string;
  /** Quota columns to change on approval; the rest keep the identity's current values. */
  quota?: Partial<QuotaValues>;
  /** Which of the requester's identities gets the quota, by provider name or id. */
  provider?: string;
}

export interface DecisionResult {
  request: ResourceRequestView;
  decision: DecisionRow;
  /** Set when a quota was assigned: on which provider and what. */
  quotaNote?: string;
}

/**
 * Checks that a request can be decided by this actor now. Shared by the button precheck (so a refusal
 * comes before any form) and the decision itself. Throws a UserError that says why not.
 */
export async function checkDecidable(ctx: HandlerContext, id: number): Promise<ResourceRequestView> {
  const request = await getResourceRequest(ctx.deps.db, id);
  if (!request) throw new UserError('not_found', `There is no resource request #${id}. /atmo requests lists the pending ones.`);
  const decided = await findDecision(ctx.deps.db, 'resource_request', id);
  if (decided && !isAbandonedClaim(decided, ctx.deps.now())) throw new UserError('already_decided', `Request #${id} ${describeDecision(decided)}. Nothing more was done.`);
  if (request.status !== 'pending') {
    throw new UserError(
      'already_decided',
      `Request #${id} is already ${request.status}${request.endDate ? ` (since ${request.endDate.toISOString().slice(0, 10)})` : ''}, decided outside the bot. Nothing more was done.`,
    );
  }
  if (ctx.actor && request.requester.id === ctx.actor.userId) {
    throw new UserError('self_approval', `Request #${id} is your own; another staff member has to decide it.`);
  }
  return request;
}

/** Picks the requester's identity that gets the new quota. */
function pickIdentity(request: ResourceRequestView, identities: readonly IdentityQuota[], provider: string | undefined): IdentityQuota {
  const names = identities.map((i) => `"${i.provider}"`).join(', ');
  if (identities.length === 0) {
    throw new UserError('conflict', `${request.requester.username} has no identity on any provider, so there is no quota to change. Approve without a quota, or create the identity first.`);
  }
  if (!provider) {
    if (identities.length === 1) return identities[0]!;
    throw new UserError('usage', `${request.requester.username} has identities on several providers (${names}); say which one gets the quota with the provider field.`);
  }
  const wanted = provider.trim().toLowerCase();
  const exact = identities.filter((i) => String(i.providerId) === wanted || i.provider.toLowerCase() === wanted);
  const candidates = exact.length > 0 ? exact : identities.filter((i) => i.provider.toLowerCase().includes(wanted));
  if (candidates.length === 1) return candidates[0]!;
  throw new UserError(
    'usage',
    candidates.length === 0
      ? `${request.requester.username} has no identity on a provider matching "${provider}". Their providers: ${names}.`
      : `"${provider}" matches several of ${request.requester.username}'s providers (${candidates.map((c) => `"${c.provider}"`).join(', ')}); be more specific.`,
  );
}

/**
 * Approves or denies a resource request exactly once. The decision is claimed in the bot's table
 * before any API call, so of any number of simultaneous clicks only one reaches Atmosphere; the rest
 * are told who decided. A failed API call gives the claim back so someone can try again.
 */
export async function decideResourceRequest(ctx: ActingContext<ChatEvent>, input: DecisionInput): Promise<DecisionResult> {
  const { deps } = ctx;
  const actor = ctx.actor;
  const request = await checkDecidable(ctx, input.id);

  // Work out the quota before claiming anything, so bad input changes nothing.
  let quotaPlan: { identity: IdentityQuota; values: QuotaValues } | null = null;
  if (input.decision === 'approve' && input.quota && Object.keys(input.quota).length > 0) {
    const identities = (await listIdentityQuotas(deps.db, [request.requester.id])).get(request.requester.id) ?? [];
    const identity = pickIdentity(request, identities, input.provider);
    quotaPlan = { identity, values: mergeQuota(identity.quota, input.quota) };
  } else if (input.provider && input.decision === 'approve') {
    throw new UserError('usage', 'A provider only makes sense with a new quota; give the quota too, or leave the provider out.');
  }

  const claim = await claimDecision(deps.db, {
    subject: 'resource_request',
    recordId: input.id,
    round: 0,
    action: input.decision,
    decidedBy: actor.username,
    platform: ctx.event.platform,
    chatUserId: ctx.event.user.id,
    decidedAt: deps.now(),
    adminMessage: input.message,
  });
  if (!claim.claimed) {
    throw new UserError('already_decided', `Request #${input.id} ${describeDecision(claim.row)}. Nothing more was done.`);
  }

  let quotaAssigned = false;
  let quotaNote: string | undefined;
  try {
    // Someone may have decided it in Troposphere between our check and our claim.
    const fresh = await getResourceRequest(deps.db, input.id);
    if (!fresh || fresh.status !== 'pending') {
      throw new UserError('already_decided', `Request #${input.id} was ${fresh?.status ?? 'removed'} outside the bot a moment ago. Nothing more was done.`);
    }
    if (quotaPlan) {
      const quota = await deps.gateway.findOrCreateQuota(quotaPlan.values);
      await deps.gateway.assignQuota({ identityUuid: quotaPlan.identity.identityUuid, username: request.requester.username, quotaId: quota.id });
      quotaAssigned = true;
      quotaNote = `${quotaPlan.identity.provider}: ${formatQuota(quotaPlan.values)} (quota #${quota.id}${quota.created ? ', new' : ''})`;
      ctx.audit({ quotaId: quota.id, quotaCreated: quota.created, identity: quotaPlan.identity.identityUuid });
    }
    await deps.gateway.setResourceRequestStatus({
      id: input.id,
      status: input.decision === 'approve' ? 'approved' : 'denied',
      adminMessage: input.message,
    });
  } catch (error) {
    await releaseDecision(deps.db, claim.row.id).catch((releaseError: unknown) => ctx.log.error({ err: releaseError }, 'could not give the decision claim back'));
    if (quotaAssigned && error instanceof IntegrationError) {
      // Say exactly what did happen, so staff don't assign the quota twice or think it was lost.
      throw new IntegrationError(error.service, error.message, {
        ...(error.status !== undefined ? { status: error.status } : {}),
        detail: `${error.detail ?? error.message}. The new quota WAS assigned to ${request.requester.username}'s identity, but request #${input.id} is still pending: approve it again (the quota step will find the same quota).`,
        cause: error,
      });
    }
    throw error;
  }

  // Atmosphere has decided and e-mailed the user: from here on, bookkeeping failures are logged, never
  // reported as "nothing was done".
  const at = deps.now();
  ctx.audit({ decision: input.decision, requestId: input.id });
  await completeDecision(deps.db, claim.row.id, at, quotaNote ? { quota: quotaNote } : undefined).catch((error: unknown) =>
    ctx.log.error({ err: error, requestId: input.id }, 'the decision was made but could not be marked done'),
  );
  await recordRequestEvent(deps.db, {
    subject: 'resource_request',
    recordId: input.id,
    at,
    actor: actor.username,
    platform: ctx.event.platform,
    action: input.decision === 'approve' ? 'approved' : 'denied',
    ...(input.message ? { note: input.message } : {}),
  }).catch((error: unknown) => ctx.log.error({ err: error, requestId: input.id }, 'could not record the decision in the request history'));
  return { request, decision: { ...claim.row, state: 'done', completedAt: at }, ...(quotaNote ? { quotaNote } : {}) };
}
