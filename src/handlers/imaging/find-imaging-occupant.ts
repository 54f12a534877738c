import type { Deps } from '../../deps.js';
import { getMachineRequest, listImagingSlotCandidates, type MachineRequestView } from '../../db/queries/machine-requests.js';
import { listRecentEventsByAction } from '../../db/queries/request-events.js';
import { listUnsettledSent, UNCONFIRMED_HOLD_MS } from '../../db/queries/decisions.js';
import { loadImagingItems, type ImagingItem } from './load-imaging-items.js';

/** The history action written when an approving API call ended without a clear answer. */
export const UNCONFIRMED_APPROVAL = 'approval-unconfirmed';

/**
 * How long an approval whose API call timed out or failed with a 5xx keeps the imaging slot while the
 * request still reads `pending`: Atmosphere may have applied it after all and be about to start the
 * chain. The decision journal's hold, so a held claim and the slot it keeps end together.
 */
export const UNCONFIRMED_APPROVAL_HOLD_MS = UNCONFIRMED_HOLD_MS;

/**
 * The requests holding the imaging slot: the staff guide allows at most one request in `started` or
 * `imaging` at a time. Running statuses count, and so does a stuck one (it may still be imaging; staff
 * re-submit it once flower shows nothing running). An errored one does not: its chain has stopped.
 * A pending request whose approval the bot sent recently without a clear answer counts too.
 * Usually zero or one; more when requests were approved outside the bot.
 */
export async function findImagingOccupants(deps: Deps): Promise<ImagingItem[]> {
  const candidates = await listImagingSlotCandidates(deps.db);
  const items = await loadImagingItems(deps, candidates);
  const running = items.filter((item) => item.triage.category === 'in-progress' || item.triage.category === 'stuck');
  return [...running, ...(await unconfirmedApprovals(deps, new Set(candidates.map((c) => c.id))))];
}

/**
 * Pending requests whose approval went out without a clear answer: an unfinished approval claim in the
 * decision journal whose call was sent (a staff member's or the queue job's; held, or left in progress
 * by a process that stopped), and the unconfirmed approvals the history records beside each hold.
 */
async function unconfirmedApprovals(deps: Deps, seen: ReadonlySet<number>): Promise<ImagingItem[]> {
  const now = deps.now().getTime();
  const since = new Date(now - UNCONFIRMED_APPROVAL_HOLD_MS);
  const events = await listRecentEventsByAction(deps.db, 'machine_request', UNCONFIRMED_APPROVAL, since);
  const claims = (await listUnsettledSent(deps.db, 'machine_request', 'approve')).filter(
    (claim) => (claim.heldUntil?.getTime() ?? claim.sentAt!.getTime() + UNCONFIRMED_APPROVAL_HOLD_MS) > now,
  );
  const pending: MachineRequestView[] = [];
  for (const id of new Set([...events.map((event) => event.recordId), ...claims.map((claim) => claim.recordId)])) {
    if (seen.has(id)) continue;
    const request = await getMachineRequest(deps.db, id);
    if (request?.status === 'pending') pending.push(request);
  }
  return loadImagingItems(deps, pending);
}
