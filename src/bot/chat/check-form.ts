import type { Deps } from '../../deps.js';
import type { z } from 'zod';
import { UserError } from '../../errors.js';
import { writeAudit } from '../../db/queries/audit.js';
import type { ActionEvent, ChatEvent } from './chat-event.js';
import type { AnyActionDefinition, DispatchOutcome, EventIO, FieldErrors, HandlerContext, Permission } from './command.js';
import type { FormSpec } from './reply.js';
import type { AuditDraft } from './audit-draft.js';

/** The form to show again after `field` was wrong: that field with what was typed, the rest kept. */
export function askAgain(action: AnyActionDefinition | undefined, event: ActionEvent, submitted: Record<string, string>, field: string): DispatchOutcome | null {
  const spec = action?.form?.fields.find((candidate) => candidate.name === field);
  if (!action?.form || !spec) return null;
  const typed = submitted[field];
  const keep = Object.fromEntries(Object.entries(submitted).filter(([name]) => name !== field));
  const form: FormSpec = { ...action.form, fields: [{ ...spec, ...(typed !== undefined ? { initial: typed } : {}) }] };
  return { kind: 'form', form, action: action.name, value: event.value, keep };
}

interface CheckerParts {
  deps: Deps;
  actionsByName: ReadonlyMap<string, AnyActionDefinition>;
  authorize<E extends ChatEvent>(event: E, permission: Permission, io: EventIO, draft: AuditDraft, log: Deps['log']): Promise<HandlerContext<E>>;
}

/**
 * The dispatcher's look at a submitted form before it is accepted (Dispatcher.checkForm): the form's
 * own schema, then the action's `check`, each problem kept when it names a field of the form.
 */
export function createFormChecker({ deps, actionsByName, authorize }: CheckerParts) {
  return async function checkForm(event: ActionEvent): Promise<FieldErrors | null> {
  const action = actionsByName.get(event.action);
  if (!action?.form || !event.form) return null;
  const form = action.form;
  const submitted = event.form;
  const value = action.value.safeParse(event.value);
  if (!value.success || Object.keys(submitted).some((name) => !form.fields.some((field) => field.name === name))) return null;
  const log = deps.log.child({ platform: event.platform, eventId: event.id, user: event.user.id, action: action.name, kind: 'check' });
  const draft: AuditDraft = { kind: 'action', name: action.name, input: event.value, outcome: 'usage', message: null, detail: {}, actor: null };
  let errors: FieldErrors | null = null;
  try {
    const parsedForm = action.formValues.safeParse(submitted);
    if (!parsedForm.success) {
      errors = {};
      for (const issue of parsedForm.error.issues) {
        const field = String(issue.path[0] ?? '');
        if (form.fields.some((candidate) => candidate.name === field)) errors[field] ??= issue.message.charAt(0).toUpperCase() + issue.message.slice(1);
      }
      if (Object.keys(errors).length === 0) errors = null;
    } else if (action.check) {
      const ctx = await authorize(event, action.permission, { respond: async () => {} }, draft, log);
      await action.check(ctx, value.data, parsedForm.data);
    }
  } catch (error) {
    // Only a wrong field is said in the form; every other refusal is the submission's own to report.
    const field = error instanceof UserError ? error.field : undefined;
    if (error instanceof UserError && field && form.fields.some((candidate) => candidate.name === field)) errors = { [field]: error.message };
    else if (!(error instanceof UserError)) log.warn({ err: error }, 'could not check the form before accepting it');
  }
  if (!errors) return null;
  draft.message = Object.entries(errors).map(([field, text]) => `${field}: ${text}`).join('\n');
  log.info({ fields: Object.keys(errors) }, 'form refused on its fields');
  try {
    await writeAudit(deps.db, {
      at: deps.now(),
      eventId: event.id,
      platform: event.platform,
      chatUserId: event.user.id,
      atmosphereUsername: draft.actor?.username ?? null,
      kind: 'action',
      name: action.name,
      input: draft.input.slice(0, 4000),
      outcome: 'usage',
      message: draft.message,
      detail: { fields: Object.keys(errors) },
      channel: event.channel,
      messageId: event.message?.id ?? null,
    }, log);
  } catch (error) {
    log.error({ err: error }, 'could not write the audit row');
  }
  deps.metrics.eventHandled(event.platform, 'action', 'usage');
  return errors;
};
}

/** The form fields a failed parse is about, in the form's order. */
export function fieldsOf(error: z.ZodError, form: FormSpec): string[] {
  const named = new Set(error.issues.map((issue) => String(issue.path[0] ?? '')));
  return form.fields.map((field) => field.name).filter((name) => named.has(name));
}
