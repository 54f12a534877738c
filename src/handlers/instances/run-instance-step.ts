import type { ChatEvent } from '../../bot/chat/chat-event.js';
import type { HandlerContext } from '../../bot/chat/command.js';
import type { Reply } from '../../bot/chat/reply.js';
import { UserError } from '../../errors.js';
import { claimDecision, completeDecision, releaseDecision, type DecisionRow } from '../../db/queries/decisions.js';
import { listRequestEvents, recordRequestEvent } from '../../db/queries/request-events.js';
import type { InstanceActionRequest } from '../../integrations/atmosphere/gateway.js';
import { formatTimestamp } from '../format-time.js';
import { requireInstanceItem } from './build-instance-messages.js';
import type { InstanceStep } from './classify-instance.js';
import type { InstanceItem } from './load-instance-items.js';
import { STEP_EVENTS, STEP_KEYS, STEP_LABELS } from './next-instance-step.js';
import { CANCEL_INSTANCE_ACTION, CONFIRM_INSTANCE_ACTION } from './render-instance.js';

const REQUESTS: Record<InstanceStep, InstanceActionRequest> = {
  redeploy: { action: 'redeploy' },
  'reboot-soft': { action: 'reboot', rebootType: 'SOFT' },
  'reboot-hard': { action: 'reboot', rebootType: 'HARD' },
};

/**
 * The decision round of an instance's next action: how many actions the bot has run on it. A
 * confirmation carries the round it was shown in, so of simultaneous confirmations (or two offered
 * at once) only the first acts; the next action opens the next round.
 */
export async function instanceRound(ctx: HandlerContext, id: number): Promise<number> {
  return (await listRequestEvents(ctx.deps.db, 'instance', [id])).length;
}

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

/** The confirmation a step button opens: names the instance and its owner, carries the round. */
export async function confirmInstanceStep(ctx: HandlerContext, id: number, step: InstanceStep): Promise<Reply> {
  const item = await requireInstanceItem(ctx, id);
  await checkAllowed(ctx, item, step);
  const round = await instanceRound(ctx, id);
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

function describeClaim(row: DecisionRow): string {
  const label = STEP_LABELS[row.action as InstanceStep] ?? row.action;
  if (row.state === 'in_progress') return `${row.decidedBy} is running ${label} on it right now (since ${formatTimestamp(row.decidedAt)}, on ${row.platform})`;
  return `${row.decidedBy} already ran ${label} on it at ${formatTimestamp(row.completedAt ?? row.decidedAt)} (on ${row.platform})`;
}

/**
 * Runs a confirmed step: claims the round (first click wins, across replicas), re-checks that
 * Atmosphere still allows it, sends the one POST, records it in the instance's history (the alert
 * thread tells it) and completes the claim. A failure gives the claim back so someone can retry.
 */
export async function runInstanceStep(ctx: HandlerContext<ChatEvent>, id: number, step: InstanceStep, round: number): Promise<Reply> {
  const { deps } = ctx;
  const actor = ctx.actor!;
  const claim = await claimDecision(deps.db, {
    subject: 'instance',
    recordId: id,
    round,
    action: step,
    decidedBy: actor.username,
    platform: ctx.event.platform,
    chatUserId: ctx.event.user.id,
    decidedAt: deps.now(),
    adminMessage: '',
  });
  if (!claim.claimed) throw new UserError('already_decided', `Instance #${id}: ${describeClaim(claim.row)}. This click sent nothing.`);
  try {
    if ((await instanceRound(ctx, id)) !== round) {
      throw new UserError('already_decided', `Instance #${id} had another action since this confirmation was shown. Nothing was sent; ask again with /atmo instance ${id}.`);
    }
    const item = await requireInstanceItem(ctx, id);
    await checkAllowed(ctx, item, step);
    await deps.gateway.instanceAction({ uuid: item.instance.uuid, ...REQUESTS[step] });
    const at = deps.now();
    await recordRequestEvent(deps.db, {
      subject: 'instance',
      recordId: id,
      at,
      actor: actor.username,
      platform: ctx.event.platform,
      action: STEP_EVENTS[step],
      note: `was ${item.triage.label}`,
    });
    await completeDecision(deps.db, claim.row.id, at, { detail: { step, uuid: item.instance.uuid } });
    ctx.audit({ instanceId: id, uuid: item.instance.uuid, step, owner: item.instance.owner });
    return {
      text: `${STEP_LABELS[step]} sent for instance #${id} "${item.instance.name}" of ${item.instance.owner}. Its alert thread follows what happens next; /atmo instance ${id} shows it now.`,
      tone: 'success',
      visibility: 'ephemeral',
    };
  } catch (error) {
    await releaseDecision(deps.db, claim.row.id);
    ctx.audit({ instanceId: id, step, failed: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}
