import type { RequestEventRow } from '../db/queries/request-events.js';
import { formatTimestamp } from './format-time.js';

/** What each recorded action says, as "<actor> <verb>": one table for requests and instances alike. */
const VERBS: Record<string, string> = {
  approve: 'approved it',
  approved: 'approved it',
  'auto-approve': 'approved it from the imaging queue',
  'auto-approved': 'approved it from the imaging queue',
  'approval-unconfirmed': 'approved it; Atmosphere gave no clear answer, so the bot holds the imaging slot for it',
  deny: 'denied it',
  denied: 'denied it',
  resubmit: 're-submitted it',
  resubmitted: 're-submitted it',
  queue: 'queued it behind the request imaging now',
  queued: 'queued it behind the request imaging now',
  dequeue: 'took it off the imaging queue',
  dequeued: 'took it off the imaging queue',
  moved: 'moved it in the imaging queue',
  close: 'closed it',
  closed: 'closed it',
  'first-approved': 'approved it first, waiting for a second reviewer',
  redeploy: 'redeployed it',
  redeployed: 'redeployed it',
  reboot: 'rebooted it',
  'rebooted-soft': 'rebooted it (soft)',
  'rebooted-hard': 'rebooted it (hard)',
};

/** An action no table entry names, in words: `image-moved` → `recorded "image moved"`. */
function unknownVerb(action: string): string {
  return `recorded "${action.replace(/[-_]+/g, ' ')}"`;
}

/** "kpatel re-submitted it on slack at 2026-11-23 17:02 UTC: cache cleared". */
export function describeRequestEvent(event: Pick<RequestEventRow, 'actor' | 'action' | 'platform' | 'at' | 'note'>): string {
  const verb = VERBS[event.action] ?? unknownVerb(event.action);
  const where = event.platform === 'job' ? '' : ` on ${event.platform}`;
  const note = event.note ? `: ${event.note}` : '';
  return `${event.actor} ${verb}${where} at ${formatTimestamp(event.at)}${note}`;
}
