/**
 * The parts of an Argo Workflow the bot reads (argo-workflows `pkg/apis/workflow/v1alpha1`:
 * `metadata`, `status.phase`/`message`, `status.nodes` keyed by node id with `name`, `displayName`,
 * `type`, `phase`, `message`, `templateName`, `startedAt`, `finishedAt`).
 */
export interface ArgoNode {
  id: string;
  name: string;
  displayName: string;
  /** `Pod`, `Steps`, `DAG`, `Retry`, `Skipped`, ... */
  type: string;
  /** `Pending`, `Running`, `Succeeded`, `Failed`, `Error`, `Skipped`, `Omitted`. */
  phase: string;
  message: string | null;
  templateName: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ArgoWorkflow {
  name: string;
  labels: Record<string, string>;
  createdAt: string | null;
  phase: string | null;
  message: string | null;
  nodes: ArgoNode[];
  /** `workflows.argoproj.io/pod-name-format`: `v2` names pods `<workflow>-<template>-<hash>`, else the node id. */
  podNameFormat: string | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

export function toWorkflow(value: unknown): ArgoWorkflow | null {
  if (typeof value !== 'object' || value === null) return null;
  const { metadata, status } = value as { metadata?: Record<string, unknown>; status?: Record<string, unknown> };
  const name = text(metadata?.name);
  if (!name) return null;
  const labels = typeof metadata?.labels === 'object' && metadata.labels !== null ? (metadata.labels as Record<string, string>) : {};
  const annotations = typeof metadata?.annotations === 'object' && metadata.annotations !== null ? (metadata.annotations as Record<string, unknown>) : {};
  const rawNodes = typeof status?.nodes === 'object' && status.nodes !== null ? Object.entries(status.nodes as Record<string, unknown>) : [];
  const nodes = rawNodes.flatMap(([id, node]): ArgoNode[] => {
    if (typeof node !== 'object' || node === null) return [];
    const n = node as Record<string, unknown>;
    return [{
      id: text(n.id) ?? id,
      name: text(n.name) ?? id,
      displayName: text(n.displayName) ?? text(n.name) ?? id,
      type: text(n.type) ?? 'Unknown',
      phase: text(n.phase) ?? 'Unknown',
      message: text(n.message),
      templateName: text(n.templateName),
      startedAt: text(n.startedAt),
      finishedAt: text(n.finishedAt),
    }];
  });
  return {
    name,
    labels,
    createdAt: text(metadata?.creationTimestamp),
    phase: text(status?.phase),
    message: text(status?.message),
    nodes,
    podNameFormat: text(annotations['workflows.argoproj.io/pod-name-format']),
  };
}

/** FNV-1a, 32 bits: what Argo hashes a node name with for v2 pod names (workflow/util/pod_name.go). */
function fnv32a(input: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(input, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Kubernetes names are at most 253 characters; v2 keeps room for `-` and a 10-digit hash. */
const MAX_PREFIX = 253 - 10 - 1;

/**
 * The pod a node ran in, as Argo names it: the node id under the v1 format (Argo before 3.4, and the
 * Atmosphere deployments of v37), `<workflow>-<template>-<fnv32a(node name)>` under v2.
 */
export function podNameOf(workflow: Pick<ArgoWorkflow, 'name' | 'podNameFormat'>, node: Pick<ArgoNode, 'id' | 'name' | 'templateName'>): string {
  if (workflow.podNameFormat !== 'v2' || !node.templateName) return node.id;
  if (node.name === workflow.name) return workflow.name;
  const prefix = `${workflow.name}-${node.templateName}`.slice(0, MAX_PREFIX);
  return `${prefix}-${fnv32a(node.name)}`;
}

/** The step that failed: the last-finished Pod node in Failed or Error, or null when none did. */
export function failedNode(workflow: ArgoWorkflow): ArgoNode | null {
  const failed = workflow.nodes.filter((node) => node.type === 'Pod' && (node.phase === 'Failed' || node.phase === 'Error'));
  return failed.sort((a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? ''))[0] ?? null;
}
