import { z } from 'zod';
import { defineAction, defineFormAction } from '../../bot/chat/command.js';
import type { FormSpec } from '../../bot/chat/reply.js';
import { UserError } from '../../errors.js';
import { checkDecidable, decideResourceRequest, type ResourceDecision } from './decide-resource-request.js';
import { APPROVE_ACTION, CLOSE_ACTION, DENY_ACTION, describeDecision } from './render-resource-request.js';
import { refreshRequestMessage } from './refresh-request-message.js';
import { approveDefaults, approveForm, approveHints, approveValues, approvalFromForm } from './approve-form.js';
import type { ResourceRequestView } from '../../db/queries/resource-requests.js';
import { getRequesterHoldings } from '../../db/queries/allocation-sources.js';
import { prepareApproval, type ApprovalInput } from './prepare-approval.js';
import { afterDecisionNotes } from '../decisions/outcome-notes.js';
import { redrawSource } from '../decisions/redraw-source.js';
import { decideFor, depsOf, whoOf } from '../decisions/who.js';
import type { ActingContext } from '../../bot/chat/command.js';
import type { ActionEvent } from '../../bot/chat/chat-event.js';
import { awaitingSecondReviewReply, CONFIRM_ACTION } from './second-review-reply.js';
import { approvalInputOf, waitingFirstApproval } from './second-review.js';

/** `12` (a single-request message) or `12:list` (the pending list). Anything else was tampered with. */
const requestButtonValue = z
  .string()
  .regex(/^[1-9]\d{0,9}(:list)?$/)
  .transform((value) => ({ id: Number(value.split(':')[0]), view: value.endsWith(':list') ? ('list' as const) : ('single' as const) }))
  .refine((value) => value.id <= 2_147_483_647);

type ButtonValue = z.infer<typeof requestButtonValue>;

const denyForm: FormSpec = {
  title: 'Deny resource request',
  submitLabel: 'Deny',
  fields: [{ name: 'reason', label: 'Reason (e-mailed to the user)', kind: 'multiline', required: true, maxLength: 1024 }],
};

const closeForm: FormSpec = {
  title: 'Close resource request',
  submitLabel: 'Close',
  fields: [{ name: 'note', label: 'Why (kept in Atmosphere, not e-mailed)', kind: 'text', required: false, placeholder: 'duplicate of #12', maxLength: 1024 }],
};

const closeValues = z.object({
  note: z.string().trim().max(1024, 'the note is longer than Atmosphere keeps (1024 characters)').default(''),
});

const denyValues = z.object({
  reason: z.string({ error: 'a denial needs a reason; the user is e-mailed it' }).trim().min(1, 'a denial needs a reason; the user is e-mailed it').max(1024, 'the reason is longer than Atmosphere keeps (1024 characters)'),
});

/**
 * Refuses early, and brings a stale message up to date when the request was already decided. Returns
 * the request it read, for the form's defaults.
 */
async function precheck(ctx: ActingContext<ActionEvent>, value: ButtonValue): Promise<ResourceRequestView> {
  // Tagged before any refusal, so `/atmo audit request <id>` finds refusals too.
  ctx.audit({ requestId: value.id });
  try {
    return await checkDecidable(depsOf(ctx), whoOf(ctx), value.id);
  } catch (error) {
    if (error instanceof UserError && error.code === 'already_decided') {
      await refreshRequestMessage(ctx, value.id, value.view).catch((e: unknown) => ctx.log.warn({ err: e }, 'could not refresh the stale message'));
    }
    throw error;
  }
}

async function finish(ctx: ActingContext<ActionEvent>, value: ButtonValue, decision: ResourceDecision, message: string, approval: ApprovalInput = {}) {
  try {
    const result = await decideFor(ctx, { requestId: value.id }, (deps, who, progress) =>
      decideResourceRequest(deps, who, { id: value.id, decision, message, ...approval }, progress),
    );
    if (result.kind === 'awaiting') {
      const redrawn = await redrawSource(ctx, () => refreshRequestMessage(ctx, value.id, value.view));
      const reply = awaitingSecondReviewReply(result);
      return { ...reply, text: `${reply.text}${afterDecisionNotes({ recorded: true, redrawn })}` };
    }
    // The decision stands whatever happens to the message about it; a stale message is only reported.
    const redrawn = await redrawSource(ctx, () =>
      refreshRequestMessage(ctx, value.id, value.view, `Request #${value.id} (${result.request.requester.username}) ${describeDecision(result.decision)}.`),
    );
    if (decision === 'close') {
      return {
        text: `Closed request #${value.id} from ${result.request.requester.username}; Atmosphere sends no e-mail for a close.${afterDecisionNotes({ recorded: result.recorded, redrawn })}`,
        tone: 'info' as const,
      };
    }
    const verb = decision === 'approve' ? 'Approved' : 'Denied';
    const second = result.firstApproval ? ` as the second reviewer of ${result.firstApproval.approvedBy}'s approval` : '';
    return {
      text: `${verb} request #${value.id} from ${result.request.requester.username}${second}; Atmosphere e-mails them${result.decision.adminMessage ? (message ? ' your message' : ' the first approver\'s message') : ''}.${result.preview ? `\n${result.preview}` : ''}${result.quotaNote ? `\nNew quota on ${result.quotaNote}.` : ''}${afterDecisionNotes({ recorded: result.recorded, redrawn })}`,
      tone: decision === 'approve' ? ('success' as const) : ('warning' as const),
    };
  } catch (error) {
    if (error instanceof UserError && error.code === 'already_decided') {
      await refreshRequestMessage(ctx, value.id, value.view).catch((e: unknown) => ctx.log.warn({ err: e }, 'could not refresh the stale message'));
    }
    throw error;
  }
}

export const approveRequestAction = defineFormAction({
  name: APPROVE_ACTION,
  value: requestButtonValue,
  permission: 'staff',
  form: approveForm,
  formValues: approveValues,
  precheck,
  // The same reads the approval starts with, so a wrong quota, provider or missing confirmation is
  // said on its field while the form is still open.
  async check(ctx, value, form) {
    ctx.audit({ requestId: value.id });
    const request = await checkDecidable(depsOf(ctx), whoOf(ctx), value.id);
    await prepareApproval(ctx.deps, request, approvalFromForm(form));
  },
  // What the request asks for ("Allocation: 1000 AU", "cpu: 48, memory: 192 GB") is the default,
  // and what the user has now is shown with it. The request is the one the precheck just read.
  async prefill(ctx, _value, request) {
    const userId = request.requester.id;
    // Both in one statement.
    const { quotas, sources } = await getRequesterHoldings(ctx.deps.db, userId);
    return { initial: approveDefaults(request.request), hints: approveHints(quotas, sources) };
  },
  run: (ctx, value, form) => finish(ctx, value, 'approve', form.message, approvalFromForm(form)),
});

/** The second reviewer's button: approves exactly what the first approver recorded. */
export const confirmRequestAction = defineAction({
  name: CONFIRM_ACTION,
  value: requestButtonValue,
  permission: 'staff',
  // No precheck: the decision checks everything itself (and redraws a stale message), once.
  async run(ctx, value) {
    const first = await waitingFirstApproval(ctx.deps, whoOf(ctx), value.id);
    return finish(ctx, value, 'approve', '', approvalInputOf(first));
  },
});

export const denyRequestAction = defineFormAction({
  name: DENY_ACTION,
  value: requestButtonValue,
  permission: 'staff',
  form: denyForm,
  formValues: denyValues,
  precheck,
  run: (ctx, value, form) => finish(ctx, value, 'deny', form.reason),
});

export const closeRequestAction = defineFormAction({
  name: CLOSE_ACTION,
  value: requestButtonValue,
  permission: 'staff',
  form: closeForm,
  formValues: closeValues,
  precheck,
  run: (ctx, value, form) => finish(ctx, value, 'close', form.note),
});
