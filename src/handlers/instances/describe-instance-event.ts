import type { RequestEventRow } from '../../db/queries/request-events.js';
import { formatTimestamp } from '../format-time.js';

const VERBS: Record<string, string> = {
  redeployed: 'redeployed it',
  'rebooted-soft': 'rebooted it (soft)',
  'rebooted-hard': 'rebooted it (hard)',
};

/** "kpatel redeployed it on slack at 2026-11-30 14:02 UTC". */
export function describeInstanceEvent(event: Pick<RequestEventRow, 'actor' | 'action' | 'platform' | 'at' | 'note'>): string {
  const verb = VERBS[event.action] ?? `did "${event.action}"`;
  const where = event.platform === 'job' ? '' : ` on ${event.platform}`;
  return `${event.actor} ${verb}${where} at ${formatTimestamp(event.at)}${event.note ? `: ${event.note}` : ''}`;
}
