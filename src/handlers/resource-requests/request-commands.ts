import { z } from 'zod';
import { defineCommand, type ActingContext } from '../../bot/chat/command.js';
import { UserError } from '../../errors.js';
import { recordId } from '../record-id.js';
import { decideResourceRequest, type AwaitingSecondReview, type DecisionInput, type DecisionResult } from './decide-resource-request.js';
import type { Reply } from '../../bot/chat/reply.js';
import { awaitingSecondReviewReply } from './second-review-reply.js';
import { approvalInputOf, describeFirstApproval, waitingFirstApproval } from './second-review.js';
import { afterDecisionNotes } from '../decisions/outcome-notes.js';
import { decideFor, whoOf } from '../decisions/who.js';
import type { ChatEvent } from '../../bot/chat/chat-event.js';
import { buildPendingList, buildRequestDetail } from './refresh-request-message.js';
import { parseQuotaSpec } from './parse-quota-spec.js';
import { parseAllocationSpec } from './parse-allocation.js';
import { describeDecision } from './render-resource-request.js';
import { flagArg } from '../flag-arg.js';

/** Decides for the event's staff member; the audit row is tagged with the request first. */
function decide(ctx: ActingContext<ChatEvent>, input: DecisionInput): Promise<DecisionResult | AwaitingSecondReview> {
  return decideFor(ctx, { requestId: input.id }, (deps, who, progress) => decideResourceRequest(deps, who, input, progress));
}

/** Denials and closes never wait for a second reviewer. */
async function decided(pending: Promise<DecisionResult | AwaitingSecondReview>): Promise<DecisionResult> {
  const result = await pending;
  if (result.kind !== 'decided') throw new Error('a denial or close was held for a second reviewer');
  return result;
}

export const listRequestsCommand = defineCommand({
  name: 'requests',
  summary: 'List pending resource (quota/allocation) requests with Approve and Deny buttons',
  usage: '/atmo requests',
  options: [],
  args: z.object({}),
  permission: 'staff',
  run: (ctx) => buildPendingList(ctx),
});

export const showRequestCommand = defineCommand({
  name: 'request',
  summary: 'Show one resource request with its history',
  usage: '/atmo request <id>',
  options: [{ name: 'id', description: 'Resource request id', type: 'integer', required: true }],
  args: z.object({ id: recordId('resource request') }),
  permission: 'staff',
  async run(ctx, args) {
    ctx.audit({ requestId: args.id });
    const detail = await buildRequestDetail(ctx, args.id);
    if (!detail) throw new UserError('not_found', `There is no resource request #${args.id}. /atmo requests lists the pending ones.`);
    return detail;
  },
});

const quotaOption = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined || text.trim() === '') return undefined;
    const parsed = parseQuotaSpec(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }
    return parsed.values;
  });

const allocationOption = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined || text.trim() === '') return undefined;
    const parsed = parseAllocationSpec(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }
    return parsed.value;
  });

export const approveRequestCommand = defineCommand({
  name: 'approve',
  summary: 'Approve a resource request, optionally with a message, a new quota and a new allocation',
  usage: '/atmo approve <id> [--message "text"] [--quota "cpu=32 memory=128GB"] [--allocation "1000 AU on <source>"] [--provider "name"] [--confirm]',
  options: [
    { name: 'id', description: 'Resource request id', type: 'integer', required: true },
    { name: 'message', description: 'Message e-mailed to the user', type: 'string', flag: true },
    { name: 'quota', description: 'New quota, e.g. "cpu=32 memory=128GB storage=2TB"; keys left out keep their value', type: 'string', flag: true },
    { name: 'allocation', description: 'New allocation in AU, e.g. "1000" or "1000 AU on TG-BIO210056"', type: 'string', flag: true },
    { name: 'provider', description: 'Provider whose identity gets the quota', type: 'string', flag: true },
    { name: 'confirm', description: 'Apply it even though a value goes down', type: 'boolean', flag: true },
  ],
  args: z.object({
    id: recordId('resource request'),
    message: z.string().max(1024, 'the message is longer than Atmosphere keeps (1024 characters)').default(''),
    quota: quotaOption,
    allocation: allocationOption,
    provider: z.string().trim().min(1).optional(),
    confirm: flagArg,
  }),
  permission: 'staff',
  async run(ctx, args) {
    const result = await decide(ctx, {
      id: args.id,
      decision: 'approve',
      message: args.message,
      ...(args.quota ? { quota: args.quota } : {}),
      ...(args.provider ? { provider: args.provider } : {}),
      ...(args.allocation ? { allocation: args.allocation } : {}),
      confirmDecrease: args.confirm,
    });
    return approvalReply(result);
  },
});

function approvalReply(result: DecisionResult | AwaitingSecondReview): Reply {
  if (result.kind === 'awaiting') return awaitingSecondReviewReply(result);
  const second = result.firstApproval ? `, confirming ${describeFirstApproval(result.firstApproval)}` : '';
  return {
    text: `Request #${result.request.id} (${result.request.requester.username}) ${describeDecision(result.decision)}${second}.${result.preview ? `\n${result.preview}` : ''}${result.quotaNote ? `\nNew quota on ${result.quotaNote}.` : ''}${afterDecisionNotes(result)}`,
    visibility: 'channel',
    tone: 'success',
  };
}

export const confirmRequestCommand = defineCommand({
  name: 'confirm',
  summary: 'Confirm, as the second reviewer, a large approval another staff member made first',
  usage: '/atmo confirm <id>',
  options: [{ name: 'id', description: 'Resource request id', type: 'integer', required: true }],
  args: z.object({ id: recordId('resource request') }),
  permission: 'staff',
  async run(ctx, args) {
    ctx.audit({ requestId: args.id });
    const first = await waitingFirstApproval(ctx.deps, whoOf(ctx), args.id);
    return approvalReply(await decide(ctx, { id: args.id, decision: 'approve', message: '', ...approvalInputOf(first) }));
  },
});

export const denyRequestCommand = defineCommand({
  name: 'deny',
  summary: 'Deny a resource request with a reason (e-mailed to the user)',
  usage: '/atmo deny <id> <reason>',
  options: [
    { name: 'id', description: 'Resource request id', type: 'integer', required: true },
    { name: 'reason', description: 'Why; e-mailed to the user', type: 'string', required: true, rest: true },
  ],
  args: z.object({
    id: recordId('resource request'),
    reason: z
      .string({ error: 'a denial needs a reason; the user is e-mailed it' })
      .trim()
      .min(1, 'a denial needs a reason; the user is e-mailed it')
      .max(1024, 'the reason is longer than Atmosphere keeps (1024 characters)'),
  }),
  permission: 'staff',
  async run(ctx, args) {
    const result = await decided(decide(ctx, { id: args.id, decision: 'deny', message: args.reason }));
    return { text: `Request #${args.id} (${result.request.requester.username}) ${describeDecision(result.decision)}.${afterDecisionNotes(result)}`, visibility: 'channel', tone: 'warning' };
  },
});

export const closeRequestCommand = defineCommand({
  name: 'close',
  summary: 'Close a duplicate or withdrawn resource request (status closed, no e-mail)',
  usage: '/atmo close <id> [note]',
  options: [
    { name: 'id', description: 'Resource request id', type: 'integer', required: true },
    { name: 'note', description: 'Why; kept in Atmosphere, not e-mailed', type: 'string', rest: true },
  ],
  args: z.object({
    id: recordId('resource request'),
    note: z.string().trim().max(1024, 'the note is longer than Atmosphere keeps (1024 characters)').default(''),
  }),
  permission: 'staff',
  async run(ctx, args) {
    const result = await decided(decide(ctx, { id: args.id, decision: 'close', message: args.note }));
    return { text: `Request #${args.id} (${result.request.requester.username}) ${describeDecision(result.decision)}; Atmosphere sends no e-mail for a close.${afterDecisionNotes(result)}`, visibility: 'channel', tone: 'info' };
  },
});
