import { createHash } from 'node:crypto';
import type { Button, Field, Reply } from '../../bot/chat/reply.js';
import type { MachineRequestScanRow } from '../../db/queries/alert-scan.js';
import type { Triage, TriageCategory } from '../../handlers/imaging/triage.js';
import { hasErrorText } from '../../handlers/imaging/classify-imaging-error.js';
import { describeSince, type StatusSince } from '../../handlers/imaging/status-since.js';
import { APPROVE_IMAGING_ACTION, RESUBMIT_IMAGING_ACTION, TRIAGE_IMAGING_ACTION } from '../../handlers/imaging/render-imaging.js';
import { summarizeOldStatus } from '../../handlers/imaging/summarize-old-status.js';
import { formatTimestamp } from '../../handlers/format-time.js';
import { describeRequestEvent, type RequestEventRow } from './request-event-line.js';
import { moveVersionButton } from '../../handlers/images/move-version.js';

/** Registered by the imaging handlers (the Triage button answers with the triage report). */
export const TRIAGE_ACTION = TRIAGE_IMAGING_ACTION;
export const RESUBMIT_ACTION = RESUBMIT_IMAGING_ACTION;
export const APPROVE_ACTION = APPROVE_IMAGING_ACTION;

export type ThreadState = 'open' | 'resolved';

const CATEGORY_LABELS: Record<TriageCategory, string> = {
  'max-instances': 'admin tenant instance limit',
  cache: 'imaging cache problem',
  'imaging-host': 'imaging host problem',
  stuck: 'stuck in started',
  'unknown-error': 'unknown error',
  'in-progress': 'in progress',
  pending: 'waiting for approval',
  done: 'done',
};

const RESOLVING_STATUSES = new Set(['completed', 'closed', 'denied', 'rejected']);

/** The state column as read back from the database. */
export function toThreadState(value: string): ThreadState {
  return value === 'resolved' ? 'resolved' : 'open';
}

/** Errors, stuck requests and `failed` ones need staff: they open a thread. */
export function isMachineRequestAlertable(status: string, triage: Triage): boolean {
  return triage.severity === 'error' || triage.category === 'stuck' || status === 'failed';
}

/** Completion, denial or closing resolves a thread; any other status keeps (or makes) it open. */
export function machineRequestThreadState(status: string): ThreadState {
  return RESOLVING_STATUSES.has(status) ? 'resolved' : 'open';
}

/**
 * One comparable string for "what the thread reports": status, old_status (hashed) and category, and
 * whether the request waits in the bot's imaging queue (appended only then, so threads of requests
 * that never queue keep the fingerprint they were stored with).
 */
export function machineRequestFingerprint(status: string, oldStatus: string | null, category: string, queued = false): string {
  const hash = createHash('sha1').update(oldStatus ?? '').digest('hex').slice(0, 16);
  return `${status}|${hash}|${category}${queued ? '|queued' : ''}`;
}

function categoryLabel(status: string, triage: Triage): string {
  return status === 'failed' ? 'failed' : CATEGORY_LABELS[triage.category];
}

/** The parent message of an imaging-request thread, edited to show the current state. */
export function buildMachineRequestParent(input: {
  row: MachineRequestScanRow;
  triage: Triage;
  state: ThreadState;
  now: Date;
  since?: StatusSince;
  /** Its place in the bot's imaging queue, when it waits there for the slot. */
  queuedPlace?: number | undefined;
}): Reply {
  const { row, triage, state, now, since, queuedPlace } = input;
  const queued = state === 'open' && row.status === 'pending' && queuedPlace !== undefined;
  const label = state === 'resolved' ? `${row.status} (resolved)` : queued ? 'queued for the imaging slot' : categoryLabel(row.status, triage);
  const fields: Field[] = [
    { label: 'Owner', value: row.owner },
    { label: 'Instance', value: `${row.instanceName} (#${row.instanceId})` },
    {
      label: 'Status',
      value: queued
        ? `pending, queued: place ${queuedPlace} in the imaging queue; approved when the slot is free`
        : since && state === 'open'
          ? `${row.status}, ${describeSince(since)}`
          : row.status,
    },
    { label: 'Submitted', value: formatTimestamp(row.startDate) },
  ];
  const detail = summarizeOldStatus(row.oldStatus, 200, `/atmo imaging show ${row.id}`);
  // Only an error text is an error: `pending` or a Glance id left in old_status is not one.
  if (triage.severity !== 'ok' && detail && hasErrorText(row.oldStatus)) fields.push({ label: 'Last error', value: detail });
  if (state === 'open' && triage.nextSteps.length > 0) {
    fields.push({ label: 'Next steps', value: triage.nextSteps.map((step, i) => `${i + 1}. ${step}`).join('\n') });
  }
  const buttons: Button[] = [{ label: 'Triage', action: TRIAGE_ACTION, value: String(row.id) }];
  // A re-submitted request waits for approval: Approve here (it queues when the slot is busy), unless
  // it is queued already; any other open request is offered a re-submit.
  if (row.status === 'pending') {
    if (!queued) buttons.push({ label: 'Approve', action: APPROVE_ACTION, value: String(row.id), style: 'primary' });
  } else buttons.push({ label: 'Re-submit', action: RESUBMIT_ACTION, value: String(row.id), style: 'primary' });
  return {
    title: `Imaging request #${row.id}: ${label}`,
    text: `Imaging request #${row.id} "${row.imageName}" by ${row.owner}: ${state === 'resolved' ? row.status : triage.summary}`,
    fields,
    ...(state === 'open' ? { buttons } : movable(row) ? { buttons: [moveVersionButton(row.id)] } : {}),
    footer: `${state === 'resolved' ? 'Resolved' : 'Updated'} ${formatTimestamp(now)}. Changes are posted in this thread.`,
    tone: state === 'resolved' ? (row.status === 'completed' ? 'success' : 'info') : triage.severity === 'error' ? 'danger' : 'warning',
    visibility: 'channel',
  };
}

/** A completed request made as a new application, which staff may rather want as a version of another. */
function movable(row: MachineRequestScanRow): boolean {
  return row.status === 'completed' && row.newVersionForked && row.newApplicationVersionId !== null;
}

/** What changed, as one line: the thread reply for a new status or category. */
function changeLine(
  previous: { status: string; oldStatus: string | null; category: string },
  row: MachineRequestScanRow,
  triage: Triage,
): string | null {
  const alertable = isMachineRequestAlertable(row.status, triage);
  // A new error text in the same status and category is a new failure (the request went round the
  // pipeline between two ticks); any other old_status change (a new Glance id) is not worth a line.
  const newError = alertable && previous.oldStatus !== row.oldStatus;
  if (previous.status === row.status && previous.category === triage.category && !newError) return null;
  if (row.status === 'failed') return 'Marked failed: nothing will run it again. Close it, or re-submit and approve it to retry.';
  if (alertable) {
    const again = previous.category !== 'stuck' && triage.category !== 'stuck' ? 'Errored again' : 'Needs attention';
    return `${again} (${categoryLabel(row.status, triage)}): ${triage.summary}`;
  }
  switch (row.status) {
    case 'pending':
      return 'Re-submitted: waiting for approval.';
    case 'approved':
      return 'Approved: imaging is about to start.';
    case 'started':
      return 'Imaging started.';
    case 'processing':
      return 'Processing: the new image is in Glance; its records are being created.';
    case 'validating':
      return 'Validating: a test instance is being launched from the new image.';
    case 'completed':
      return 'Completed: the new image is ready. Resolved.';
    case 'denied':
      return 'Denied. Resolved.';
    case 'closed':
      return 'Closed. Resolved.';
    default:
      return `Status is now ${row.status}.`;
  }
}

/**
 * The thread reply for one tick's changes: what the bot did since the last update (its events), then
 * the new status. Null when there is nothing to tell.
 */
export function buildMachineRequestUpdate(input: {
  previous: { status: string; oldStatus: string | null; category: string; state: ThreadState };
  row: MachineRequestScanRow;
  triage: Triage;
  state: ThreadState;
  events: readonly RequestEventRow[];
}): Reply | null {
  const { previous, row, triage, state, events } = input;
  const lines = events.map((event) => `${describeRequestEvent(event)}.`);
  const change = changeLine(previous, row, triage);
  if (change) lines.push(previous.state === 'resolved' && state === 'open' ? `Reopened. ${change}` : change);
  if (lines.length === 0) return null;
  if (change && isMachineRequestAlertable(row.status, triage) && triage.nextSteps[0]) lines.push(`Next: ${triage.nextSteps[0]}`);
  const completedNow = previous.status !== 'completed' && movable(row);
  return {
    text: lines.join('\n'),
    ...(completedNow ? { buttons: [moveVersionButton(row.id)] } : {}),
    visibility: 'channel',
    tone: state === 'resolved' ? 'success' : isMachineRequestAlertable(row.status, triage) ? 'danger' : 'info',
  };
}
