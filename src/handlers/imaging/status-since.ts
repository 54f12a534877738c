import { createHash } from 'node:crypto';
import { formatAge, formatTimestamp } from '../format-time.js';
import { hasErrorText } from './classify-imaging-error.js';

/**
 * Since when a request has been in its current state, as the bot knows it. Atmosphere keeps no
 * status-change time, so this is what the bot saw: `known` is false when the bot only has a lower
 * bound (it first saw the request already in this state), and messages then say "at least since".
 */
export interface StatusSince {
  at: Date;
  known: boolean;
}

/** What the bot last stored about a request (`atmobot.request_watch`). */
export interface StoredObservation {
  status: string;
  since: Date;
  sinceKnown: boolean;
  seenAt: Date | null;
}

/**
 * A change is timed exactly when the previous look was at most this long before: the alert scan
 * looks every minute, so with it running every change is timed to the minute. A change found only
 * after a longer gap (no scan, nobody listing) is known only to have happened since that look.
 */
export const OBSERVATION_GAP_MS = 5 * 60_000;

/** The bot's own actions and the status each leaves the request in. */
const STATUS_AFTER: Record<string, string> = { approved: 'approved', 'auto-approved': 'approved', resubmitted: 'pending', denied: 'denied' };

/**
 * The state as one comparable string: the status, plus a hash of the error text when there is one,
 * so an error that comes back with a new text (the request went round the pipeline between two looks)
 * counts as a new state and is timed from when it was seen, not from when the status last changed.
 */
export function machineRequestState(status: string, oldStatus: string | null): string {
  if (!hasErrorText(oldStatus)) return status;
  return `${status}|error:${createHash('sha1').update(oldStatus ?? '').digest('hex').slice(0, 16)}`;
}

/**
 * Since when a request has been in `state`, from what the bot stored, its own actions and the
 * submission date. The one rule every view uses:
 * - the same state as stored: the stored time, exact or a lower bound as it was;
 * - changed by the bot itself (approve, re-submit) after its last look: the time of that action;
 * - a request pending since its submission, never run (no error text): its start_date;
 * - changed since a look at most OBSERVATION_GAP_MS ago: now, exactly;
 * - otherwise (first seen, or seen after a long gap): now, as a lower bound.
 */
export function resolveStatusSince(input: {
  state: string;
  status: string;
  startDate: Date;
  stored: StoredObservation | undefined;
  events: readonly { action: string; at: Date }[];
  now: Date;
}): StatusSince {
  const { state, status, startDate, stored, events, now } = input;
  if (stored && stored.status === state) return { at: stored.since, known: stored.sinceKnown };
  const lastLook = stored?.seenAt ?? stored?.since ?? null;
  const own = [...events]
    .reverse()
    .find((event) => STATUS_AFTER[event.action] !== undefined && (lastLook === null || event.at >= lastLook));
  if (own && STATUS_AFTER[own.action] === status && own.at <= now) return { at: own.at, known: true };
  if (!stored && state === 'pending') return { at: startDate, known: true };
  if (lastLook && now.getTime() - lastLook.getTime() <= OBSERVATION_GAP_MS) return { at: now, known: true };
  return { at: now, known: false };
}

/**
 * `since 2026-11-23 14:00 UTC (3 h)`, or `at least since …` when the bot only knows a lower bound.
 * Without `now`, no duration: for messages that are edited only when something changes.
 */
export function describeSince(since: StatusSince, now?: Date): string {
  const at = `${since.known ? 'since' : 'at least since'} ${formatTimestamp(since.at)}`;
  return now ? `${at} (${formatAge(since.at, now)})` : at;
}

/** `started for 3 h`, `started for at least 3 h`, `started, first seen just now`: a list line's status. */
export function describeTimeIn(status: string, since: StatusSince, now: Date): string {
  const ms = now.getTime() - since.at.getTime();
  if (since.known) return `${status} for ${formatAge(since.at, now)}`;
  return ms < 60_000 ? `${status}, first seen just now` : `${status} for at least ${formatAge(since.at, now)}`;
}
