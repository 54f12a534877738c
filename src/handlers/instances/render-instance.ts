import type { Button, Field, Reply, Section } from '../../bot/chat/reply.js';
import { formatAge, formatTimestamp } from '../format-time.js';
import { describeStatus, type InstanceTriage } from './classify-instance.js';
import { toolLines } from './instance-tools.js';
import type { InstanceItem } from './load-instance-items.js';
import { STEP_LABELS, type StepChoice } from './next-instance-step.js';
import { describeRequestEvent } from '../describe-request-event.js';
import { novaFindings, type NovaFindings } from '../evidence/render-nova-evidence.js';
import { flowerTaskLines } from '../evidence/render-flower-evidence.js';
import { argoLines, resubmittableWorkflow } from '../evidence/render-argo-evidence.js';

export const SHOW_INSTANCE_ACTION = 'in:show';
export const STEP_INSTANCE_ACTION = 'in:step';
export const CONFIRM_INSTANCE_ACTION = 'in:confirm';
export const CANCEL_INSTANCE_ACTION = 'in:cancel';
export const REPORT_INSTANCE_ACTION = 'in:report';
export const RESUBMIT_WORKFLOW_ACTION = 'in:argo-resubmit';
export const CONFIRM_RESUBMIT_ACTION = 'in:argo-resubmit-confirm';

/** Timeline rows shown in one message; older ones are counted, not listed. */
const TIMELINE_ROWS = 12;
/** Instances listed in one message. */
export const INSTANCE_LIST_LIMIT = 25;

export function toneOf(triage: InstanceTriage): Reply['tone'] {
  return triage.severity === 'error' ? 'danger' : triage.severity === 'stuck' ? 'warning' : triage.severity === 'ok' ? 'success' : 'info';
}

/** `Ubuntu 18.04 (v1.2), ProviderMachine 5e1c…` */
export function describeImage(item: InstanceItem): string {
  const { instance } = item;
  const app = instance.application ? `${instance.application}${instance.version ? ` (${instance.version})` : ''}` : 'booted from a volume or an unknown image';
  return `${app}; ProviderMachine ${instance.machineUuid}`;
}

export function describeSize(item: InstanceItem): string {
  const row = item.current;
  return row ? `${row.size} (${row.cpu} CPU, ${Math.round(row.memMb / 1024)} GB)` : 'unknown';
}

/** One line per history row: `networking / networking  2026-11-30 14:02 UTC, 25 min`. */
export function timelineLines(item: InstanceItem, now: Date): string[] {
  const rows = item.history.slice(-TIMELINE_ROWS);
  const lines = rows.map((row) => {
    const until = row.endDate ?? now;
    const held = formatAge(row.startDate, until);
    return `${describeStatus(row.status, row.activity)}: from ${formatTimestamp(row.startDate)}, ${held === 'just now' ? 'under a minute' : held}${row.endDate ? '' : ' (now)'}`;
  });
  const older = item.history.length - rows.length;
  return older > 0 ? [`(${older} older rows)`, ...lines] : lines;
}

/** The step button and the others every view carries. */
export function instanceButtons(item: InstanceItem, choice: StepChoice | null): Button[] {
  const id = String(item.instance.id);
  const buttons: Button[] = [];
  if (choice?.next) buttons.push({ label: STEP_LABELS[choice.next], action: STEP_INSTANCE_ACTION, value: `${id}:${choice.next}`, style: 'primary' });
  if (item.triage.severity === 'error' || item.triage.severity === 'stuck') buttons.push({ label: 'Report', action: REPORT_INSTANCE_ACTION, value: id });
  const workflow = item.evidence ? resubmittableWorkflow(item.evidence.argo) : null;
  if (workflow) buttons.push({ label: 'Resubmit workflow', action: RESUBMIT_WORKFLOW_ACTION, value: `${id}:${workflow}` });
  return buttons;
}

/** The guide's next steps with the tools filled in, and what the bot already tried. */
export function nextStepText(item: InstanceItem, choice: StepChoice | null, actionsNote?: string): string | null {
  const { triage } = item;
  if (triage.nextSteps.length === 0) return null;
  const lines = triage.nextSteps.map((step, i) => `${i + 1}. ${step}`);
  // Once Nova has answered, its fault is in the view: the `nova show` command is only for when it could not be asked.
  // Likewise the argo commands once Argo Server has answered.
  const novaAnswered = item.evidence?.nova.kind === 'server' || item.evidence?.nova.kind === 'gone';
  const argoAnswered = item.evidence?.argo.kind === 'workflows' || item.evidence?.argo.kind === 'unlabelled';
  lines.push(...toolLines({ ...triage, tools: { ...triage.tools, nova: triage.tools.nova && !novaAnswered, argo: triage.tools.argo && !argoAnswered } }, item.tools));
  if (choice && choice.tried.length > 0) lines.push(`Tried since ${formatTimestamp(item.episodeStart)}: ${choice.tried.map((step) => STEP_LABELS[step]).join(', ')}.`);
  if (choice && choice.unavailable.length > 0) {
    lines.push(`Not offered by Atmosphere for this instance now: ${choice.unavailable.map((step) => STEP_LABELS[step]).join(', ')}.`);
  }
  if (actionsNote) lines.push(actionsNote);
  return lines.join('\n');
}

/** What Nova said about the instance next to Atmosphere's record; null without OpenStack for its provider. */
export function instanceNovaFindings(item: InstanceItem): NovaFindings | null {
  if (!item.evidence) return null;
  const { current, instance, triage } = item;
  return novaFindings(
    item.evidence.nova,
    { status: triage.evidence.status, activity: triage.evidence.activity, since: triage.evidence.since, deleted: instance.endDate !== null, fault: current?.fault ?? null },
    item.tools.nova,
  );
}

/** The Celery tasks Flower found for the instance; null without Flower's API, or when it was not asked. */
export function instanceFlowerLines(item: InstanceItem): string[] | null {
  return item.evidence ? flowerTaskLines(item.evidence.flower, item.tools.flower) : null;
}

/** The instance's deployment workflows from Argo Server; null without its API, or when it was not asked. */
export function instanceArgoLines(item: InstanceItem): string[] | null {
  return item.evidence ? argoLines(item.evidence.argo, item.tools) : null;
}

/** `/atmo instance <id>`: the instance, its timeline, triage and the next step's button. */
export function renderInstanceDetail(item: InstanceItem, now: Date, choice: StepChoice | null, actionsNote?: string): Reply {
  const { instance, triage } = item;
  const fields: Field[] = [
    { label: 'Owner', value: instance.owner },
    { label: 'Provider', value: instance.provider },
    { label: 'Size', value: describeSize(item) },
    { label: 'Image', value: describeImage(item) },
    { label: 'IP', value: instance.ip ?? 'none' },
    { label: 'Instance ID', value: instance.uuid },
    { label: 'Age', value: `${formatAge(instance.startDate, now)} (launched ${formatTimestamp(instance.startDate)})${instance.endDate ? `, deleted ${formatTimestamp(instance.endDate)}` : ''}` },
    { label: 'Status', value: `${describeStatus(triage.evidence.status, triage.evidence.activity)} since ${formatTimestamp(triage.evidence.since)} (${formatAge(triage.evidence.since, now)})` },
  ];
  const sections: Section[] = [{ text: `*Timeline*\n${timelineLines(item, now).join('\n') || 'no status history'}` }];
  const steps = nextStepText(item, choice, actionsNote);
  sections.push({ text: `*Triage: ${triage.label}*\n${triage.summary}${steps ? `\n${steps}` : ''}` });
  const nova = instanceNovaFindings(item);
  if (nova) sections.push({ text: `*Nova next to Atmosphere*\n${nova.lines.join('\n')}` });
  const flower = instanceFlowerLines(item);
  if (flower) sections.push({ text: `*Flower: Celery tasks of the instance*\n${flower.join('\n')}` });
  const argo = instanceArgoLines(item);
  if (argo) sections.push({ text: `*Argo: deployment workflows*\n${argo.join('\n')}` });
  if (item.events.length > 0) sections.push({ text: `*Bot history*\n${item.events.map((event) => describeRequestEvent(event)).join('\n')}` });
  return {
    title: `Instance #${instance.id} "${instance.name}": ${triage.label}`,
    text: `Instance #${instance.id} "${instance.name}" of ${instance.owner} on ${instance.provider}: ${triage.summary}`,
    fields,
    sections,
    buttons: instanceButtons(item, choice),
    tone: toneOf(triage),
    visibility: 'ephemeral',
  };
}

/** A list of instances (stuck, or one user's), oldest status first, each with its buttons; at most `limit` of them. */
export function renderInstanceList(items: readonly InstanceItem[], heading: string, now: Date, empty: string, limit = INSTANCE_LIST_LIMIT): Reply {
  if (items.length === 0) return { text: empty, visibility: 'ephemeral' };
  const shown = items.slice(0, limit);
  const sections: Section[] = shown.map((item) => ({
    text:
      `*#${item.instance.id} ${item.instance.name}* (${item.instance.owner}, ${item.instance.provider}): ${item.triage.label}, ` +
      `${describeStatus(item.triage.evidence.status, item.triage.evidence.activity)} for ${formatAge(item.triage.evidence.since, now)}\n${item.triage.summary}`,
    buttons: [{ label: 'Show', action: SHOW_INSTANCE_ACTION, value: String(item.instance.id) }, ...instanceButtons(item, null)],
  }));
  const more = items.length > shown.length ? ` (the first ${shown.length} shown; /atmo instance <id> shows any one)` : '';
  return { text: `${heading}${more}`, sections, visibility: 'ephemeral', tone: items.some((item) => item.triage.severity === 'error') ? 'danger' : 'info' };
}
