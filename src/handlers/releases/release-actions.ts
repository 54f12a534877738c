import { buttonRecordId } from '../record-id.js';
import { defineAction } from '../../bot/chat/command.js';
import { cancelReleasePlan, getReleasePlan } from '../../db/queries/releases.js';
import { CANCEL_TAG_ACTION, CONFIRM_TAG_ACTION } from './render-release-plan.js';
import { planClosedError, runReleasePlan } from './run-release-plan.js';
import { UserError } from '../../errors.js';

/** The plan id, and nothing else: the plan itself is re-read from the bot's table on every click. */
const planId = buttonRecordId;

export const confirmReleaseTagAction = defineAction({
  name: CONFIRM_TAG_ACTION,
  value: planId,
  permission: 'staff',
  run: (ctx, id) => runReleasePlan(ctx, id),
});

export const cancelReleaseTagAction = defineAction({
  name: CANCEL_TAG_ACTION,
  value: planId,
  permission: 'staff',
  async run(ctx, id) {
    const plan = await getReleasePlan(ctx.deps.db, id);
    // An expired plan may still be cancelled, so only the state is checked here.
    if (!plan || plan.state !== 'pending') throw planClosedError(plan, id);
    const by = ctx.actor.username;
    if (!(await cancelReleasePlan(ctx.deps.db, id, by, ctx.deps.now()))) {
      throw new UserError('already_decided', `Release plan #${id} was confirmed or cancelled a moment ago; nothing more was done.`);
    }
    const text = `${by} cancelled release ${plan.tag} (plan #${id}); nothing was created on GitHub.`;
    await ctx.updateSource({ text, tone: 'info' });
    ctx.audit({ tag: plan.tag, planId: id, cancelled: true });
    return { text };
  },
});
