import type { Deps } from '../../deps.js';
import { triageInstance, type InstanceItem } from '../instances/load-instance-items.js';
import { readNovaEvidence, type NovaEvidence } from './nova-evidence.js';
import { readFlowerTasks, type FlowerTasksEvidence } from './flower-evidence.js';
import { readArgoEvidence, type ArgoEvidence } from './argo-evidence.js';
import { settlesWithin } from './settles-within.js';

/** What the cloud's services said about one instance, gathered for its triage view and report. */
export interface InstanceEvidence {
  nova: NovaEvidence;
  /** The Celery tasks mentioning the instance; asked only while it is in error or stuck. */
  flower: FlowerTasksEvidence;
  /** The deployment workflows; asked only when the guide's triage points at Argo (deploy error, stuck deploying). */
  argo: ArgoEvidence;
}

const NOT_ASKED = { nova: { kind: 'unconfigured' }, flower: { kind: 'unconfigured' }, argo: { kind: 'unconfigured' } } as const satisfies InstanceEvidence;

/**
 * Asks each configured source about the instance, all at once. A deleted instance is not asked
 * about: Nova answering 404 for it says nothing new. Each source turns its own failures into
 * evidence, so one source that is down never keeps the others, or the view, from answering.
 */
export function askInstanceSources(deps: Pick<Deps, 'openstack' | 'flower' | 'argo' | 'kv' | 'log' | 'now'>, item: InstanceItem): { [K in keyof InstanceEvidence]: Promise<InstanceEvidence[K]> } {
  if (item.instance.endDate) return { nova: Promise.resolve(NOT_ASKED.nova), flower: Promise.resolve(NOT_ASKED.flower), argo: Promise.resolve(NOT_ASKED.argo) };
  const troubled = item.triage.severity === 'error' || item.triage.severity === 'stuck';
  return {
    nova: readNovaEvidence(deps, { providerId: item.instance.providerId, uuid: item.instance.uuid }),
    flower: troubled ? readFlowerTasks(deps, item.instance.uuid) : Promise.resolve(NOT_ASKED.flower),
    argo: item.triage.tools.argo ? readArgoEvidence(deps, item.instance.uuid) : Promise.resolve(NOT_ASKED.argo),
  };
}

/** Every source's answer, however long it takes (bounded by each client's timeout). */
export async function gatherInstanceEvidence(deps: Pick<Deps, 'openstack' | 'flower' | 'argo' | 'kv' | 'log' | 'now'>, item: InstanceItem): Promise<InstanceEvidence> {
  const asked = askInstanceSources(deps, item);
  const [nova, flower, argo] = await Promise.all([asked.nova, asked.flower, asked.argo]);
  return { nova, flower, argo };
}

/** The sources of one instance being asked: what has answered so far, and all of it once every one has. */
export interface Gathering {
  /** The answers in so far; a source still out is `pending`. */
  seen(): InstanceEvidence;
  /** Every source's answer, however long it takes (bounded by each client's timeout). */
  all: Promise<InstanceEvidence>;
}

/** Starts asking every source about the instance at once; nothing waits for it yet. */
export function startGathering(deps: Pick<Deps, 'openstack' | 'flower' | 'argo' | 'kv' | 'log' | 'now'>, item: InstanceItem): Gathering {
  const asked = askInstanceSources(deps, item);
  const seen: InstanceEvidence = { nova: { kind: 'pending' }, flower: { kind: 'pending' }, argo: { kind: 'pending' } };
  const all = Promise.all([asked.nova.then((v) => (seen.nova = v)), asked.flower.then((v) => (seen.flower = v)), asked.argo.then((v) => (seen.argo = v))]).then(() => ({ ...seen }));
  return { seen: () => ({ ...seen }), all };
}

/**
 * What the sources of `gathering` said within `waitMs`, the others `pending`, and, when some were
 * late, the whole evidence once they have all answered: a message goes out in time and tells the rest after.
 */
export async function settleWithin(gathering: Gathering, waitMs: number): Promise<{ evidence: InstanceEvidence; late: Promise<InstanceEvidence> | null }> {
  const done = await settlesWithin(gathering.all, waitMs);
  return { evidence: gathering.seen(), late: done ? null : gathering.all };
}

/** `startGathering` and `settleWithin` in one: the view's way. */
export function gatherWithin(
  deps: Pick<Deps, 'openstack' | 'flower' | 'argo' | 'kv' | 'log' | 'now'>,
  item: InstanceItem,
  waitMs: number,
): Promise<{ evidence: InstanceEvidence; late: Promise<InstanceEvidence> | null }> {
  return settleWithin(startGathering(deps, item), waitMs);
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
