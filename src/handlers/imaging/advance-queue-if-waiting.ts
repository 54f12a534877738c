import type { Deps } from '../../deps.js';
import { UserError } from '../../errors.js';
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
  // During maintenance (or with no API) the queue waits, as staff approvals do: trying every minute
  // would only fail every minute. It moves on at the first tick after the API accepts writes again.
  const paused = await queuePause(deps);
  if (paused) {
    deps.log.debug({ reason: paused }, 'the imaging queue waits: Atmosphere accepts no writes now');
    return { approved: null };
  }
  return advanceImagingQueue(deps);
}

/** Why the queue cannot move now (maintenance, no API), or null when it can. */
export async function queuePause(deps: Deps): Promise<string | null> {
  try {
    await deps.gateway.checkWritable();
    return null;
  } catch (error) {
    if (error instanceof UserError) return error.message;
    throw error;
  }
}
