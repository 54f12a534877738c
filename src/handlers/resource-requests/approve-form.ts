import { z } from 'zod';
import type { FormSpec } from '../../bot/chat/reply.js';
import { formatQuota, parseQuotaSpec } from './parse-quota-spec.js';
import type { IdentityQuota } from '../../db/queries/identity-quotas.js';
import type { AllocationSourceView } from '../../db/queries/allocation-sources.js';
import { parseAllocationSpec } from './parse-allocation.js';
import { parseRequestText, quotaSpecText } from './parse-request-text.js';
import type { ApprovalInput } from './prepare-approval.js';

/** The Approve form: at most five fields, Discord's limit for a modal. */
export const approveForm: FormSpec = {
  title: 'Approve resource request',
  submitLabel: 'Approve',
  fields: [
    { name: 'message', label: 'Message to the user (e-mailed as the reason)', kind: 'multiline', required: false, maxLength: 1024 },
    { name: 'quota', label: 'New quota', kind: 'text', required: false, placeholder: 'cpu=32 memory=128GB storage=2TB', maxLength: 200 },
    { name: 'allocation', label: 'New allocation in AU (and the source)', kind: 'text', required: false, placeholder: '1000 AU on TG-BIO210056', maxLength: 300 },
    { name: 'provider', label: 'Provider for the quota (if several)', kind: 'text', required: false, placeholder: 'Jetstream - Indiana University', maxLength: 256 },
    { name: 'confirm', label: 'Type yes if a value may go down', kind: 'text', required: false, placeholder: 'yes', maxLength: 10 },
  ],
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

/** The quota as typed: empty for none, else every pair parsed or the field refused with the accepted forms. */
const quotaField = z
  .string()
  .default('')
  .transform((text, ctx) => {
    if (text.trim() === '') return undefined;
    const parsed = parseQuotaSpec(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }
    return parsed.values;
  });

/** The allocation as typed: empty for none, else an amount (and source) or the field refused with the accepted forms. */
const allocationField = z
  .string()
  .default('')
  .transform((text, ctx) => {
    if (text.trim() === '') return undefined;
    const parsed = parseAllocationSpec(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }
    return parsed.value;
  });

export const approveValues = z.object({
  message: z.string().max(1024, 'the message is longer than Atmosphere keeps (1024 characters)').default(''),
  quota: quotaField,
  allocation: allocationField,
  provider: z
    .string()
    .default('')
    .transform((text) => text.trim()),
  confirm: confirmField,
});

export type ApproveFormValues = z.infer<typeof approveValues>;

/** What the submitted form asks of the approval. */
export function approvalFromForm(form: ApproveFormValues): ApprovalInput {
  return {
    ...(form.quota ? { quota: form.quota } : {}),
    ...(form.allocation ? { allocation: form.allocation } : {}),
    ...(form.provider ? { provider: form.provider } : {}),
    confirmDecrease: form.confirm,
  };
}

/** What the request's text asks for, as the form's editable defaults. */
export function approveDefaults(requestText: string): Record<string, string> {
  const asked = parseRequestText(requestText);
  const quota = quotaSpecText(asked.quota);
  return { ...(quota ? { quota } : {}), ...(asked.allocation !== undefined ? { allocation: `${asked.allocation} AU` } : {}) };
}

/** What the quota and allocation fields hold now, shown with them, so the new values are typed against these. */
export function approveHints(quotas: readonly IdentityQuota[], sources: readonly AllocationSourceView[]): Record<string, string> {
  const quota = quotas.length === 0 ? 'No identity on any provider.' : `Now: ${quotas.map((q) => `${q.provider}: ${formatQuota(q.quota)}`).join('; ')}`;
  const allocation =
    sources.length === 0
      ? 'No allocation source.'
      : `Now: ${sources.map((source) => `${source.name} ${source.computeAllowed} AU${source.members > 1 ? ' (shared)' : ''}`).join('; ')}`;
  return { quota, allocation };
}
