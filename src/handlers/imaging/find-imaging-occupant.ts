import type { Deps } from '../../deps.js';
import { listImagingSlotCandidates } from '../../db/queries/machine-requests.js';
import { loadImagingItems, type ImagingItem } from './load-imaging-items.js';

/**
 * The requests holding the imaging slot: the staff guide allows at most one request in `started` or
 * `imaging` at a time. Running statuses count, and so does a stuck one (it may still be imaging; staff
 * re-submit it once flower shows nothing running). An errored one does not: its chain has stopped.
 * Usually zero or one; more when requests were approved outside the bot.
 */
export async function findImagingOccupants(deps: Deps): Promise<ImagingItem[]> {
  const candidates = await listImagingSlotCandidates(deps.db);
  const items = await loadImagingItems(deps, candidates);
  return items.filter((item) => item.triage.category === 'in-progress' || item.triage.category === 'stuck');
}
