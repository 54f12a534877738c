import type { ChatEvent } from '../../bot/chat/chat-event.js';
import type { ActingContext, HandlerContext } from '../../bot/chat/command.js';
import type { Reply } from '../../bot/chat/reply.js';
import { UserError } from '../../errors.js';
import { releaseDecision } from '../../db/queries/decisions.js';
import type { InstanceActionRequest } from '../../integrations/atmosphere/gateway.js';
import { alreadyDecided, claimForDecision } from '../decisions/claim-for-decision.js';
import { whoOf } from '../decisions/who.js';
import { afterDecisionNotes } from '../decisions/outcome-notes.js';
import { recordOutcome } from '../decisions/record-outcome.js';
import { sendOnce } from '../decisions/send-once.js';
import { formatTimestamp } from '../format-time.js';
import { requireInstanceItem } from './build-instance-messages.js';
import { describeStatus, type InstanceStep } from './classify-instance.js';
import { instanceRound, settleOpenInstanceClaim } from './instance-claims.js';
import type { InstanceItem } from './load-instance-items.js';
import { STEP_EVENTS, STEP_KEYS, STEP_LABELS } from './next-instance-step.js';
import { CANCEL_INSTANCE_ACTION, CONFIRM_INSTANCE_ACTION } from './render-instance.js';

const REQUESTS: Record<InstanceStep, InstanceActionRequest> = {
  redeploy: { action: 'redeploy' },
  'reboot-soft': { action: 'reboot', rebootType: 'SOFT' },
  'reboot-hard': { action: 'reboot', rebootType: 'HARD' },
};

/** Refuses a step Atmosphere does not allow for the instance now, naming what it does allow. */
async function checkAllowed(ctx: HandlerContext, item: InstanceItem, step: InstanceStep): Promise<void> {
  if (item.instance.endDate) throw new UserError('already_decided', `Instance #${item.instance.id} was deleted at ${formatTimestamp(item.instance.endDate)}. Nothing was sent.`);
  await ctx.deps.gateway.checkWritable();
  const valid = await ctx.deps.gateway.listInstanceActions({ uuid: item.instance.uuid });
  if (!valid.includes(STEP_KEYS[step])) {
    throw new UserError(
      'already_decided',
      `Atmosphere does not offer ${STEP_LABELS[step]} for instance #${item.instance.id} now (${item.triage.label}); it offers ${valid.join(', ') || 'nothing'}. Nothing was sent.`,
    );
  }
}

/**
 * Refuses a new action while the bot's last one on the instance is unfinished: running now, or sent
 * without a clear answer and not yet visible in Atmosphere. A last action that did land (its reply
 * was lost) is recorded first, and this click is told so.
 */
async function refuseWhileOpen(ctx: HandlerContext, id: number): Promise<void> {
  const open = await settleOpenInstanceClaim(ctx.deps, id);
  if (open && open.kind !== 'released') throw alreadyDecided(ctx.deps, `Instance #${id}`, open);
}

/** The confirmation a step button opens: names the instance and its owner, carries the round. */
export async function confirmInstanceStep(ctx: HandlerContext, id: number, step: InstanceStep): Promise<Reply> {
  await refuseWhileOpen(ctx, id);
  const item = await requireInstanceItem(ctx, id);
  await checkAllowed(ctx, item, step);
  const round = await instanceRound(ctx.deps, id);
  const { instance } = item;
  const what = step === 'redeploy' ? 'redeploy (runs the deployment again)' : step === 'reboot-soft' ? 'soft reboot' : 'hard reboot (a power cycle)';
  return {
    title: `${STEP_LABELS[step]} instance #${instance.id}?`,
    text: `${STEP_LABELS[step]} instance #${instance.id} "${instance.name}" (${instance.uuid}) of ${instance.owner} on ${instance.provider}? Atmosphere will ${what}; it is ${item.triage.label} now.`,
    buttons: [
      { label: `${STEP_LABELS[step]} it`, action: CONFIRM_INSTANCE_ACTION, value: `${id}:${step}:${round}`, style: step === 'reboot-hard' ? 'danger' : 'primary' },
      { label: 'Cancel', action: CANCEL_INSTANCE_ACTION, value: String(id) },
    ],
    visibility: 'ephemeral',
  };
}

/** The newest status-history row id: the action's own rows come after it (read-instance-outcome.ts). */
function newestHistoryId(item: InstanceItem): number {
  return item.history.reduce((newest, row) => Math.max(newest, row.id), 0);
}

/**
 * Runs a confirmed step through the decision journal, as staff decisions on requests do. The round
 * is claimed first (first click wins, across replicas and platforms) with what is about to be sent
 * and where Atmosphere's status history stood; a claim left open by an earlier click is settled
 * against that history before anything else (claim-for-decision.ts). Then the step is checked
 * against what Atmosphere allows now and sent once (send-once.ts): a clear refusal gives the claim
 * back; a timeout, a 5xx or a reset connection holds it, so nobody sends a second action while the
 * first may have landed, and the next look (or the reconciler) records it from the status history.
 * A sent step is recorded in the instance's history, which its alert thread tells.
 */
export async function runInstanceStep(ctx: ActingContext<ChatEvent>, id: number, step: InstanceStep, round: number): Promise<Reply> {
  const { deps } = ctx;
  const actor = ctx.actor;
  const before = await requireInstanceItem(ctx, id);
  const label = STEP_LABELS[step];
  const claim = await claimForDecision(deps, whoOf(ctx), {
    subject: 'instance',
    recordId: id,
    round,
    action: step,
    adminMessage: '',
    plan: {
      from: before.current ? describeStatus(before.current.status, before.current.activity) : 'unknown',
      status: step,
      event: STEP_EVENTS[step],
      after: newestHistoryId(before),
    },
    what: `Instance #${id}`,
  });
  let item: InstanceItem;
  try {
    if ((await instanceRound(deps, id)) !== round) {
      throw new UserError('already_decided', `Instance #${id} had another action since this confirmation was shown. Nothing was sent; ask again with /atmo instance ${id}.`);
    }
    item = await requireInstanceItem(ctx, id);
    await checkAllowed(ctx, item, step);
  } catch (error) {
    await releaseDecision(deps.db, claim.id).catch((releaseError: unknown) => ctx.log.error({ err: releaseError }, 'could not give the decision claim back'));
    ctx.audit({ instanceId: id, step, failed: error instanceof Error ? error.message : String(error) });
    throw error;
  }
  try {
    await sendOnce(deps, claim, `The ${label.toLowerCase()} of instance #${id}`, () => deps.gateway.instanceAction({ uuid: item.instance.uuid, ...REQUESTS[step] }));
  } catch (error) {
    ctx.audit({ instanceId: id, step, failed: error instanceof Error ? error.message : String(error) });
    throw error;
  }
  // Atmosphere has started it: from here on, bookkeeping failures are left to the reconciler.
  ctx.audit({ instanceId: id, uuid: item.instance.uuid, step, owner: item.instance.owner });
  const { recorded } = await recordOutcome(deps, claim, {
    detail: { step, uuid: item.instance.uuid },
    history: { subject: 'instance', recordId: id, actor: actor.username, platform: ctx.event.platform, action: STEP_EVENTS[step], note: `was ${item.triage.label}` },
  });
  if (!recorded) ctx.audit({ recordPending: true });
  return {
    text: `${label} sent for instance #${id} "${item.instance.name}" of ${item.instance.owner}. Its alert thread follows what happens next; /atmo instance ${id} shows it now.${afterDecisionNotes({ recorded })}`,
    tone: 'success',
    visibility: 'ephemeral',
  };
}
