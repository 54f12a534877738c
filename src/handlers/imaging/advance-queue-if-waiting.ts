import type { Deps } from '../../deps.js';
import { hasQueuedRequests } from '../../db/queries/imaging-queue.js';
import { advanceImagingQueue } from './advance-imaging-queue.js';

/**
 * The alert tick's first step: advances the imaging queue only when something waits in it. With an
 * empty queue there is nothing to approve, so the slot check (a read of every request that may be
 * imaging, and the slot lock) is skipped; a request queued a moment later is seen on the next tick,
 * exactly as when the check ran and found the slot busy.
 */
export async function advanceQueueIfWaiting(deps: Deps): Promise<{ approved: number | null }> {
  if (!(await hasQueuedRequests(deps.db))) return { approved: null };
  return advanceImagingQueue(deps);
}
