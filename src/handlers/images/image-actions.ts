import { defineAction } from '../../bot/chat/command.js';
import { buttonRecordId } from '../record-id.js';
import { applyMove, CANCEL_IMAGE_ACTION, MOVE_VERSION_ACTION, VERIFY_MOVE_ACTION, verifyMove } from './move-version.js';
import { moveTargetValue } from './image-values.js';
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
