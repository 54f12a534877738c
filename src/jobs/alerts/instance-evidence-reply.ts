import type { Button, Reply, Section } from '../../bot/chat/reply.js';
import type { Deps } from '../../deps.js';
import type { InstanceEvidence } from '../../handlers/evidence/instance-evidence.js';
import { resubmittableWorkflow } from '../../handlers/evidence/render-argo-evidence.js';
import { formatTimestamp } from '../../handlers/format-time.js';
import type { InstanceItem } from '../../handlers/instances/load-instance-items.js';
import { instanceArgoLines, instanceFlowerLines, instanceNovaFindings, RESUBMIT_WORKFLOW_ACTION } from '../../handlers/instances/render-instance.js';

/** Whether any source of cloud evidence is configured; without one the thread stays as it was (the parent's next steps name the commands). */
export function hasEvidenceSources(deps: Pick<Deps, 'openstack' | 'flower' | 'argo'>): boolean {
  return Boolean(deps.openstack || deps.flower || deps.argo);
}

const isPending = (evidence: InstanceEvidence) => evidence.nova.kind === 'pending' || evidence.flower.kind === 'pending' || evidence.argo.kind === 'pending';

function novaSection(item: InstanceItem): Section {
  const findings = instanceNovaFindings(item);
  const lines = findings?.lines ?? [
    `Not asked: OPENSTACK_CLOUDS names no cloud for provider ${item.instance.providerId} (${item.instance.provider}).`,
    `Run by hand: \`${item.tools.nova}\``,
  ];
  return { text: `*Nova next to Atmosphere*\n${lines.join('\n')}` };
}

function flowerSection(item: InstanceItem): Section {
  const lines = instanceFlowerLines(item) ?? ['Not asked: Flower\'s API is not configured (FLOWER_URL, FLOWER_USER, FLOWER_PASSWORD).', `Search by hand: ${item.tools.flower}`];
  return { text: `*Flower: Celery tasks of the instance*\n${lines.join('\n')}` };
}

function argoSection(item: InstanceItem, evidence: InstanceEvidence): Section {
  const { tools } = item;
  const lines = instanceArgoLines(item) ?? [
    'Not asked: Argo Server\'s API is not configured (ARGO_SERVER_URL, ARGO_TOKEN).',
    `Run by hand: \`${tools.argoList}\`, then \`${tools.argoGet}\` and \`${tools.argoLogs}\``,
  ];
  // A failure already names `argo list`; the failed step and its log are what staff look for next.
  if (evidence.argo.kind === 'failed') lines.push(`The failed step and its log by hand: \`${tools.argoGet}\` and \`${tools.argoLogs}\``);
  return { text: `*Argo: deployment workflows*\n${lines.join('\n')}` };
}

/**
 * The reply in an instance's alert thread with what the cloud said when the alert was posted or its
 * state changed: Nova next to Atmosphere (the fault as the guide reads it, a mismatch), the Celery
 * tasks Flower found, and, where the triage points at Argo, the failed step with its log tail and a
 * Resubmit button (staff only, checked at click time). A source that is not configured, or could not
 * be asked, shows the command to run instead. `item` carries the same `evidence` (see withEvidence).
 */
export function buildInstanceEvidenceReply(item: InstanceItem, evidence: InstanceEvidence, readAt: Date, updatedAt?: Date): Reply {
  const { instance } = item;
  const sections: Section[] = [novaSection(item), flowerSection(item)];
  if (item.triage.tools.argo) sections.push(argoSection(item, evidence));
  const workflow = item.triage.tools.argo ? resubmittableWorkflow(evidence.argo) : null;
  const buttons: Button[] = workflow ? [{ label: 'Resubmit workflow', action: RESUBMIT_WORKFLOW_ACTION, value: `${instance.id}:${workflow}` }] : [];
  const footer = isPending(evidence)
    ? `Read ${formatTimestamp(readAt)}; the sources still out are added to this message when they answer.`
    : updatedAt
      ? `Read ${formatTimestamp(readAt)}, completed ${formatTimestamp(updatedAt)} with the late answers.`
      : `Read ${formatTimestamp(readAt)}.`;
  return {
    text: `Evidence from the cloud for instance #${instance.id} "${instance.name}" (${instance.uuid}), each line naming its source:`,
    sections,
    ...(buttons.length > 0 ? { buttons } : {}),
    footer,
    tone: 'info',
    visibility: 'channel',
  };
}
