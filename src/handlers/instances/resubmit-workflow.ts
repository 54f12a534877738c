import { z } from 'zod';
import { defineAction, type ActingContext, type HandlerContext } from '../../bot/chat/command.js';
import type { Reply } from '../../bot/chat/reply.js';
import { IntegrationError, UserError } from '../../errors.js';
import type { ArgoClient } from '../../integrations/argo/argo-client.js';
import { keys, WORKFLOW_RESUBMIT_TTL_MS } from '../../integrations/kv/keys.js';
import { requireInstanceItem } from './build-instance-messages.js';
import { CANCEL_INSTANCE_ACTION, CONFIRM_RESUBMIT_ACTION, RESUBMIT_WORKFLOW_ACTION } from './render-instance.js';

/** `<instance id>:<workflow name>`; a workflow name is a Kubernetes object name. Untrusted input. */
const workflowValue = z
  .string()
  .regex(/^[1-9]\d{0,9}:[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/)
  .transform((value) => {
    const at = value.indexOf(':');
    return { id: Number(value.slice(0, at)), workflow: value.slice(at + 1) };
  })
  .refine((value) => value.id <= 2_147_483_647);

function requireArgo(ctx: HandlerContext): ArgoClient {
  if (!ctx.deps.argo) throw new UserError('unavailable', 'Argo Server is not configured (ARGO_SERVER_URL, ARGO_TOKEN): resubmit by hand with `argo resubmit -n <namespace> <workflow>`.');
  return ctx.deps.argo;
}

/**
 * The workflow, checked at click time: it exists, belongs to the instance (its `instance_uuid`
 * label), and failed. A button value is only a claim; Argo is asked again.
 */
async function checkWorkflow(ctx: HandlerContext, argo: ArgoClient, id: number, name: string) {
  const item = await requireInstanceItem(ctx, id);
  const workflow = await argo.getWorkflow(name);
  if (!workflow) throw new UserError('not_found', `Argo has no workflow ${name} in namespace ${argo.namespace} any more. Nothing was resubmitted; /atmo instance ${id} shows its workflows now.`);
  if (workflow.labels.instance_uuid !== item.instance.uuid) {
    throw new UserError('invalid_value', `Workflow ${name} is not a deployment of instance #${id} (its instance_uuid label is ${workflow.labels.instance_uuid ?? 'missing'}). Nothing was resubmitted.`);
  }
  if (workflow.phase !== 'Failed' && workflow.phase !== 'Error') {
    throw new UserError('already_decided', `Workflow ${name} is ${workflow.phase ?? 'in an unknown phase'}, not failed: there is nothing to resubmit.`);
  }
  return { item, workflow };
}

/** The Resubmit button: a confirmation naming the workflow, the instance and its owner. */
export const resubmitWorkflowAction = defineAction({
  name: RESUBMIT_WORKFLOW_ACTION,
  value: workflowValue,
  permission: 'staff',
  async run(ctx, value): Promise<Reply> {
    const argo = requireArgo(ctx);
    const { item } = await checkWorkflow(ctx, argo, value.id, value.workflow);
    const { instance } = item;
    return {
      title: `Resubmit workflow ${value.workflow}?`,
      text: `Resubmit Argo workflow ${value.workflow} (namespace ${argo.namespace}) of instance #${instance.id} "${instance.name}" (${instance.uuid}) of ${instance.owner}? Argo makes a new workflow with the same definition and parameters, as \`argo resubmit\` does: the deployment playbooks run again on the instance.`,
      buttons: [
        { label: 'Resubmit it', action: CONFIRM_RESUBMIT_ACTION, value: `${instance.id}:${value.workflow}`, style: 'primary' },
        { label: 'Cancel', action: CANCEL_INSTANCE_ACTION, value: String(instance.id) },
      ],
      visibility: 'ephemeral',
    };
  },
});

/**
 * The confirmation's click: the first click wins (a marker in the shared store, across replicas and
 * platforms), the workflow is checked again, and Argo's resubmit is called once. A clear refusal
 * gives the marker back; a timeout keeps it, since the new workflow may exist.
 */
export const confirmResubmitAction = defineAction({
  name: CONFIRM_RESUBMIT_ACTION,
  value: workflowValue,
  permission: 'staff',
  async run(ctx: ActingContext, value): Promise<Reply> {
    const argo = requireArgo(ctx);
    const marker = keys.workflowResubmit(argo.namespace, value.workflow);
    const who = ctx.actor.username;
    if (!(await ctx.deps.kv.setIfAbsent(marker, who, WORKFLOW_RESUBMIT_TTL_MS))) {
      const by = await ctx.deps.kv.get(marker);
      throw new UserError('already_decided', `Workflow ${value.workflow} was already resubmitted${by ? ` by ${by}` : ''}. Nothing was sent again; /atmo instance ${value.id} shows the new workflow.`);
    }
    let created: string;
    try {
      await checkWorkflow(ctx, argo, value.id, value.workflow);
      created = await argo.resubmit(value.workflow);
    } catch (error) {
      const unclear = error instanceof IntegrationError && (error.status === undefined || error.status >= 500);
      if (!unclear) await ctx.deps.kv.deleteIfEquals(marker, who).catch((cause: unknown) => ctx.log.warn({ err: cause }, 'could not clear the resubmit marker'));
      ctx.audit({ instanceId: value.id, workflow: value.workflow, namespace: argo.namespace, failed: error instanceof Error ? error.message : String(error), ...(unclear ? { held: true } : {}) });
      throw error;
    }
    ctx.audit({ instanceId: value.id, workflow: value.workflow, namespace: argo.namespace, resubmitted: created });
    const text = `Workflow ${value.workflow} resubmitted by ${who} as ${created} (namespace ${argo.namespace}) for instance #${value.id}. /atmo instance ${value.id} shows how it goes.`;
    await ctx.updateSource({ text }).catch((error: unknown) => ctx.log.warn({ err: error }, 'could not update the confirmation'));
    return { text, tone: 'success', visibility: 'ephemeral' };
  },
});
