import type { Deps } from '../../deps.js';
import type { MachineRequestView } from '../../db/queries/machine-requests.js';
import { listImagingQueue, type QueuedRequest } from '../../db/queries/imaging-queue.js';
import { listRequestEvents, type RequestEventRow } from '../../db/queries/request-events.js';
import { classifyMachineRequest, type Triage } from './classify-machine-request.js';

/** A request with what the bot knows about it: triage, place in the bot's queue, bot history. */
export interface ImagingItem {
  request: MachineRequestView;
  triage: Triage;
  queued: QueuedRequest | null;
  events: RequestEventRow[];
}

/** Bot actions after which the request's status changed; Atmosphere keeps no status timestamp. */
const STATUS_CHANGING = new Set(['approved', 'auto-approved', 'resubmitted']);

/**
 * When the request entered its current status, as far as anyone knows: the bot's last approval or
 * re-submit after it was created, else the request's start_date.
 */
export function statusSince(request: MachineRequestView, events: readonly RequestEventRow[]): Date {
  let since = request.startDate;
  for (const event of events) {
    if (STATUS_CHANGING.has(event.action) && event.at > since) since = event.at;
  }
  return since;
}

/** Triage by the staff guide's rules, with the configured stuck threshold. */
export function triageOf(deps: Deps, request: MachineRequestView, events: readonly RequestEventRow[]): Triage {
  return classifyMachineRequest({
    status: request.status,
    oldStatus: request.oldStatus,
    statusSince: statusSince(request, events),
    now: deps.now(),
    stuckAfterMinutes: deps.config.IMAGING_STUCK_MINUTES,
  });
}

export async function loadImagingItems(deps: Deps, requests: readonly MachineRequestView[]): Promise<ImagingItem[]> {
  const [events, queue] = await Promise.all([
    listRequestEvents(deps.db, 'machine_request', requests.map((r) => r.id)),
    listImagingQueue(deps.db),
  ]);
  return requests.map((request) => {
    const own = events.filter((e) => e.recordId === request.id);
    return {
      request,
      triage: triageOf(deps, request, own),
      queued: queue.find((q) => q.requestId === request.id) ?? null,
      events: own,
    };
  });
}

/** Needs staff: an error by the guide's rules, stuck in started, or failed with nothing to move it on. */
export function isErroredOrStuck(item: Pick<ImagingItem, 'request' | 'triage'>): boolean {
  return item.triage.severity === 'error' || item.triage.category === 'stuck' || item.request.status === 'failed';
}
