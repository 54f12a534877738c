import { moveVersionButton } from '../images/move-version.js';
import { textFile } from '../../bot/chat/deliver-reply.js';
import type { Button, Field, Reply, ReplyFile, Section } from '../../bot/chat/reply.js';
import type { RequestEventRow } from '../../db/queries/request-events.js';
import { formatAgo, formatTimestamp } from '../format-time.js';
import { FINAL_STATUSES } from '../../db/queries/alert-scan.js';
import { describeSince, describeTimeIn } from './status-since.js';
import { isErroredOrStuck, type ImagingItem } from './load-imaging-items.js';
import { summarizeOldStatus } from './summarize-old-status.js';
import { tracebackBlock } from './triage-report.js';

const FINAL: ReadonlySet<string> = new Set(FINAL_STATUSES);

export const APPROVE_IMAGING_ACTION = 'mr:approve';
export const DENY_IMAGING_ACTION = 'mr:deny';
export const RESUBMIT_IMAGING_ACTION = 'mr:resubmit';
/** The Triage button of an imaging alert: answers the clicker with the triage report. */
export const TRIAGE_IMAGING_ACTION = 'mr:triage';

export const IMAGING_FILTERS = ['pending', 'active', 'errored', 'all'] as const;
export type ImagingFilter = (typeof IMAGING_FILTERS)[number];
/** Which message a button sits on: one request, or a list with that filter (re-rendered after a click). */
export type ImagingView = 'single' | ImagingFilter;

/** How many requests one list message shows; more would pass Slack's 50-block limit. */
export const IMAGING_LIST_LIMIT = 15;

const TITLES: Record<ImagingFilter, string> = {
  pending: 'Imaging requests waiting for approval',
  active: 'Imaging requests in progress',
  errored: 'Imaging requests in error or stuck',
  all: 'All imaging requests',
};

export function imagingButtons(item: ImagingItem, view: ImagingView): Button[] {
  const value = view === 'single' ? String(item.request.id) : `${item.request.id}:${view}`;
  if (item.request.status === 'pending') {
    return [
      ...(item.queued ? [] : [{ label: 'Approve', action: APPROVE_IMAGING_ACTION, value, style: 'primary' as const }]),
      { label: 'Deny', action: DENY_IMAGING_ACTION, value, style: 'danger' },
    ];
  }
  if (view === 'single' && item.request.status === 'completed' && item.request.forkedVersionId) return [moveVersionButton(item.request.id)];
  return isErroredOrStuck(item) ? [{ label: 'Re-submit', action: RESUBMIT_IMAGING_ACTION, value }] : [];
}

/** `kpatel approved at 2026-11-23 17:00 UTC (slack): note`. */
export function describeEvent(event: RequestEventRow): string {
  return `${formatTimestamp(event.at)} ${event.actor} ${event.action} (${event.platform})${event.note ? `: ${event.note}` : ''}`;
}

function headline(item: ImagingItem, now: Date): string {
  const { request, since } = item;
  // A pending request that never ran has waited since its submission: saying so twice adds nothing.
  const status = FINAL.has(request.status) || (request.status === 'pending' && since.at.getTime() === request.startDate.getTime())
    ? request.status
    : describeTimeIn(request.status, since, now);
  return `#${request.id} · ${request.owner.username} · "${request.newApplicationName}" ${request.newVersionName} · ${status} · submitted ${formatAgo(request.startDate, now)}`;
}

function itemLines(item: ImagingItem, now: Date): string[] {
  const { request, triage } = item;
  const summary = summarizeOldStatus(request.oldStatus, 140, `/atmo imaging show ${request.id}`);
  return [
    headline(item, now),
    `Instance: ${request.instance.name} (${request.instance.providerAlias}) on ${request.provider.location}`,
    ...(summary ? [`Status message: ${summary}`] : []),
    ...(isErroredOrStuck(item) || triage.severity !== 'ok' ? [`Triage: ${triage.category}: ${triage.summary}`] : []),
    ...(item.queued ? [`In the bot's imaging queue: place ${item.queued.place} (approved by ${item.queued.queuedBy})`] : []),
  ];
}

/** The `/atmo imaging <filter>` message. */
export function renderImagingList(input: { items: readonly ImagingItem[]; total: number; filter: ImagingFilter; now: Date; note?: string }): Reply {
  const { items, total, filter, now } = input;
  const note = input.note ? `${input.note}\n` : '';
  if (items.length === 0) {
    return { title: TITLES[filter], text: `${note}No imaging requests are ${filter === 'all' ? 'recorded' : filter}.`, visibility: 'channel', tone: 'success' };
  }
  const sections: Section[] = items.map((item) => ({
    text: itemLines(item, now).join('\n'),
    buttons: imagingButtons(item, filter),
    fullTextAt: `/atmo imaging show ${item.request.id}`,
  }));
  const more = total > items.length ? ` Showing ${items.length}; ${total - items.length} more not shown (/atmo imaging show <id> shows any one).` : '';
  const order = filter === 'all' ? 'newest first' : 'oldest first';
  return {
    title: TITLES[filter],
    text: `${note}${total} imaging request${total === 1 ? '' : 's'} ${filter === 'all' ? 'in all' : filter}, ${order}.${more}`,
    sections,
    visibility: 'channel',
    ...(filter === 'errored' ? { tone: 'warning' as const } : {}),
  };
}

/**
 * A status message longer than this (a traceback, usually) is summarised in the detail and sent whole,
 * on real lines, as a file: Discord's field holds 1,024 characters and Slack's 2,000.
 */
export const DETAIL_STATUS_LIMIT = 900;

function detailStatusMessage(id: number, oldStatus: string | null): { value: string; file?: ReplyFile } {
  if (!oldStatus?.trim()) return { value: '(empty)' };
  // Python's escapes (`\n`, `\'`) become what they stand for: a traceback reads on its own lines.
  const whole = tracebackBlock(oldStatus);
  if (whole.length <= DETAIL_STATUS_LIMIT) return { value: whole };
  const name = `imaging-request-${id}-status.txt`;
  const lines = whole.split('\n').length;
  return {
    value: `${summarizeOldStatus(oldStatus, 300)}\n(${oldStatus.length} characters; the whole status message, ${lines} lines, is in the file ${name} sent with this message)`,
    file: textFile(name, `${whole}\n`, `Imaging request #${id}: status message`),
  };
}

/** The `/atmo imaging show <id>` message. */
/** `emulateUrl`: Troposphere's emulation page for the owner, to reproduce a problem as they see it. */
export function renderImagingDetail(item: ImagingItem, now: Date, note?: string, emulateUrl?: string): Reply {
  const { request, triage } = item;
  const statusMessage = detailStatusMessage(request.id, request.oldStatus);
  const fields: Field[] = [
    { label: 'Owner', value: `${request.owner.username} (${request.owner.email})` },
    { label: 'New image', value: `"${request.newApplicationName}" version ${request.newVersionName}` },
    { label: 'Instance', value: `${request.instance.name} (${request.instance.providerAlias}), IP ${request.instance.ipAddress ?? 'none'}` },
    { label: 'Provider', value: request.provider.location },
    {
      label: 'Status',
      value: `${request.status}${FINAL.has(request.status) ? '' : `, ${describeSince(item.since, now)}`}; requested ${formatTimestamp(request.startDate)} (${formatAgo(request.startDate, now)})`,
    },
    { label: 'Status message', value: statusMessage.value },
    { label: 'Triage', value: `${triage.category} (${triage.severity}): ${triage.summary}` },
  ];
  if (triage.nextSteps.length > 0) fields.push({ label: 'Next steps', value: triage.nextSteps.map((s) => `- ${s}`).join('\n') });
  if (item.queued) fields.push({ label: 'Imaging queue', value: `place ${item.queued.place}, approved by ${item.queued.queuedBy} at ${formatTimestamp(item.queued.queuedAt)}` });
  if (emulateUrl) fields.push({ label: 'Emulate owner', value: emulateUrl });
  fields.push({ label: 'Bot history', value: item.events.length > 0 ? item.events.map(describeEvent).join('\n') : 'nothing done through the bot yet' });
  return {
    title: `Imaging request #${request.id}`,
    text: `${note ? `${note}\n` : ''}${headline(item, now)}`,
    fields,
    buttons: imagingButtons(item, 'single'),
    ...(statusMessage.file ? { files: [statusMessage.file] } : {}),
    visibility: 'channel',
    ...(triage.severity === 'error' ? { tone: 'danger' as const } : triage.severity === 'warning' ? { tone: 'warning' as const } : {}),
  };
}
