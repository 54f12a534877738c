import { formatTimestamp } from '../../handlers/format-time.js';

/** A row of `atmobot.request_event`: something the bot did to a request. */
export interface RequestEventRow {
  id: number;
  subject: string;
  recordId: number;
  at: Date;
  actor: string;
  platform: string;
  action: string;
  note: string | null;
}

const VERBS: Record<string, string> = {
  approve: 'approved it',
  approved: 'approved it',
  'auto-approve': 'approved it from the imaging queue',
  'auto-approved': 'approved it from the imaging queue',
  deny: 'denied it',
  denied: 'denied it',
  resubmit: 're-submitted it',
  resubmitted: 're-submitted it',
  queue: 'queued it behind the request imaging now',
  queued: 'queued it behind the request imaging now',
  dequeue: 'took it off the imaging queue',
  dequeued: 'took it off the imaging queue',
  close: 'closed it',
  closed: 'closed it',
  'first-approved': 'approved it first, waiting for a second reviewer',
  redeployed: 'redeployed it',
  'rebooted-soft': 'rebooted it (soft)',
  'rebooted-hard': 'rebooted it (hard)',
};

/** "kpatel re-submitted it on slack at 2026-11-23 17:02 UTC: cache cleared". */
export function describeRequestEvent(event: RequestEventRow): string {
  const verb = VERBS[event.action] ?? `did "${event.action}"`;
  const where = event.platform === 'job' ? '' : ` on ${event.platform}`;
  const note = event.note ? `: ${event.note}` : '';
  return `${event.actor} ${verb}${where} at ${formatTimestamp(event.at)}${note}`;
}
