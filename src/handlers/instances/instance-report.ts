import { formatTimestamp } from '../format-time.js';
import { describeStatus } from './classify-instance.js';
import { describeRequestEvent } from '../describe-request-event.js';
import type { InstanceItem } from './load-instance-items.js';
import { describeImage, describeSize, instanceArgoLines, instanceFlowerLines, instanceNovaFindings, timelineLines } from './render-instance.js';

/**
 * The staff guide's "Contacting the Atmosphere Team" text for one instance, ready to paste: the
 * fields the guide asks for at a minimum, then the bot's findings, what was tried and the timeline.
 */
export function buildInstanceReport(item: InstanceItem, now: Date): string {
  const { instance, triage, current } = item;
  const nova = instanceNovaFindings(item);
  const atmosphereFault = current?.fault ? `${current.fault} [recorded by Atmosphere]` : null;
  const fault =
    nova?.fault ??
    atmosphereFault ??
    (nova && item.evidence?.nova.kind !== 'failed'
      ? '(none: Nova records no fault for the server)'
      : current?.status === 'error'
        ? `(none recorded by Atmosphere; run: ${item.tools.nova})`
        : '(none: the instance is not in error)');
  const novaMessage = item.evidence?.nova.kind === 'server' ? item.evidence.nova.server.fault?.message : undefined;
  const notes = [
    `Triage (atmo-bot): ${triage.label}. ${triage.summary}`,
    `Status: ${describeStatus(triage.evidence.status, triage.evidence.activity)} since ${formatTimestamp(triage.evidence.since)} (${triage.evidence.minutes} min).`,
    ...(nova?.notes ?? []),
    ...(novaMessage && current?.fault && current.fault !== novaMessage ? [`Atmosphere recorded a different fault: ${current.fault}`] : []),
    ...(instanceFlowerLines(item) ?? []).map((line) => `Flower: ${line.trim()}`),
    ...item.events.map((event) => `${describeRequestEvent(event)}.`),
    ...(triage.tools.deployLog ? [`Deploy logs: ${item.tools.deployLog}`] : []),
    ...(instanceArgoLines(item)?.map((line) => `Argo: ${line}`) ?? (triage.tools.argo ? [`Argo workflows: ${item.tools.argoList}`] : [])),
  ];
  return [
    `Username: ${instance.owner}`,
    `Instance ID: ${instance.uuid}`,
    `IP Address: ${instance.ip ?? 'none'}`,
    `Cloud Provider: ${instance.provider}`,
    `Image/Application selected: ${describeImage(item)}`,
    `Size selected: ${describeSize(item)}`,
    `Fault message from nova: ${fault}`,
    'Additional notes from triage:',
    ...notes.map((note) => `- ${note}`),
    '',
    `Status history (instance #${instance.id} "${instance.name}", launched ${formatTimestamp(instance.startDate)}):`,
    ...timelineLines(item, now).map((line) => `- ${line}`),
  ].join('\n');
}
