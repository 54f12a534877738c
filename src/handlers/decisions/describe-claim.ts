import type { DecisionRow } from '../../db/queries/decisions.js';
import { formatTimestamp } from '../format-time.js';

const VERBS: Record<string, string> = {
  approve: 'approved',
  deny: 'denied',
  close: 'closed',
  resubmit: 're-submitted',
  queue: 'queued',
  redeploy: 'redeployed',
  'reboot-soft': 'soft-rebooted',
  'reboot-hard': 'hard-rebooted',
};

/** "approved", "denied", "re-submitted", "redeployed" for a claim's action. */
export function claimVerb(row: DecisionRow): string {
  return VERBS[row.action] ?? row.action;
}

/**
 * One line naming who decided what and when, for footers and "already decided" replies, truthful
 * about every state of the journal: running now, sent without a clear answer, carried out (and
 * whether the bot had to record it afterwards).
 */
export function describeClaim(row: DecisionRow): string {
  const verb = claimVerb(row);
  if (row.state === 'in_progress') return `is being ${verb} by ${row.decidedBy} right now (since ${formatTimestamp(row.decidedAt)}, on ${row.platform})`;
  if (row.state === 'held') {
    const until = row.heldUntil ? ` The bot sends nothing again before ${formatTimestamp(row.heldUntil)}; if Atmosphere shows it by then, it is recorded as ${row.decidedBy}'s.` : '';
    return `was ${verb} by ${row.decidedBy} through the bot at ${formatTimestamp(row.sentAt ?? row.decidedAt)} (on ${row.platform}), but Atmosphere gave no clear answer, so it may or may not have landed.${until}`.replace(/\.$/, '');
  }
  const late = row.detail?.reconciled === true ? '; the reply was lost, and the bot recorded it afterwards from what Atmosphere shows' : '';
  return `was ${verb} by ${row.decidedBy} at ${formatTimestamp(row.completedAt ?? row.decidedAt)} (on ${row.platform})${late}`;
}
