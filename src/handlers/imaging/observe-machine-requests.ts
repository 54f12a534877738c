import type { Database } from '../../db/client.js';
import { FINAL_STATUSES, listMachineRequestsByStatus, listStatusIds } from '../../db/queries/alert-scan.js';
import { listRequestEvents } from '../../db/queries/request-events.js';
import { deleteStatusWatch, readStatusWatch, writeStatusWatch } from '../../db/queries/status-watch.js';
import { machineRequestState, resolveStatusSince, type StatusSince } from './status-since.js';

export const MACHINE_REQUEST_WATCH = 'machine_request';

export interface ObservedRequest {
  id: number;
  status: string;
  oldStatus: string | null;
  startDate: Date;
}

/**
 * The one source of "since when" for imaging requests: every list, detail, triage report and the
 * alert scan call this with what they read, so they all say the same. Each call is also a look: new
 * states are stored with their time (status-since.ts says how it is found), the others get their
 * `seen_at` moved. Final requests have no state to time and their rows are dropped. With `all`, the
 * caller passes every unfinished request (the alert scan) and rows of any other request are dropped.
 */
export async function observeMachineRequests(
  db: Database,
  requests: readonly ObservedRequest[],
  now: Date,
  options: { events?: readonly { recordId: number; action: string; at: Date }[]; all?: boolean } = {},
): Promise<Map<number, StatusSince>> {
  const open = requests.filter((request) => !FINAL_STATUSES.includes(request.status));
  const finalIds = requests.filter((request) => FINAL_STATUSES.includes(request.status)).map((request) => request.id);
  const stored = await readStatusWatch(db, MACHINE_REQUEST_WATCH, options.all ? undefined : requests.map((request) => request.id));
  const states = new Map(open.map((request) => [request.id, machineRequestState(request.status, request.oldStatus)]));
  const changedIds = open.filter((request) => stored.get(request.id)?.status !== states.get(request.id)).map((request) => request.id);
  const events = options.events ?? (await listRequestEvents(db, 'machine_request', changedIds));
  const since = new Map<number, StatusSince>();
  const changed = [];
  for (const request of open) {
    const state = states.get(request.id)!;
    const previous = stored.get(request.id);
    const resolved = resolveStatusSince({
      state,
      status: request.status,
      startDate: request.startDate,
      stored: previous,
      events: events.filter((event) => event.recordId === request.id),
      now,
    });
    since.set(request.id, resolved);
    if (previous?.status !== state) changed.push({ recordId: request.id, status: state, since: resolved.at, sinceKnown: resolved.known });
  }
  await writeStatusWatch(db, MACHINE_REQUEST_WATCH, changed, open.map((request) => request.id), now);
  const openIds = new Set(open.map((request) => request.id));
  const gone = options.all ? [...stored.keys()].filter((id) => !openIds.has(id)) : finalIds.filter((id) => stored.has(id));
  await deleteStatusWatch(db, MACHINE_REQUEST_WATCH, gone);
  return since;
}

/**
 * For the demo cloud just seeded: the bot "has watched" each unfinished demo request since it was
 * submitted, so the demo's stuck and long-errored requests read as such on the first start, as they
 * would for a bot that had been running all along.
 */
export async function recordDemoObservations(db: Database, now: Date): Promise<void> {
  const statusIds = await listStatusIds(db);
  const unfinished = [...statusIds].filter(([name]) => !FINAL_STATUSES.includes(name)).flatMap(([, ids]) => ids);
  const requests = await listMachineRequestsByStatus(db, unfinished);
  const rows = requests.map((request) => ({ recordId: request.id, status: machineRequestState(request.status, request.oldStatus), since: request.startDate, sinceKnown: true }));
  await writeStatusWatch(db, MACHINE_REQUEST_WATCH, rows, [], now);
}
