import type { Deps } from '../../deps.js';
import { IntegrationError } from '../../errors.js';
import { integrationReason } from '../../bot/chat/render-error.js';
import type { ArgoClient } from '../../integrations/argo/argo-client.js';
import { failedNode, podNameOf, type ArgoWorkflow } from '../../integrations/argo/argo-workflow.js';
import { keys } from '../../integrations/kv/keys.js';
import { readCached } from './read-cached.js';

/** Lines of the failed step's `main` container shown: enough for Ansible's `fatal:` line and the recap. */
export const ARGO_LOG_TAIL_LINES = 20;

export interface ArgoWorkflowSummary {
  name: string;
  phase: string | null;
  createdAt: string | null;
}

export interface ArgoFailedStep {
  workflow: string;
  step: string;
  message: string | null;
  podName: string;
  /** The log tail, or why it could not be read. */
  log: { lines: string[] } | { error: string };
}

/**
 * What Argo Server said about an instance's deployment workflows: `unlabelled` when none carries its
 * `instance_uuid` label (Atmosphere labels workflows only since v37-3), else the workflows newest
 * first and the newest one's failed step with its log tail.
 */
export type ArgoEvidence =
  | { kind: 'unconfigured' }
  | { kind: 'pending' }
  | { kind: 'unlabelled'; namespace: string; selector: string; at: string }
  | { kind: 'workflows'; namespace: string; workflows: ArgoWorkflowSummary[]; failed: ArgoFailedStep | null; latestPhase: string | null; at: string }
  | { kind: 'failed'; reason: string; at: string };

async function failedStep(argo: ArgoClient, workflow: ArgoWorkflow): Promise<ArgoFailedStep | null> {
  const node = failedNode(workflow);
  if (!node) return null;
  const podName = podNameOf(workflow, node);
  const log = await argo
    .mainLogTail(workflow.name, podName, ARGO_LOG_TAIL_LINES)
    .then((lines) => ({ lines }))
    .catch((error: unknown) => {
      if (!(error instanceof IntegrationError)) throw error;
      return { error: integrationReason(error) };
    });
  return { workflow: workflow.name, step: node.displayName, message: node.message, podName, log };
}

/** The instance's workflows by its `instance_uuid` label, reused for EVIDENCE_TTL_MS. */
export async function readArgoEvidence(deps: Pick<Deps, 'argo' | 'kv' | 'log' | 'now'>, uuid: string): Promise<ArgoEvidence> {
  const argo = deps.argo;
  if (!argo) return { kind: 'unconfigured' };
  const selector = `instance_uuid=${uuid}`;
  return readCached(
    deps.kv,
    keys.evidence('argo', `${argo.namespace}:${uuid}`),
    deps.log,
    async (): Promise<ArgoEvidence> => {
      try {
        const workflows = await argo.listWorkflows(selector);
        const at = deps.now().toISOString();
        if (workflows.length === 0) return { kind: 'unlabelled', namespace: argo.namespace, selector, at };
        const latest = workflows[0]!;
        return {
          kind: 'workflows',
          namespace: argo.namespace,
          workflows: workflows.map((workflow) => ({ name: workflow.name, phase: workflow.phase, createdAt: workflow.createdAt })),
          failed: await failedStep(argo, latest),
          latestPhase: latest.phase,
          at,
        };
      } catch (error) {
        if (!(error instanceof IntegrationError)) throw error;
        deps.log.warn({ err: error }, 'Argo evidence not read');
        return { kind: 'failed', reason: integrationReason(error), at: deps.now().toISOString() };
      }
    },
    (evidence) => evidence.kind !== 'failed',
  );
}
