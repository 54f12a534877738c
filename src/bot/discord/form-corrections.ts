import { z } from 'zod';
import { encodeActionId } from '../chat/action-id.js';
import type { ActionEvent } from '../chat/chat-event.js';
import type { DispatchOutcome } from '../chat/command.js';
import type { FormStateStore } from '../chat/form-state-store.js';
import type { FormSpec, Reply } from '../chat/reply.js';

/**
 * Discord cannot answer a submitted modal with another modal, so a form with a wrong field is asked
 * again through a button: its reply offers "Correct <field>", which opens a modal of that field only,
 * and its submission is sent on with the other values kept. Those values wait in the form-state
 * store (the button carries only the random id), as Slack's open forms do.
 */
export const CORRECT_ACTION = 'form:correct';

const correctionState = z.object({
  action: z.string(),
  value: z.string(),
  keep: z.record(z.string(), z.string()),
  form: z.object({
    title: z.string(),
    submitLabel: z.string(),
    fields: z.array(
      z.object({
        name: z.string(),
        label: z.string(),
        kind: z.enum(['text', 'multiline']),
        required: z.boolean().optional(),
        placeholder: z.string().optional(),
        initial: z.string().optional(),
        maxLength: z.number().optional(),
      }),
    ),
  }),
});

type CorrectionState = z.infer<typeof correctionState>;
type AskAgain = Extract<DispatchOutcome, { kind: 'form' }>;

function read(text: string | null): CorrectionState | null {
  if (text === null) return null;
  try {
    const parsed = correctionState.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export const CORRECTION_EXPIRED = 'This correction has expired or was already sent, so nothing was done. Click the request\'s button again.';

export function createFormCorrections(store: FormStateStore) {
  return {
    /** The reply offering the button that asks again for the wrong fields. */
    async offer(outcome: AskAgain): Promise<Reply> {
      const state: CorrectionState = { action: outcome.action, value: outcome.value, keep: outcome.keep ?? {}, form: outcome.form };
      const id = await store.save(JSON.stringify(state));
      const labels = outcome.form.fields.map((field) => `"${field.label}"`).join(', ');
      return {
        text: `Correct ${labels} and send it again; everything else you typed is kept.`,
        buttons: [{ label: 'Correct it', action: CORRECT_ACTION, value: id, style: 'primary' }],
        visibility: 'ephemeral',
      };
    },
    /** The modal of the fields to correct, under a fresh id; null when the offer expired or was used. */
    async open(id: string): Promise<{ form: FormSpec; customId: string } | null> {
      const text = await store.take(id);
      const state = read(text);
      if (!state || text === null) return null;
      return { form: state.form, customId: encodeActionId(CORRECT_ACTION, await store.save(text)) };
    },
    /** The original action's submission: the corrected fields with the kept ones; null when expired. */
    async resume(event: ActionEvent): Promise<ActionEvent | null> {
      const state = read(await store.take(event.value));
      if (!state) return null;
      const { message: _source, ...rest } = event;
      return { ...rest, action: state.action, value: state.value, form: { ...state.keep, ...event.form } };
    },
  };
}

export type FormCorrections = ReturnType<typeof createFormCorrections>;
