import { formatTimestamp } from '../format-time.js';
import type { InstanceTools } from '../instances/instance-tools.js';
import type { ArgoEvidence } from './argo-evidence.js';
import { PENDING } from './render-nova-evidence.js';

/** Workflows listed by name; older ones are counted. */
const WORKFLOWS_SHOWN = 5;

const at = (text: string | null) => (text ? formatTimestamp(new Date(text)) : 'time not recorded');

/**
 * The instance's deployment workflows as Argo Server lists them, the newest one's failed step with
 * Argo's message and the tail of its `main` container; before v37-3 (no labels) the deploy log route
 * instead. Null without Argo Server's API.
 */
export function argoLines(evidence: ArgoEvidence, tools: Pick<InstanceTools, 'argoList' | 'deployLog'>): string[] | null {
  if (evidence.kind === 'unconfigured') return null;
  if (evidence.kind === 'pending') return [PENDING('Argo Server')];
  if (evidence.kind === 'failed') return [`Could not ask Argo Server: ${evidence.reason}`, `Run by hand: \`${tools.argoList}\``];
  const read = `(Argo Server, namespace ${evidence.namespace}, read ${at(evidence.at)})`;
  if (evidence.kind === 'unlabelled') {
    return [
      read,
      `No workflow carries the label ${evidence.selector}: Atmosphere labels deployment workflows only since v37-3.`,
      `Read the deploy logs instead (one file per step, pulled once the workflow completes): ${tools.deployLog}`,
    ];
  }
  const shown = evidence.workflows.slice(0, WORKFLOWS_SHOWN);
  const lines = [read, `Workflows, newest first: ${shown.map((workflow) => `${workflow.name} ${workflow.phase ?? 'unknown'} (created ${at(workflow.createdAt)})`).join('; ')}${evidence.workflows.length > shown.length ? `; ${evidence.workflows.length - shown.length} older` : ''}`];
  const failed = evidence.failed;
  if (!failed) {
    lines.push(`The newest workflow (${shown[0]?.name ?? 'none'}) has no failed step; it is ${evidence.latestPhase ?? 'in an unknown phase'}.`);
    return lines;
  }
  lines.push(`Failed step of ${failed.workflow}: ${failed.step}: ${failed.message ?? 'no message'} (pod ${failed.podName})`);
  if ('error' in failed.log) lines.push(`Its log could not be read: ${failed.log.error}`);
  else if (failed.log.lines.length === 0) lines.push('Its main container logged nothing.');
  else lines.push(`Last ${failed.log.lines.length} lines of its main container:`, ...failed.log.lines.map((line) => `| ${line}`));
  return lines;
}

/** The workflow a Resubmit button offers: the newest one, when it failed. */
export function resubmittableWorkflow(evidence: ArgoEvidence): string | null {
  if (evidence.kind !== 'workflows') return null;
  const newest = evidence.workflows[0];
  return newest && (newest.phase === 'Failed' || newest.phase === 'Error') ? newest.name : null;
}
