import type { Deps } from '../../deps.js';
import type { MachineRequestView } from '../../db/queries/machine-requests.js';
import { listImagingQueue, type QueuedRequest } from '../../db/queries/imaging-queue.js';
import { listRequestEvents, type RequestEventRow } from '../../db/queries/request-events.js';
import { classifyMachineRequest, type Triage } from './classify-machine-request.js';
import { observeMachineRequests } from './observe-machine-requests.js';
import type { StatusSince } from './status-since.js';

/** A request with what the bot knows about it: triage, place in the bot's queue, bot history. */
export interface ImagingItem {
  request: MachineRequestView;
  triage: Triage;
  /** Since when it has been in its current state, as the bot saw it (observe-machine-requests.ts). */
  since: StatusSince;
  queued: QueuedRequest | null;
  events: RequestEventRow[];
}

/** Triage by the staff guide's rules, with the configured stuck threshold, timed by what the bot saw. */
export function triageOf(deps: Deps, request: Pick<MachineRequestView, 'status' | 'oldStatus'>, since: StatusSince): Triage {
  return classifyMachineRequest({
    status: request.status,
    oldStatus: request.oldStatus,
    statusSince: since.at,
    sinceKnown: since.known,
    now: deps.now(),
    stuckAfterMinutes: deps.config.IMAGING_STUCK_MINUTES,
  });
}

export async function loadImagingItems(deps: Deps, requests: readonly MachineRequestView[]): Promise<ImagingItem[]> {
  const [events, queue] = await Promise.all([
    listRequestEvents(deps.db, 'machine_request', requests.map((r) => r.id)),
    listImagingQueue(deps.db),
  ]);
  const sinceById = await observeMachineRequests(deps.db, requests, deps.now(), { events });
  return requests.map((request) => {
    const own = events.filter((e) => e.recordId === request.id);
    const since = sinceById.get(request.id) ?? { at: request.endDate ?? request.startDate, known: request.endDate !== null };
    return {
      request,
      triage: triageOf(deps, request, since),
      since,
      queued: queue.find((q) => q.requestId === request.id) ?? null,
      events: own,
    };
  });
}

/** Needs staff: an error by the guide's rules, stuck in started, or failed with nothing to move it on. */
export function isErroredOrStuck(item: Pick<ImagingItem, 'request' | 'triage'>): boolean {
  return item.triage.severity === 'error' || item.triage.category === 'stuck' || item.request.status === 'failed';
}
