import { randomUUID } from 'node:crypto';
import type { Deps } from '../deps.js';
import { listMachineRequestsByStatus } from '../db/queries/alert-scan.js';
import { statusIdsOf } from '../db/queries/statuses.js';
import { getOrCreateStatusTypeId, setMachineRequestStatusRow } from '../db/queries/embedded-writes.js';
import { hasErrorText } from '../handlers/imaging/classify-imaging-error.js';
import type { JobContext, ScheduledJob } from './scheduler.js';

export const DEMO_IMAGING_JOB = 'demo-imaging-pipeline';
/** How long the demo's imaging chain spends in each step: the whole run takes a few minutes. */
export const DEMO_IMAGING_STEP_MS = 60_000;

const RUNNING = ['approved', 'started', 'processing', 'validating'] as const;

/** The next step of Atmosphere's imaging chain (reference §3.2), as its tasks write status and old_status. */
export function nextImagingStep(status: string): { status: string; oldStatus: string; finished: boolean } | null {
  switch (status) {
    case 'approved':
      return { status: 'started', oldStatus: 'pending', finished: false };
    case 'started':
      // process_request names the new Glance image.
      return { status: 'processing', oldStatus: `processing - ${randomUUID()}`, finished: false };
    case 'processing':
      return { status: 'validating', oldStatus: 'validating', finished: false };
    case 'validating':
      return { status: 'completed', oldStatus: 'completed', finished: true };
    default:
      return null;
  }
}

interface Seen {
  status: string;
  oldStatus: string | null;
  since: number;
  /** Whether the chain plays on for it; the demo's example of a stuck request stays put. */
  moving: boolean;
}

/**
 * Embedded mode only: plays the celery imaging chain that the demo has no Atmosphere for, so an
 * approved request goes started -> processing -> validating -> completed, a step a minute, the imaging
 * slot frees and the queue moves, as staff would see it happen. A request whose old_status holds an
 * error stays where it is, as a failed task leaves it in Atmosphere, and so does the demo's example of
 * a request stuck in started (until someone re-submits and approves it). Only status, old_status and end_date are written: the new application
 * version a real run creates is not.
 */
export function createDemoImagingJob(deps: Deps): ScheduledJob {
  const seen = new Map<number, Seen>();
  let looked = false;
  return {
    name: DEMO_IMAGING_JOB,
    cron: deps.config.ALERT_SCAN_CRON,
    run: (context) => advanceDemoImaging(deps, context, seen, looked).then(() => void (looked = true)),
  };
}

async function advanceDemoImaging(deps: Deps, { now }: JobContext, seen: Map<number, Seen>, looked: boolean): Promise<void> {
  const rows = await listMachineRequestsByStatus(deps.db, await statusIdsOf(deps.db, RUNNING));
  const present = new Set(rows.map((row) => row.id));
  // A request that left the running statuses (completed, re-submitted, denied) is forgotten.
  for (const id of [...seen.keys()]) if (!present.has(id)) seen.delete(id);
  for (const row of rows) {
    const before = seen.get(row.id);
    if (!before || before.status !== row.status || before.oldStatus !== row.oldStatus) {
      // A request seen after the first look, or changed since it was seen, was approved while the
      // demo runs. At the first look the demo's own requests that are healthy and running move on
      // too (they hold the slot), but its example of a request stuck in started stays stuck.
      const stuck = row.status === 'started' && now.getTime() - row.startDate.getTime() > deps.config.IMAGING_STUCK_MINUTES * 60_000;
      seen.set(row.id, { status: row.status, oldStatus: row.oldStatus, since: now.getTime(), moving: looked || before !== undefined || !stuck });
      continue;
    }
    if (!before.moving || hasErrorText(row.oldStatus) || now.getTime() - before.since < DEMO_IMAGING_STEP_MS) continue;
    const next = nextImagingStep(row.status);
    if (!next) continue;
    await setMachineRequestStatusRow(deps.db, {
      id: row.id,
      statusId: await getOrCreateStatusTypeId(deps.db, next.status, now),
      oldStatus: next.oldStatus,
      ...(next.finished ? { endDate: now } : {}),
    });
    seen.set(row.id, { status: next.status, oldStatus: next.oldStatus, since: now.getTime(), moving: true });
    deps.log.info({ job: DEMO_IMAGING_JOB, request: row.id, status: next.status }, 'demo imaging step');
  }
}
