import { z } from 'zod';
import { defineAction, defineFormAction } from '../../bot/chat/command.js';
import type { FormSpec } from '../../bot/chat/reply.js';
import { buttonRecordId, recordId } from '../record-id.js';
import { applyMove, CANCEL_IMAGE_ACTION, checkMovable, MOVE_FORM_ACTION, MOVE_VERSION_ACTION, proposeMove, VERIFY_MOVE_ACTION, verifyMove } from './move-version.js';
import { moveTargetValue, versionName } from './image-values.js';
import { applyPublish, applyPublishFlag, PUBLISH_ACTION, PUBLISH_FLAG_ACTION, VERIFY_PUBLIC_ACTION, verifyPublic } from './publish-application.js';

export const moveVersionAction = defineAction({
  name: MOVE_VERSION_ACTION,
  value: moveTargetValue,
  permission: 'staff',
  run: (ctx, target) => applyMove(ctx, target),
});

export const verifyMoveAction = defineAction({
  name: VERIFY_MOVE_ACTION,
  value: moveTargetValue,
  permission: 'staff',
  run: (ctx, target) => verifyMove(ctx, target),
});

/** Cancel on any image confirmation: the value names the application, and nothing is sent. */
export const cancelImageAction = defineAction({
  name: CANCEL_IMAGE_ACTION,
  value: buttonRecordId,
  permission: 'staff',
  async run(ctx, applicationId) {
    const text = `Cancelled by ${ctx.actor.username}: nothing was changed for application #${applicationId}.`;
    await ctx.updateSource({ text });
    return { text, visibility: 'ephemeral' };
  },
});

export const publishAction = defineAction({
  name: PUBLISH_ACTION,
  value: buttonRecordId,
  permission: 'staff',
  run: (ctx, applicationId) => applyPublish(ctx, applicationId),
});

export const publishFlagAction = defineAction({
  name: PUBLISH_FLAG_ACTION,
  value: buttonRecordId,
  permission: 'staff',
  run: (ctx, applicationId) => applyPublishFlag(ctx, applicationId),
});

export const verifyPublicAction = defineAction({
  name: VERIFY_PUBLIC_ACTION,
  value: buttonRecordId,
  permission: 'staff',
  run: (ctx, applicationId) => verifyPublic(ctx, applicationId),
});

const moveForm: FormSpec = {
  title: 'Make it a version of another application',
  submitLabel: 'Show the move',
  fields: [
    { name: 'to', label: 'Application id to join (Troposphere: application/images/<id>)', kind: 'text', required: true, maxLength: 10 },
    { name: 'name', label: 'Version name there (empty: its own, or the next free one)', kind: 'text', maxLength: 40 },
  ],
};

/** The completion's button: asks which application, then shows the same confirmation as the command. */
export const moveVersionFormAction = defineFormAction({
  name: MOVE_FORM_ACTION,
  value: buttonRecordId,
  permission: 'staff',
  form: moveForm,
  formValues: z.object({
    to: recordId('application'),
    name: z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), versionName.optional()),
  }),
  precheck: (ctx, requestId) => checkMovable(ctx.deps.db, requestId),
  run: (ctx, requestId, form) => proposeMove(ctx, { ref: String(requestId), applicationId: form.to, name: form.name }),
});
