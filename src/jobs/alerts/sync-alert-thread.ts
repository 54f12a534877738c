import type { ChannelRef, MessageRef } from '../../bot/chat/chat-event.js';
import { formatChannelRef } from '../../bot/chat/chat-event.js';
import type { ChatPort } from '../../bot/chat/chat-port.js';
import type { Reply } from '../../bot/chat/reply.js';
import type { Database } from '../../db/client.js';
import {
  claimAlertThread,
  claimThreadUpdate,
  reclaimUnpostedThread,
  recordParentShown,
  recordThreadParent,
  recordThreadUpdate,
  releaseThreadClaim,
  type AlertThreadRow,
  type ThreadSnapshot,
} from '../../db/queries/alert-threads.js';
import type { Logger } from '../../logger.js';
import type { RequestEventRow } from './request-event-line.js';

/**
 * How long a claim (a parent or an update being posted) protects its runner. A runner that crashed
 * between claiming and recording leaves its claim behind; once this has passed a later tick takes it
 * over and posts. A chat post takes seconds at most (client timeouts are far shorter), so a live
 * runner is never overtaken; the price is that a lost post waits this long to be retried.
 */
export const ALERT_CLAIM_LEASE_MS = 5 * 60_000;

/** What a scan sees of one request now, with the messages that describe it. */
export interface ThreadObservation {
  recordId: number;
  snapshot: Omit<ThreadSnapshot, 'lastEventId'>;
  /** Whether this state deserves a thread when there is none yet. */
  alertable: boolean;
  parent(): Reply;
  /** The thread reply for the change since `previous` (what the thread last reported) plus `events`. */
  update(previous: AlertThreadRow, events: readonly RequestEventRow[]): Reply | null;
  /**
   * Runs in the thread once this runner has posted its parent, or posted a change of its state (not
   * for events alone): the instance alerts post the cloud's evidence there. Only the runner that won
   * the claim runs it, so it runs once per change; a failure is logged, the thread stays as recorded.
   */
  afterPost?(parent: MessageRef): Promise<void>;
}

export interface ThreadSyncContext {
  db: Database;
  chat: ChatPort;
  channel: ChannelRef;
  log: Logger;
  subject: string;
  now: Date;
  /** Unique per run: claims are recorded under it. */
  token: string;
  /** The highest event id read so far; a new thread starts after it (older events are history). */
  eventCursor: number;
}

/** `held`: a changed state waits for the bot's event of it (sync-threads.ts, BOT_CHANGE_GRACE_MS). */
export type SyncOutcome = 'opened' | 'updated' | 'unchanged' | 'held' | 'claimed-elsewhere';

/**
 * Brings one request's thread up to date, exactly once per change: opens it (claim, post, record),
 * retries a parent whose claim went stale, or posts the change in the thread (claim, post, record)
 * and edits the parent. Failed posts give their claim back and throw. With `botChangeInFlight`, a
 * changed state with no new event is left for a later tick, which tells it with the bot's event.
 */
export async function syncAlertThread(
  ctx: ThreadSyncContext,
  observation: ThreadObservation,
  thread: AlertThreadRow | undefined,
  events: readonly RequestEventRow[],
  options: { botChangeInFlight?: boolean } = {},
): Promise<SyncOutcome> {
  const { db, now, token } = ctx;
  const staleBefore = new Date(now.getTime() - ALERT_CLAIM_LEASE_MS);
  if (!thread) {
    if (!observation.alertable) return 'unchanged';
    const claimed = await claimAlertThread(db, {
      ...observation.snapshot,
      lastEventId: ctx.eventCursor,
      subject: ctx.subject,
      recordId: observation.recordId,
      channel: formatChannelRef(ctx.channel),
      token,
      now,
    });
    return claimed ? postParent(ctx, claimed, observation) : 'claimed-elsewhere';
  }
  if (!thread.parentRef) {
    const reclaimed = await reclaimUnpostedThread(db, thread.id, token, now, staleBefore);
    if (!reclaimed) return 'claimed-elsewhere';
    ctx.log.warn({ subject: ctx.subject, recordId: thread.recordId }, 'alert parent was claimed but never recorded; posting it now');
    return postParent(ctx, reclaimed, observation);
  }

  const fresh = events.filter((event) => event.id > thread.lastEventId);
  if (thread.fingerprint === observation.snapshot.fingerprint && fresh.length === 0) {
    if (thread.parentFingerprint !== thread.fingerprint) await editParent(ctx, thread, observation);
    return 'unchanged';
  }
  if (fresh.length === 0 && options.botChangeInFlight) return 'held';
  // Build the update before claiming it: a builder that throws must not leave the thread claimed
  // (and stalled) until the lease runs out.
  const reply = observation.update(thread, fresh);
  const expected = { fingerprint: thread.fingerprint, lastEventId: thread.lastEventId };
  if (!(await claimThreadUpdate(db, thread.id, expected, token, now, staleBefore))) return 'claimed-elsewhere';
  const snapshot: ThreadSnapshot = {
    ...observation.snapshot,
    lastEventId: Math.max(thread.lastEventId, ...fresh.map((event) => event.id)),
  };
  if (reply) {
    try {
      await ctx.chat.post(ctx.channel, reply, { thread: thread.parentRef });
    } catch (error) {
      await releaseThreadClaim(db, thread.id, token);
      throw error;
    }
  }
  if (!(await recordThreadUpdate(db, thread.id, token, snapshot, now))) {
    ctx.log.warn({ subject: ctx.subject, recordId: thread.recordId }, 'update claim was taken over while posting; the update may show twice');
  }
  await editParent(ctx, { ...thread, fingerprint: snapshot.fingerprint }, observation);
  if (thread.fingerprint !== observation.snapshot.fingerprint) await runAfterPost(ctx, thread.recordId, observation, thread.parentRef);
  return 'updated';
}

async function postParent(ctx: ThreadSyncContext, claimed: AlertThreadRow, observation: ThreadObservation): Promise<SyncOutcome> {
  let parentRef;
  try {
    parentRef = await ctx.chat.post(ctx.channel, observation.parent());
  } catch (error) {
    await releaseThreadClaim(ctx.db, claimed.id, ctx.token);
    throw error;
  }
  const snapshot: ThreadSnapshot = { ...observation.snapshot, lastEventId: claimed.lastEventId };
  if (!(await recordThreadParent(ctx.db, claimed.id, ctx.token, parentRef, snapshot, ctx.now))) {
    ctx.log.warn({ subject: ctx.subject, recordId: claimed.recordId }, 'parent claim was taken over while posting; the alert may show twice');
  }
  await runAfterPost(ctx, claimed.recordId, observation, parentRef);
  return 'opened';
}

async function runAfterPost(ctx: ThreadSyncContext, recordId: number, observation: ThreadObservation, parent: MessageRef): Promise<void> {
  if (!observation.afterPost) return;
  try {
    await observation.afterPost(parent);
  } catch (error) {
    ctx.log.warn({ err: error, subject: ctx.subject, recordId }, 'could not post in the alert thread after its change');
  }
}

/** Parent edits repeat harmlessly, so a failed one is only logged: the next tick sees it is behind and retries. */
async function editParent(ctx: ThreadSyncContext, thread: AlertThreadRow, observation: ThreadObservation): Promise<void> {
  if (!thread.parentRef) return;
  try {
    await ctx.chat.update(thread.parentRef, observation.parent());
    await recordParentShown(ctx.db, thread.id, thread.fingerprint);
  } catch (error) {
    ctx.log.warn({ err: error, subject: ctx.subject, recordId: thread.recordId }, 'could not edit the alert parent; retrying next tick');
  }
}
