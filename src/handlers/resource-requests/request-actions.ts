import { z } from 'zod';
import { defineFormAction } from '../../bot/chat/command.js';
import type { FormSpec } from '../../bot/chat/reply.js';
import { UserError } from '../../errors.js';
import { checkDecidable, decideResourceRequest, type ResourceDecision } from './decide-resource-request.js';
import { APPROVE_ACTION, DENY_ACTION, describeDecision } from './render-resource-request.js';
import { refreshRequestMessage } from './refresh-request-message.js';
import { parseQuotaSpec } from './parse-quota-spec.js';
import { afterDecisionNotes } from '../decisions/outcome-notes.js';
import { redrawSource } from '../decisions/redraw-source.js';
import type { ActingContext } from '../../bot/chat/command.js';
import type { ActionEvent } from '../../bot/chat/chat-event.js';

/** `12` (a single-request message) or `12:list` (the pending list). Anything else was tampered with. */
const requestButtonValue = z
  .string()
  .regex(/^[1-9]\d{0,9}(:list)?$/)
  .transform((value) => ({ id: Number(value.split(':')[0]), view: value.endsWith(':list') ? ('list' as const) : ('single' as const) }))
  .refine((value) => value.id <= 2_147_483_647);

type ButtonValue = z.infer<typeof requestButtonValue>;

const approveForm: FormSpec = {
  title: 'Approve resource request',
  submitLabel: 'Approve',
  fields: [
    { name: 'message', label: 'Message to the user (e-mailed as the reason)', kind: 'multiline', required: false, maxLength: 1024 },
    { name: 'quota', label: 'New quota', kind: 'text', required: false, placeholder: 'cpu=32 memory=128 storage=500', maxLength: 200 },
    { name: 'provider', label: 'Provider for the quota (if several)', kind: 'text', required: false, placeholder: 'Jetstream - Indiana University', maxLength: 256 },
    { name: 'confirm', label: 'Type yes if a value may go down', kind: 'text', required: false, placeholder: 'yes', maxLength: 10 },
  ],
};

const denyForm: FormSpec = {
  title: 'Deny resource request',
  submitLabel: 'Deny',
  fields: [{ name: 'reason', label: 'Reason (e-mailed to the user)', kind: 'multiline', required: true, maxLength: 1024 }],
};

/** "yes" confirms a decrease; empty does not; anything else is a typo worth asking about. */
export const confirmField = z
  .string()
  .default('')
  .transform((text, ctx) => {
    const word = text.trim().toLowerCase();
    if (word === '' || word === 'no') return false;
    if (word === 'yes' || word === 'y') return true;
    ctx.addIssue({ code: 'custom', message: 'type yes to apply a value that goes down, or leave it empty' });
    return z.NEVER;
  });

const approveValues = z.object({
  message: z.string().max(1024, 'the message is longer than Atmosphere keeps (1024 characters)').default(''),
  quota: z.string().default(''),
  provider: z.string().default(''),
  confirm: confirmField,
});

const denyValues = z.object({
  reason: z.string({ error: 'a denial needs a reason; the user is e-mailed it' }).trim().min(1, 'a denial needs a reason; the user is e-mailed it').max(1024, 'the reason is longer than Atmosphere keeps (1024 characters)'),
});

/** Refuses early, and brings a stale message up to date when the request was already decided. */
async function precheck(ctx: ActingContext<ActionEvent>, value: ButtonValue): Promise<void> {
  try {
    await checkDecidable(ctx, value.id);
  } catch (error) {
    if (error instanceof UserError && error.code === 'already_decided') {
      await refreshRequestMessage(ctx, value.id, value.view).catch((e: unknown) => ctx.log.warn({ err: e }, 'could not refresh the stale message'));
    }
    throw error;
  }
}

interface ApprovalFields {
  quota: string;
  provider: string;
  confirm: boolean;
}

const NO_APPROVAL_FIELDS: ApprovalFields = { quota: '', provider: '', confirm: false };

async function finish(ctx: ActingContext<ActionEvent>, value: ButtonValue, decision: ResourceDecision, message: string, fields: ApprovalFields) {
  let quota;
  if (fields.quota.trim()) {
    const parsed = parseQuotaSpec(fields.quota);
    if (!parsed.ok) throw new UserError('usage', `${parsed.error} Nothing was changed.`, { field: 'quota' });
    quota = parsed.values;
  }
  const provider = fields.provider;
  try {
    const result = await decideResourceRequest(ctx, {
      id: value.id,
      decision,
      message,
      ...(quota ? { quota } : {}),
      ...(provider.trim() ? { provider: provider.trim() } : {}),
      confirmDecrease: fields.confirm,
    });
    // The decision stands whatever happens to the message about it; a stale message is only reported.
    const redrawn = await redrawSource(ctx, () =>
      refreshRequestMessage(ctx, value.id, value.view, `Request #${value.id} (${result.request.requester.username}) ${describeDecision(result.decision)}.`),
    );
    const verb = decision === 'approve' ? 'Approved' : 'Denied';
    return {
      text: `${verb} request #${value.id} from ${result.request.requester.username}; Atmosphere e-mails them${message ? ' your message' : ''}.${result.preview ? `\n${result.preview}` : ''}${result.quotaNote ? `\nNew quota on ${result.quotaNote}.` : ''}${afterDecisionNotes({ recorded: result.recorded, redrawn })}`,
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
  run: (ctx, value, form) => finish(ctx, value, 'approve', form.message, form),
});

export const denyRequestAction = defineFormAction({
  name: DENY_ACTION,
  value: requestButtonValue,
  permission: 'staff',
  form: denyForm,
  formValues: denyValues,
  precheck,
  run: (ctx, value, form) => finish(ctx, value, 'deny', form.reason, NO_APPROVAL_FIELDS),
});
