import type { Deps } from '../../deps.js';
import { UserError } from '../../errors.js';
import { findLatestDecision, type DecisionRow } from '../../db/queries/decisions.js';
import { getMachineRequest, nextMachineRequestRound } from '../../db/queries/machine-requests.js';
import { describeClaim } from '../decisions/describe-claim.js';
import { alreadyDecided, claimForDecision } from '../decisions/claim-for-decision.js';
import { settleClaim } from '../decisions/settle-claim.js';
import type { Who } from '../decisions/who.js';
import { isErroredOrStuck, loadImagingItems, type ImagingItem } from './load-imaging-items.js';

export type MachineDecision = 'approve' | 'deny' | 'resubmit';

/** "was re-submitted by kpatel at 2026-11-23 17:00 UTC (on slack)", for "too late" replies and footers. */
export function describeMachineDecision(row: DecisionRow): string {
  return describeClaim(row);
}

/**
 * Settles an unfinished claim of the bot's on the request against Atmosphere (settle-claim.ts), so a
 * decision that landed while its reply was lost is recorded, and refuses a new decision while one is
 * running or held. Views call it too, so what they show is already complete.
 */
async function settleOpenClaim(deps: Deps, id: number, refuse: boolean): Promise<void> {
  const latest = await findLatestDecision(deps.db, 'machine_request', id);
  if (!latest || latest.state === 'done') return;
  const settled = await settleClaim(deps, latest);
  if (refuse && (settled.kind === 'busy' || settled.kind === 'held' || (settled.kind === 'done' && settled.recordedNow))) {
    throw alreadyDecided(deps, `Imaging request #${id}`, settled);
  }
}

/**
 * The request with its triage, queue place and history; a UserError when there is no such id. The
 * caller tags its audit row with the id first (`machineRequestId`), so `/atmo audit imaging <id>`
 * finds refusals too.
 */
export async function requireImagingItem(deps: Deps, id: number, refuseOpenClaim = false): Promise<ImagingItem> {
  await settleOpenClaim(deps, id, refuseOpenClaim);
  const request = await getMachineRequest(deps.db, id);
  if (!request) throw new UserError('not_found', `There is no imaging request #${id}. /atmo imaging pending lists the waiting ones.`);
  return (await loadImagingItems(deps, [request]))[0]!;
}

function refuseOwn(who: Who, item: ImagingItem, what: string): void {
  const own = who.userId !== null && (item.request.owner.id === who.userId || item.request.createdById === who.userId);
  if (own) throw new UserError('self_approval', `Imaging request #${item.request.id} is your own; another staff member has to ${what} it.`);
}

/** Approve and Deny apply to pending requests only, as in Troposphere; anything else says what to do. */
export async function checkPendingDecision(deps: Deps, who: Who, id: number, what: 'approve' | 'deny'): Promise<ImagingItem> {
  const item = await requireImagingItem(deps, id, true);
  const { request } = item;
  if (request.status !== 'pending') {
    const hint = isErroredOrStuck(item)
      ? ` It is ${item.triage.category === 'stuck' ? 'stuck' : 'in error'}: re-submit it first (/atmo imaging resubmit ${id}), then ${what} it.`
      : '';
    throw new UserError('already_decided', `Imaging request #${id} is ${request.status}, not pending, so there is nothing to ${what}.${hint} Nothing was changed.`);
  }
  refuseOwn(who, item, what);
  if (what === 'approve' && item.queued) {
    throw new UserError(
      'already_decided',
      `Imaging request #${id} was already approved by ${item.queued.queuedBy} and waits in the imaging queue at place ${item.queued.place}. /atmo imaging queue move ${id} 1 puts it next.`,
    );
  }
  // As for resource requests: maintenance or no API refuses before anything, a queue place included.
  await deps.gateway.checkWritable();
  return item;
}

/** Re-submit is for requests whose chain stopped (error, stuck, failed), as the guide's retry step. */
export async function checkResubmittable(deps: Deps, id: number): Promise<ImagingItem> {
  const item = await requireImagingItem(deps, id, true);
  if (!isErroredOrStuck(item)) {
    const state = item.request.status === 'pending' ? 'already pending: approve or deny it' : `${item.request.status} (${item.triage.summary}), not in error or stuck`;
    throw new UserError('already_decided', `Imaging request #${id} is ${state}. Nothing was changed.`);
  }
  await deps.gateway.checkWritable();
  return item;
}

/** Claims this round's decision on the request so only the first of simultaneous clicks acts. */
export async function claimMachineDecision(
  deps: Deps,
  who: Who,
  item: ImagingItem,
  action: MachineDecision,
  status: string,
  adminMessage = '',
): Promise<DecisionRow> {
  const id = item.request.id;
  return claimForDecision(deps, who, {
    subject: 'machine_request',
    recordId: id,
    round: await nextMachineRequestRound(deps.db, id),
    action,
    adminMessage,
    plan: { from: item.request.status, status },
    what: `Imaging request #${id}`,
  });
}
