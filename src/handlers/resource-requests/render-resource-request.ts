import { clipText } from '../clip-text.js';
import type { Button, Field, Reply, Section } from '../../bot/chat/reply.js';
import type { DecisionRow } from '../../db/queries/decisions.js';
import type { IdentityQuota } from '../../db/queries/identity-quotas.js';
import type { ResourceRequestView } from '../../db/queries/resource-requests.js';
import { formatAge, formatAgo, formatTimestamp } from '../format-time.js';
import { formatQuota } from './parse-quota-spec.js';
import { describeClaim } from '../decisions/describe-claim.js';
import type { AllocationSourceView } from '../../db/queries/allocation-sources.js';
import { describeAsk, describeAskSideBySide } from './parse-request-text.js';
import type { RequesterContext } from '../../db/queries/requester-context.js';
import { secondReviewButtons } from './second-review-reply.js';
import { accountField, allocationField, earlierRequestsField, providerFields, recentInstancesField } from './render-requester-context.js';

/** Longest free text shown per request in a list; the detail view shows all of it. */
const LIST_TEXT_LIMIT = 300;

export const APPROVE_ACTION = 'rr:approve';
export const DENY_ACTION = 'rr:deny';
export const CLOSE_ACTION = 'rr:close';

/** Which message a button sits on: one request (`12`) or the pending list (`12:list`). */
export type RequestView = 'single' | 'list';

export function requestButtons(id: number, view: RequestView): Button[] {
  const value = view === 'list' ? `${id}:list` : String(id);
  return [
    { label: 'Approve', action: APPROVE_ACTION, value, style: 'primary' },
    { label: 'Deny', action: DENY_ACTION, value, style: 'danger' },
    // One request's message only: the list keeps two buttons per request within the platforms' limits.
    ...(view === 'single' ? [{ label: 'Close (duplicate or withdrawn)', action: CLOSE_ACTION, value }] : []),
  ];
}


function quotaLines(quotas: readonly IdentityQuota[] | undefined): string {
  if (!quotas || quotas.length === 0) return 'No identities on any provider.';
  return quotas.map((q) => `${q.provider}: ${formatQuota(q.quota)}`).join('\n');
}

function allocationLines(sources: readonly AllocationSourceView[] | undefined): string {
  if (!sources || sources.length === 0) return 'No allocation source.';
  return sources
    .map((source) => `${source.name}: ${source.computeAllowed} AU allowed${source.members > 1 ? `, shared by ${source.members} users` : ''}${source.endDate ? `, ends ${formatTimestamp(source.endDate)}` : ''}`)
    .join('\n');
}

/** ", as the second reviewer of kpatel's first approval" for a large grant confirmed by a second person. */
function secondReviewNote(decision: DecisionRow): string {
  const first = decision.plan?.firstApprovedBy;
  return typeof first === 'string' ? `, as the second reviewer of ${first}'s first approval` : '';
}

/** One line naming who decided what and when, for footers and "already decided" replies. */
export function describeDecision(decision: DecisionRow): string {
  return describeClaim(decision);
}

/** The `/atmo requests` message: every pending request with its quotas and buttons. */
export function renderPendingList(input: {
  rows: readonly ResourceRequestView[];
  total: number;
  quotas: ReadonlyMap<number, IdentityQuota[]>;
  allocations?: ReadonlyMap<number, AllocationSourceView[]>;
  now: Date;
  note?: string;
}): Reply {
  const { rows, total, quotas, now } = input;
  if (rows.length === 0) {
    return {
      text: `${input.note ? `${input.note}\n` : ''}No resource requests are waiting. Nice.`,
      title: 'Pending resource requests',
      visibility: 'channel',
      tone: 'success',
    };
  }
  const sections: Section[] = rows.map((row) => {
    const readAs = describeAskSideBySide(row.request);
    return {
      text: [
        `#${row.id} · ${row.requester.username}${row.requester.email ? ` (${row.requester.email})` : ''} · waiting ${formatAge(row.startDate, now)}`,
        `Asks for: ${clipText(row.request, LIST_TEXT_LIMIT, `/atmo request ${row.id}`)}`,
        ...(readAs ? [`Read as: ${readAs}`] : []),
        `Why: ${clipText(row.description, LIST_TEXT_LIMIT, `/atmo request ${row.id}`)}`,
        `Current quota:\n${quotaLines(quotas.get(row.requester.id))}`,
        ...(input.allocations ? [`Allocation:\n${allocationLines(input.allocations.get(row.requester.id))}`] : []),
      ].join('\n'),
      buttons: requestButtons(row.id, 'list'),
      fullTextAt: `/atmo request ${row.id}`,
    };
  });
  const more = total > rows.length ? ` Showing the oldest ${rows.length}; /atmo request <id> shows any one.` : '';
  return {
    title: 'Pending resource requests',
    text: `${input.note ? `${input.note}\n` : ''}${total} pending resource request${total === 1 ? '' : 's'}, oldest first.${more}`,
    sections,
    visibility: 'channel',
  };
}

/** The `/atmo request <id>` message, and the same request after a decision (no buttons then). */
export function renderRequestDetail(input: {
  request: ResourceRequestView;
  quotas: readonly IdentityQuota[];
  allocations: readonly AllocationSourceView[];
  decision: DecisionRow | null;
  /** What the requester uses, their allocation's burn, their account and earlier requests. */
  context: RequesterContext;
  now: Date;
  /** Troposphere's emulation page for the requester, when configured. */
  emulateUrl?: string;
}): Reply {
  const { request, decision, context, now } = input;
  const fields: Field[] = [
    { label: 'Requester', value: `${request.requester.username}${request.requester.email ? ` (${request.requester.email})` : ''}` },
    { label: 'Status', value: request.status },
    { label: 'Submitted', value: `${formatTimestamp(request.startDate)} (${formatAgo(request.startDate, now)})` },
    { label: 'Asks for', value: request.request || '(empty)' },
    { label: 'Why', value: request.description || '(empty)' },
    ...(describeAsk(request.request) ? [{ label: 'Read as', value: describeAsk(request.request) }] : []),
    accountField(context, now),
    ...providerFields(input.quotas, context),
    ...(recentInstancesField(context, request.requester.username, now) ? [recentInstancesField(context, request.requester.username, now)!] : []),
    allocationField(input.allocations, context, now),
    earlierRequestsField(context),
  ];
  if (request.endDate) fields.push({ label: 'Closed', value: formatTimestamp(request.endDate) });
  if (request.adminMessage) fields.push({ label: 'Staff message', value: request.adminMessage });
  if (input.emulateUrl) fields.push({ label: 'Emulate requester', value: input.emulateUrl });
  // The detail is where a request is read whole: the bot's message stays as written.
  if (decision) fields.push({ label: 'History', value: `Bot: ${describeDecision(decision)}${decision.adminMessage ? ` with the message "${decision.adminMessage}"` : ''}.` });
  const pending = request.status === 'pending' && (!decision || decision.state !== 'done');
  const first = pending && !decision ? context.firstApproval : null;
  if (first) {
    fields.push({
      label: 'Awaiting a second reviewer',
      value: `Approved first by ${first.approvedBy} at ${formatTimestamp(first.approvedAt)} (on ${first.platform}); nothing is sent to Atmosphere until another staff member confirms.\n${first.summary}`,
    });
  }
  // Waiting on a second reviewer, the next click is Confirm; Deny and Close stay for anyone.
  const buttons = first ? [...secondReviewButtons(request.id), ...requestButtons(request.id, 'single').filter((b) => b.action === CLOSE_ACTION)] : requestButtons(request.id, 'single');
  return {
    title: `Resource request #${request.id}`,
    text: `Resource request #${request.id} from ${request.requester.username}: ${request.status}${first ? `, approved first by ${first.approvedBy}, awaiting a second reviewer` : ''}`,
    fields,
    ...(pending ? { buttons } : {}),
    ...(decision && decision.state === 'done' ? { footer: `Request ${describeDecision(decision)}${secondReviewNote(decision)}.`, tone: decision.action === 'approve' ? 'success' : 'warning' } : {}),
    visibility: 'channel',
  };
}
