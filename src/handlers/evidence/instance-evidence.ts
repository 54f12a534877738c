import type { Deps } from '../../deps.js';
import { triageInstance, type InstanceItem } from '../instances/load-instance-items.js';
import { readNovaEvidence, type NovaEvidence } from './nova-evidence.js';
import { readFlowerTasks, type FlowerTasksEvidence } from './flower-evidence.js';
import { readArgoEvidence, type ArgoEvidence } from './argo-evidence.js';

/** What the cloud's services said about one instance, gathered for its triage view and report. */
export interface InstanceEvidence {
  nova: NovaEvidence;
  /** The Celery tasks mentioning the instance; asked only while it is in error or stuck. */
  flower: FlowerTasksEvidence;
  /** The deployment workflows; asked only when the guide's triage points at Argo (deploy error, stuck deploying). */
  argo: ArgoEvidence;
}

/**
 * Asks each configured source about the instance. A deleted instance is not asked about: Nova
 * answering 404 for it says nothing new. Each source turns its own failures into evidence, so one
 * source that is down never keeps the others, or the view, from answering.
 */
export async function gatherInstanceEvidence(deps: Pick<Deps, 'openstack' | 'flower' | 'argo' | 'kv' | 'log' | 'now'>, item: InstanceItem): Promise<InstanceEvidence> {
  if (item.instance.endDate) return { nova: { kind: 'unconfigured' }, flower: { kind: 'unconfigured' }, argo: { kind: 'unconfigured' } };
  const troubled = item.triage.severity === 'error' || item.triage.severity === 'stuck';
  const [nova, flower, argo] = await Promise.all([
    readNovaEvidence(deps, { providerId: item.instance.providerId, uuid: item.instance.uuid }),
    troubled ? readFlowerTasks(deps, item.instance.uuid) : Promise.resolve({ kind: 'unconfigured' } as const),
    item.triage.tools.argo ? readArgoEvidence(deps, item.instance.uuid) : Promise.resolve({ kind: 'unconfigured' } as const),
  ]);
  return { nova, flower, argo };
}

/**
 * The item with its evidence attached, and triaged again with Nova's fault when Atmosphere recorded
 * none (the guide's "No valid host" reading needs the fault text). Only the error categories read the
 * fault, and they offer the same (no) action steps, so a step chosen before is still right.
 */
export function withEvidence(deps: Pick<Deps, 'config'>, item: InstanceItem, evidence: InstanceEvidence, now: Date): InstanceItem {
  const novaFault = evidence.nova.kind === 'server' ? (evidence.nova.server.fault?.message ?? null) : null;
  const triage = !item.current?.fault && novaFault ? triageInstance(deps.config, item.instance, item.current, now, novaFault) : item.triage;
  return { ...item, triage, evidence };
}
