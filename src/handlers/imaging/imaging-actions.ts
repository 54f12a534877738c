import { z } from 'zod';
import { defineAction, defineFormAction, type HandlerContext } from '../../bot/chat/command.js';
import type { ActionEvent } from '../../bot/chat/chat-event.js';
import type { FormSpec, Reply } from '../../bot/chat/reply.js';
import { UserError } from '../../errors.js';
import { afterDecisionNotes } from '../decisions/outcome-notes.js';
import { redrawSource } from '../decisions/redraw-source.js';
import { decideFor, depsOf, whoOf } from '../decisions/who.js';
import { approveMachineRequest } from './approve-machine-request.js';
import { buildImagingTriage, refreshImagingMessage } from './build-imaging-messages.js';
import { denyMachineRequest, resubmitMachineRequest } from './decide-machine-request.js';
import { describeApproval, describeDenial, describeResubmit } from './describe-outcome.js';
import { checkPendingDecision } from './machine-request-checks.js';
import { APPROVE_IMAGING_ACTION, DENY_IMAGING_ACTION, RESUBMIT_IMAGING_ACTION, TRIAGE_IMAGING_ACTION, type ImagingView } from './render-imaging.js';

/** `12` (the single-request message) or `12:<filter>` (a list). Anything else was tampered with. */
const buttonValue = z
  .string()
  .regex(/^[1-9]\d{0,9}(:(pending|active|errored|all))?$/)
  .transform((value) => {
    const [id, view] = value.split(':');
    return { id: Number(id), view: (view ?? 'single') as ImagingView };
  })
  .refine((value) => value.id <= 2_147_483_647);

type ButtonValue = z.infer<typeof buttonValue>;

const denyForm: FormSpec = {
  title: 'Deny imaging request',
  submitLabel: 'Deny',
  fields: [{ name: 'reason', label: 'Reason (kept in the bot; Atmosphere does not e-mail the user)', kind: 'multiline', required: true, maxLength: 1024 }],
};

const denyValues = z.object({
  reason: z.string({ error: 'a denial needs a reason' }).trim().min(1, 'a denial needs a reason').max(1024, 'the reason is longer than 1024 characters'),
});

/** Runs the decision, then brings the message the button sat on up to date (also when it was too late). */
async function act(ctx: HandlerContext<ActionEvent>, value: ButtonValue, decide: () => Promise<Reply>): Promise<Reply> {
  try {
    const result = await decide();
    // The decision stands whatever happens to the message about it; a stale message is only reported.
    const redrawn = await redrawSource(ctx, () => refreshImagingMessage(ctx, value.id, value.view, result.text));
    return { ...result, text: `${result.text}${afterDecisionNotes({ recorded: true, redrawn })}`, visibility: 'ephemeral' };
  } catch (error) {
    if (error instanceof UserError && error.code === 'already_decided') {
      await refreshImagingMessage(ctx, value.id, value.view).catch((e: unknown) => ctx.log.warn({ err: e }, 'could not refresh the stale message'));
    }
    throw error;
  }
}

export const approveImagingAction = defineAction({
  name: APPROVE_IMAGING_ACTION,
  value: buttonValue,
  permission: 'staff',
  run: (ctx, value) => act(ctx, value, async () => describeApproval(await decideFor(ctx, { machineRequestId: value.id }, (deps, who) => approveMachineRequest(deps, who, { id: value.id })))),
});

export const denyImagingAction = defineFormAction({
  name: DENY_IMAGING_ACTION,
  value: buttonValue,
  permission: 'staff',
  form: denyForm,
  formValues: denyValues,
  async precheck(ctx, value) {
    ctx.audit({ machineRequestId: value.id });
    await checkPendingDecision(depsOf(ctx), whoOf(ctx), value.id, 'deny');
  },
  run: (ctx, value, form) =>
    act(ctx, value, async () => describeDenial(await decideFor(ctx, { machineRequestId: value.id }, (deps, who) => denyMachineRequest(deps, who, { id: value.id, reason: form.reason })))),
});

export const resubmitImagingAction = defineAction({
  name: RESUBMIT_IMAGING_ACTION,
  value: buttonValue,
  permission: 'staff',
  run: (ctx, value) => act(ctx, value, async () => describeResubmit(await decideFor(ctx, { machineRequestId: value.id }, (deps, who) => resubmitMachineRequest(deps, who, { id: value.id })))),
});

/** Reads only: the report goes to the person who clicked, and the alert stays as it is. */
export const triageImagingAction = defineAction({
  name: TRIAGE_IMAGING_ACTION,
  value: buttonValue,
  permission: 'staff',
  run: (ctx, value) => buildImagingTriage(ctx, value.id),
});
