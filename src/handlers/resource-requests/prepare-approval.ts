import type { Deps } from '../../deps.js';
import { UserError } from '../../errors.js';
import { listIdentityQuotas, type IdentityQuota } from '../../db/queries/identity-quotas.js';
import type { ResourceRequestView } from '../../db/queries/resource-requests.js';
import type { CompleteQuota, QuotaValues } from '../../integrations/atmosphere/gateway.js';
import { decreasesOf, describeChange, describeChanges, planQuota, type ValueChange } from './plan-quota.js';
import { listAllocationSources, type AllocationSourceView } from '../../db/queries/allocation-sources.js';
import type { AllocationSpec } from './parse-allocation.js';

/** What staff asked for on approval, as the form or the command gave it. */
export interface ApprovalInput {
  /** Quota columns to change; the rest keep the identity's current values. */
  quota?: Partial<QuotaValues>;
  /** Which of the requester's identities gets the quota, by provider name or id. */
  provider?: string;
  /** The new allowance (AU) and, when the user has several, which allocation source gets it. */
  allocation?: AllocationSpec;
  /** Staff confirmed that values going down are meant. */
  confirmDecrease?: boolean;
}

export interface AllocationStep {
  source: AllocationSourceView;
  computeAllowed: number;
  change: ValueChange;
}

export interface QuotaStep {
  identity: IdentityQuota;
  values: CompleteQuota;
  changes: ValueChange[];
}

/** Everything an approval will send, worked out before anything is claimed or sent. */
export interface ApprovalPlan {
  allocation: AllocationStep | null;
  quota: QuotaStep | null;
  /** Every value, current → new, for the reply; empty when nothing but the status changes. */
  preview: string;
}

/** How staff confirm a decrease, on every platform. */
export const CONFIRM_HINT = 'write "yes" in the form\'s confirm field, or add --confirm to /atmo approve';

function describeSource(source: AllocationSourceView): string {
  return `"${source.name}" (${source.computeAllowed} AU${source.members > 1 ? `, shared by ${source.members} users` : ''})`;
}

/** Picks the allocation source that gets the new allowance. */
function pickSource(request: ResourceRequestView, sources: readonly AllocationSourceView[], named: string | undefined): AllocationSourceView {
  const who = request.requester.username;
  const fail = (message: string) => new UserError('usage', message, { field: 'allocation' });
  if (sources.length === 0) throw fail(`${who} draws on no allocation source, so there is no allocation to change. Leave the allocation empty.`);
  const all = sources.map(describeSource).join(', ');
  if (!named) {
    if (sources.length === 1) return sources[0]!;
    throw fail(`${who} draws on several allocation sources: ${all}. Say which one gets it, e.g. "1000 AU on ${sources[0]!.name}".`);
  }
  const wanted = named.toLowerCase();
  const exact = sources.filter((source) => source.name.toLowerCase() === wanted);
  const candidates = exact.length > 0 ? exact : sources.filter((source) => source.name.toLowerCase().includes(wanted));
  if (candidates.length === 1) return candidates[0]!;
  throw fail(candidates.length === 0 ? `${who} draws on no allocation source named "${named}". Theirs: ${all}.` : `"${named}" matches several of ${who}'s allocation sources (${candidates.map(describeSource).join(', ')}); give the full name.`);
}

/** Picks the requester's identity that gets the new quota. */
function pickIdentity(request: ResourceRequestView, identities: readonly IdentityQuota[], provider: string | undefined): IdentityQuota {
  const names = identities.map((i) => `"${i.provider}"`).join(', ');
  const fail = (message: string) => new UserError('usage', message, { field: 'provider' });
  if (identities.length === 0) {
    throw new UserError('conflict', `${request.requester.username} has no identity on any provider, so there is no quota to change. Approve without a quota, or create the identity first.`, { field: 'quota' });
  }
  if (!provider) {
    if (identities.length === 1) return identities[0]!;
    throw fail(`${request.requester.username} has identities on several providers (${names}); say which one gets the quota with the provider field, e.g. "${identities[0]!.provider}".`);
  }
  const wanted = provider.trim().toLowerCase();
  const exact = identities.filter((i) => String(i.providerId) === wanted || i.provider.toLowerCase() === wanted);
  const candidates = exact.length > 0 ? exact : identities.filter((i) => i.provider.toLowerCase().includes(wanted));
  if (candidates.length === 1) return candidates[0]!;
  throw fail(
    candidates.length === 0
      ? `${request.requester.username} has no identity on a provider matching "${provider}". Their providers: ${names}.`
      : `"${provider}" matches several of ${request.requester.username}'s providers (${candidates.map((c) => `"${c.provider}"`).join(', ')}); be more specific.`,
  );
}

/**
 * Works out what an approval sends, reading only: the identity and its full new quota (no NULL, no
 * value below 1), and every value current → new. A value that goes down is refused unless confirmed,
 * so no approval cuts a quota silently. Every refusal names the form field it is about.
 */
export async function prepareApproval(deps: Deps, request: ResourceRequestView, input: ApprovalInput): Promise<ApprovalPlan> {
  const who = request.requester.username;
  let allocation: AllocationStep | null = null;
  if (input.allocation) {
    const sources = (await listAllocationSources(deps.db, [request.requester.id])).get(request.requester.id) ?? [];
    const source = pickSource(request, sources, input.allocation.source);
    const amount = input.allocation.amount;
    allocation = { source, computeAllowed: amount, change: { label: `allocation ${source.name}`, unit: ' AU', from: source.computeAllowed, to: amount } };
  }
  let quota: QuotaStep | null = null;
  if (input.quota && Object.keys(input.quota).length > 0) {
    const identities = (await listIdentityQuotas(deps.db, [request.requester.id])).get(request.requester.id) ?? [];
    const identity = pickIdentity(request, identities, input.provider);
    let planned;
    try {
      planned = planQuota(identity.quota, input.quota, who);
    } catch (error) {
      if (error instanceof UserError) throw new UserError(error.code, error.message, { field: 'quota', cause: error });
      throw error;
    }
    quota = { identity, ...planned };
  } else if (input.provider) {
    throw new UserError('usage', 'A provider only makes sense with a new quota; give the quota too, or leave the provider out.', { field: 'provider' });
  }
  const preview = [
    ...(allocation ? [`Allocation: ${describeChange(allocation.change)}${allocation.source.members > 1 ? ` (shared by ${allocation.source.members} users)` : ''}`] : []),
    ...(quota ? [`Quota on ${quota.identity.provider}:\n${describeChanges(quota.changes)}`] : []),
  ].join('\n');
  const down = [...(allocation ? decreasesOf([allocation.change]) : []), ...(quota ? decreasesOf(quota.changes) : [])];
  if (down.length > 0 && !input.confirmDecrease) {
    throw new UserError(
      'usage',
      `This approval LOWERS ${who}'s ${down.map(describeChange).join(', ')}. Nothing was changed. If that is meant, ${CONFIRM_HINT}.\n${preview}`,
      { field: 'confirm' },
    );
  }
  return { allocation, quota, preview };
}
