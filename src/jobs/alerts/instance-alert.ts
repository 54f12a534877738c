import type { Button, Field, Reply } from '../../bot/chat/reply.js';
import { describeStatus } from '../../handlers/instances/classify-instance.js';
import { describeRequestEvent } from '../../handlers/describe-request-event.js';
import { toolLines } from '../../handlers/instances/instance-tools.js';
import type { InstanceItem } from '../../handlers/instances/load-instance-items.js';
import { STEP_LABELS, type StepChoice } from '../../handlers/instances/next-instance-step.js';
import { describeImage, instanceButtons, SHOW_INSTANCE_ACTION, toneOf } from '../../handlers/instances/render-instance.js';
import { formatAge, formatTimestamp } from '../../handlers/format-time.js';
import type { RequestEventRow } from './request-event-line.js';

export type InstanceThreadState = 'open' | 'resolved';

/** Errors and stuck instances open a thread. */
export function isInstanceAlertable(item: InstanceItem): boolean {
  return item.triage.severity === 'error' || item.triage.severity === 'stuck';
}

/** Green-light active, deleted, or settled (suspended, shut off): nothing left to do. */
export function instanceThreadState(item: InstanceItem): InstanceThreadState {
  return item.triage.severity === 'ok' ? 'resolved' : 'open';
}

/** What the thread reports, as one comparable string. */
export function instanceFingerprint(item: InstanceItem): string {
  const { evidence, category } = item.triage;
  return `${evidence.status}|${evidence.activity ?? ''}|${category}|${item.instance.endDate ? 'deleted' : ''}`;
}

/** The parent message of an instance's alert thread, edited to show the current state. */
export function buildInstanceParent(item: InstanceItem, choice: StepChoice | null, now: Date): Reply {
  const { instance, triage } = item;
  const state = instanceThreadState(item);
  const fields: Field[] = [
    { label: 'Owner', value: instance.owner },
    { label: 'Provider', value: instance.provider },
    { label: 'Image', value: describeImage(item) },
    { label: 'IP', value: instance.ip ?? 'none' },
    { label: 'Status', value: `${describeStatus(triage.evidence.status, triage.evidence.activity)} since ${formatTimestamp(triage.evidence.since)} (${formatAge(triage.evidence.since, now)})` },
  ];
  if (state === 'open' && triage.nextSteps.length > 0) {
    fields.push({ label: 'Next steps', value: [...triage.nextSteps.map((step, i) => `${i + 1}. ${step}`), ...toolLines(triage, item.tools)].join('\n') });
  }
  const buttons: Button[] = [{ label: 'Show', action: SHOW_INSTANCE_ACTION, value: String(instance.id) }, ...instanceButtons(item, choice)];
  return {
    title: `Instance #${instance.id} "${instance.name}": ${state === 'resolved' ? `${triage.label} (resolved)` : triage.label}`,
    text: `Instance #${instance.id} "${instance.name}" of ${instance.owner} on ${instance.provider} (${instance.uuid}): ${triage.summary}`,
    fields,
    ...(state === 'open' ? { buttons } : {}),
    footer: `${state === 'resolved' ? 'Resolved' : 'Updated'} ${formatTimestamp(now)}. Changes are posted in this thread.`,
    tone: state === 'resolved' ? 'success' : toneOf(triage),
    visibility: 'channel',
  };
}

function changeLine(previous: { status: string; oldStatus: string | null; category: string }, item: InstanceItem): string | null {
  const { triage } = item;
  if (previous.status === triage.evidence.status && (previous.oldStatus ?? null) === triage.evidence.activity && previous.category === triage.category) return null;
  const status = describeStatus(triage.evidence.status, triage.evidence.activity);
  switch (triage.category) {
    case 'deleted':
      return 'Deleted. Resolved.';
    case 'active':
      return 'Active: green light. Resolved.';
    case 'inactive':
      return `Now ${status}. Resolved.`;
    case 'deploy-error':
    case 'launch-error':
    case 'capacity':
      return `${previous.category === triage.category ? 'Errored again' : 'Error'} (${triage.label}): ${triage.summary}`;
    case 'networking-stuck':
    case 'deploying-stuck':
      return `Needs attention (${triage.label}): ${triage.summary}`;
    case 'networking':
      return 'Networking: booted, waiting for its IP and SSH key.';
    case 'deploying':
      return triage.evidence.status === 'redeploy' ? 'Redeploying.' : 'Deploying: Ansible is running on it.';
    case 'rebooting':
      return `Rebooting (${status}).`;
    default:
      return `Status is now ${status}.`;
  }
}

/** The thread reply for one tick: what the bot did (redeploys, reboots), then the new state. */
export function buildInstanceUpdate(input: {
  previous: { status: string; oldStatus: string | null; category: string; state: InstanceThreadState };
  item: InstanceItem;
  events: readonly RequestEventRow[];
}): Reply | null {
  const { previous, item, events } = input;
  const lines = events.map((event) => `${describeRequestEvent(event)}.`);
  const change = changeLine(previous, item);
  const state = instanceThreadState(item);
  if (change) lines.push(previous.state === 'resolved' && state === 'open' ? `Reopened. ${change}` : change);
  if (lines.length === 0) return null;
  const steps = item.triage.steps.map((step) => STEP_LABELS[step]);
  if (change && isInstanceAlertable(item) && item.triage.nextSteps[0]) lines.push(`Next: ${item.triage.nextSteps[0]}${steps.length ? ` (${steps.join(', then ')})` : ''}`);
  return { text: lines.join('\n'), visibility: 'channel', tone: state === 'resolved' ? 'success' : isInstanceAlertable(item) ? 'danger' : 'info' };
}
