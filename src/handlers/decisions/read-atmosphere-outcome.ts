import type { Database } from '../../db/client.js';
import type { DecisionRow } from '../../db/queries/decisions.js';
import { getMachineRequest } from '../../db/queries/machine-requests.js';
import { getResourceRequest } from '../../db/queries/resource-requests.js';
import { isInstanceStep, readInstanceOutcome } from '../instances/read-instance-outcome.js';

/** What a claim asks Atmosphere for, recorded before the call: the status it had and the one asked. */
export interface DecisionPlan {
  from: string;
  status: string;
  /** The quota assigned with an approval, as shown to staff. */
  quota?: string;
  /** The allocation granted with an approval, as shown to staff. */
  allocation?: string;
  /** The history action the record gets once done, when it is not the action's own (`auto-approved`, `redeployed`). */
  event?: string;
  /** Instance actions: the newest `instance_status_history` id when claimed; the action shows in rows after it. */
  after?: number;
}

/**
 * How Atmosphere's own tables compare with a claim: `applied` (it shows the change the claim asked
 * for), `unchanged` (still as before, so the change has not landed, or not yet), `elsewhere`
 * (changed in another way: someone decided it outside the bot) or `missing` (the record is gone).
 */
export type AtmosphereOutcome =
  | { kind: 'applied'; status: string }
  | { kind: 'unchanged'; status: string }
  | { kind: 'elsewhere'; status: string }
  | { kind: 'missing' };

export function planOf(row: DecisionRow): DecisionPlan | null {
  const plan = row.plan;
  if (!plan || typeof plan.from !== 'string' || typeof plan.status !== 'string') return null;
  return {
    from: plan.from,
    status: plan.status,
    ...(typeof plan.quota === 'string' ? { quota: plan.quota } : {}),
    ...(typeof plan.allocation === 'string' ? { allocation: plan.allocation } : {}),
    ...(typeof plan.event === 'string' ? { event: plan.event } : {}),
    ...(typeof plan.after === 'number' ? { after: plan.after } : {}),
  };
}

/** Statuses an approved imaging request moves through; any of them means the approval landed. */
const AFTER_APPROVAL = new Set(['approved', 'started', 'processing', 'validating', 'completed', 'failed']);

/** Re-reads the claim's record in Atmosphere's database (the Drizzle mapping) and judges the claim against it. */
export async function readAtmosphereOutcome(db: Database, row: DecisionRow): Promise<AtmosphereOutcome> {
  const plan = planOf(row);
  if (row.subject === 'instance') {
    // A claim without its starting point cannot tell the action's rows from older ones: never "applied".
    if (!isInstanceStep(row.action) || plan?.after === undefined) return { kind: 'unchanged', status: 'unknown' };
    return readInstanceOutcome(db, row.recordId, row.action, plan.after);
  }
  if (row.subject === 'resource_request') {
    const request = await getResourceRequest(db, row.recordId);
    if (!request) return { kind: 'missing' };
    const status = request.status;
    if (plan && status === plan.from) return { kind: 'unchanged', status };
    // Atmosphere stores the admin message the decision sent; a different one was someone else's.
    const sameMessage = request.adminMessage.trim() === row.adminMessage.trim();
    return plan && status === plan.status && sameMessage ? { kind: 'applied', status } : { kind: 'elsewhere', status };
  }
  const request = await getMachineRequest(db, row.recordId);
  if (!request) return { kind: 'missing' };
  const status = request.status;
  if (plan && status === plan.from) return { kind: 'unchanged', status };
  const applied = plan !== null && (status === plan.status || (plan.status === 'approved' && AFTER_APPROVAL.has(status)));
  return applied ? { kind: 'applied', status } : { kind: 'elsewhere', status };
}
