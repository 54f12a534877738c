import type { Reply } from '../../bot/chat/reply.js';
import { describeAsk } from '../../handlers/resource-requests/parse-request-text.js';
import type { ResourceRequestScanRow } from '../../db/queries/alert-scan.js';
import { requestButtons } from '../../handlers/resource-requests/render-resource-request.js';
import { clipText } from '../../handlers/clip-text.js';
import { formatAge, formatTimestamp } from '../../handlers/format-time.js';
import { describeRequestEvent, type RequestEventRow } from './request-event-line.js';
import type { ThreadState } from './machine-request-alert.js';

/** Longest part of the request text quoted in the reminder. */
const ASK_LIMIT = 300;

/** A reminder stays open while the request is pending; any decision resolves it. */
export function resourceReminderState(status: string): ThreadState {
  return status === 'pending' ? 'open' : 'resolved';
}

/** The reminder's parent message: who waits for what, since when, with Approve/Deny while pending. */
export function buildResourceReminderParent(input: { row: ResourceRequestScanRow; now: Date; remindAfterHours: number }): Reply {
  const { row, now } = input;
  const open = resourceReminderState(row.status) === 'open';
  const readAs = describeAsk(row.request);
  return {
    title: `Resource request #${row.id}: ${open ? `waiting ${formatAge(row.startDate, now)}` : `${row.status} (resolved)`}`,
    text: open
      ? `Resource request #${row.id} from ${row.requester} has waited ${formatAge(row.startDate, now)} for a decision (reminder after ${input.remindAfterHours} h).`
      : `Resource request #${row.id} from ${row.requester}: ${row.status}.`,
    fields: [
      { label: 'Requester', value: row.requester },
      { label: 'Asks for', value: clipText(row.request, ASK_LIMIT, `/atmo request ${row.id}`) || '(empty)' },
      ...(readAs ? [{ label: 'Read as', value: readAs }] : []),
      { label: 'Submitted', value: formatTimestamp(row.startDate) },
      { label: 'Status', value: row.status },
    ],
    ...(open ? { buttons: requestButtons(row.id, 'single') } : {}),
    footer: `${open ? 'Updated' : 'Resolved'} ${formatTimestamp(now)}. /atmo request ${row.id} shows the details.`,
    tone: open ? 'warning' : row.status === 'approved' ? 'success' : 'info',
    visibility: 'channel',
  };
}

/** The thread reply when the request was decided (or went back to pending), with the bot's events. */
export function buildResourceReminderUpdate(input: {
  previous: { status: string };
  row: ResourceRequestScanRow;
  events: readonly RequestEventRow[];
}): Reply | null {
  const { previous, row, events } = input;
  const lines = events.map((event) => `${describeRequestEvent(event)}.`);
  if (previous.status !== row.status) {
    lines.push(row.status === 'pending' ? 'Back to pending: waiting for a decision again.' : `${capitalise(row.status)}. Resolved.`);
  }
  if (lines.length === 0) return null;
  return { text: lines.join('\n'), visibility: 'channel', tone: row.status === 'approved' ? 'success' : 'info' };
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
