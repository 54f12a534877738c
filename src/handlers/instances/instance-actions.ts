import { z } from 'zod';
import { buttonRecordId } from '../record-id.js';
import { defineAction } from '../../bot/chat/command.js';
import { buildInstanceDetail, buildReportReply } from './build-instance-messages.js';
import type { InstanceStep } from './classify-instance.js';
import {
  CANCEL_INSTANCE_ACTION,
  CONFIRM_INSTANCE_ACTION,
  REPORT_INSTANCE_ACTION,
  SHOW_INSTANCE_ACTION,
  STEP_INSTANCE_ACTION,
} from './render-instance.js';
import { confirmInstanceStep, runInstanceStep } from './run-instance-step.js';

const MAX_ID = 2_147_483_647;
const STEP = '(redeploy|reboot-soft|reboot-hard)';

/** Button values are untrusted: an instance id (buttonRecordId), `id:step`, or `id:step:round`. */
const instanceId = buttonRecordId;

const stepValue = z
  .string()
  .regex(new RegExp(`^[1-9]\\d{0,9}:${STEP}$`))
  .transform((value) => {
    const [id, step] = value.split(':');
    return { id: Number(id), step: step as InstanceStep };
  })
  .refine((value) => value.id <= MAX_ID);

const confirmValue = z
  .string()
  .regex(new RegExp(`^[1-9]\\d{0,9}:${STEP}:\\d{1,6}$`))
  .transform((value) => {
    const [id, step, round] = value.split(':');
    return { id: Number(id), step: step as InstanceStep, round: Number(round) };
  })
  .refine((value) => value.id <= MAX_ID);

export const showInstanceAction = defineAction({
  name: SHOW_INSTANCE_ACTION,
  value: instanceId,
  permission: 'staff',
  run: (ctx, id) => buildInstanceDetail(ctx, id),
});

export const reportInstanceAction = defineAction({
  name: REPORT_INSTANCE_ACTION,
  value: instanceId,
  permission: 'staff',
  run: (ctx, id) => buildReportReply(ctx, id),
});

/** A step button: asks for confirmation first, naming the instance and its owner. */
export const stepInstanceAction = defineAction({
  name: STEP_INSTANCE_ACTION,
  value: stepValue,
  permission: 'staff',
  run: (ctx, value) => confirmInstanceStep(ctx, value.id, value.step),
});

export const confirmInstanceAction = defineAction({
  name: CONFIRM_INSTANCE_ACTION,
  value: confirmValue,
  permission: 'staff',
  async run(ctx, value) {
    const result = await runInstanceStep(ctx, value.id, value.step, value.round);
    await ctx.updateSource({ text: result.text }).catch((error: unknown) => ctx.log.warn({ err: error }, 'could not update the confirmation'));
    return result;
  },
});

export const cancelInstanceAction = defineAction({
  name: CANCEL_INSTANCE_ACTION,
  value: instanceId,
  permission: 'staff',
  async run(ctx, id) {
    const text = `Cancelled by ${ctx.actor.username}: nothing was sent for instance #${id}.`;
    await ctx.updateSource({ text });
    return { text, visibility: 'ephemeral' };
  },
});
