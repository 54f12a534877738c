import type { Deps } from '../../deps.js';
import { writeAudit } from '../../db/queries/audit.js';
import {
  completeDecision,
  findDecision,
  holdDecision,
  isAbandonedClaim,
  releaseDecision,
  UNCONFIRMED_HOLD_MS,
  type DecisionRow,
  type DecisionSubject,
} from '../../db/queries/decisions.js';
import { findQueuedRequest, removeQueuedRequest } from '../../db/queries/imaging-queue.js';
import type { RequestEventSubject } from '../../db/queries/request-events.js';
import { claimVerb } from './describe-claim.js';
import { planOf, readAtmosphereOutcome } from './read-atmosphere-outcome.js';

/**
 * Where a claim stands after the bot looked at it: still `busy` with its own process, `done` (it
 * was, or is now recorded from what Atmosphere shows), `held` (sent without a clear answer and not
 * visible yet) or `released` (nothing landed; the request may be decided again).
 */
export type Settlement =
  | { kind: 'busy'; row: DecisionRow }
  | { kind: 'done'; row: DecisionRow; recordedNow: boolean }
  | { kind: 'held'; row: DecisionRow }
  | { kind: 'released'; row: DecisionRow; reason: string };

const HISTORY_ACTIONS: Record<string, string> = { approve: 'approved', deny: 'denied', resubmit: 'resubmitted' };

/**
 * Finishes a claim its own process could not: a crash, a shutdown or a database outage after the
 * call, or a call that got no clear answer. It re-reads the record in Atmosphere's tables and either
 * completes the journal (decision, request history and an audit row, credited to the person who
 * decided) or gives the claim back. It never calls the Atmosphere API, so nothing is sent twice.
 * Safe to run on several replicas at once: each write applies only to the state it read.
 */
export async function settleClaim(deps: Deps, row: DecisionRow): Promise<Settlement> {
  const now = deps.now();
  if (row.state === 'done') return { kind: 'done', row, recordedNow: false };
  if (row.state === 'in_progress' && !isAbandonedClaim(row, now)) return { kind: 'busy', row };

  if (row.sentAt === null) {
    // Nothing went out. A staff imaging approval may have queued the request instead, which needs no
    // call; the queue job's own approvals (platform `job`) take requests out of the queue, never in.
    if (row.subject === 'machine_request' && row.action === 'approve' && row.platform !== 'job' && (await findQueuedRequest(deps.db, row.recordId))) {
      return complete(deps, row, { outcome: 'queued' }, null, 'queued; the bot recorded it afterwards');
    }
    return release(deps, row, 'the process that claimed it stopped before sending anything to Atmosphere');
  }

  const outcome = await readAtmosphereOutcome(deps.db, row);
  if (outcome.kind === 'applied') {
    // A denied request leaves the imaging queue; so does an approved one (the queue job's own approval).
    if (row.subject === 'machine_request' && (row.action === 'deny' || row.action === 'approve')) await removeQueuedRequest(deps.db, row.recordId);
    const note = `Atmosphere shows it ${outcome.status}; the bot's reply was lost, so it recorded this afterwards`;
    return complete(deps, row, { status: outcome.status }, planOf(row)?.event ?? HISTORY_ACTIONS[row.action] ?? row.action, note);
  }
  if (outcome.kind === 'unchanged') {
    const until = row.heldUntil ?? new Date(row.sentAt.getTime() + UNCONFIRMED_HOLD_MS);
    if (now.getTime() < until.getTime()) {
      if (row.state !== 'held' && (await holdDecision(deps.db, row.id, until, 'the process that sent it stopped before it had an answer'))) {
        await audit(deps, row, 'held', `${label(row)}: sent, not visible in Atmosphere yet; held until ${until.toISOString()}`);
      }
      return { kind: 'held', row: (await findDecision(deps.db, row.subject as DecisionSubject, row.recordId, row.round)) ?? row };
    }
    const minutes = Math.round(UNCONFIRMED_HOLD_MS / 60_000);
    if (row.subject === 'instance') {
      return release(deps, row, `Atmosphere's status history shows no sign of it ${minutes} minutes after it was sent (the instance is ${outcome.status}), so it is taken as never started`);
    }
    return release(deps, row, `Atmosphere still shows it ${outcome.status} ${minutes} minutes after it was sent, so it never landed`);
  }
  if (outcome.kind === 'elsewhere') {
    if (row.subject === 'instance') return release(deps, row, `the instance was deleted in Atmosphere, and its status history shows no sign of the action`);
    return release(deps, row, `Atmosphere shows it ${outcome.status}, which is not what the bot sent: it was decided outside the bot`);
  }
  return release(deps, row, 'the record no longer exists in Atmosphere');
}

async function complete(deps: Deps, row: DecisionRow, detail: Record<string, unknown>, historyAction: string | null, note: string): Promise<Settlement> {
  const at = deps.now();
  const completed = await completeDecision(deps.db, row.id, at, {
    detail: { ...(row.detail ?? {}), ...detail, reconciled: true },
    note,
    ...(historyAction
      ? {
          history: {
            subject: row.subject as RequestEventSubject,
            recordId: row.recordId,
            at,
            actor: row.decidedBy,
            platform: row.platform,
            action: historyAction,
            note: [row.adminMessage || null, note].filter(Boolean).join('; '),
          },
        }
      : {}),
  });
  if (completed) {
    deps.metrics.decision(row.subject, row.action, 'reconciled');
    await audit(deps, row, 'ok', `${label(row)} by ${row.decidedBy}: ${note}`);
  }
  const fresh = await findDecision(deps.db, row.subject as DecisionSubject, row.recordId, row.round);
  return { kind: 'done', row: fresh ?? { ...row, state: 'done', completedAt: at }, recordedNow: completed };
}

async function release(deps: Deps, row: DecisionRow, reason: string): Promise<Settlement> {
  // Of several replicas settling the same claim, only the one whose delete applied reports it.
  if (!(await releaseDecision(deps.db, row.id))) return { kind: 'released', row, reason };
  deps.metrics.decision(row.subject, row.action, 'released');
  await audit(deps, row, 'released', `${label(row)} by ${row.decidedBy} released: ${reason}`);
  deps.log.warn({ decisionId: row.id, subject: row.subject, recordId: row.recordId, reason }, 'decision claim released');
  return { kind: 'released', row, reason };
}

const SUBJECT_NAMES: Record<string, string> = { resource_request: 'resource request', machine_request: 'imaging request', instance: 'instance' };

function label(row: DecisionRow): string {
  return `${SUBJECT_NAMES[row.subject] ?? row.subject} #${row.recordId} ${claimVerb(row)}`;
}

/** The audit row of the bot's own follow-up, tied to the chat event that made the claim. */
async function audit(deps: Deps, row: DecisionRow, result: 'ok' | 'held' | 'released', message: string): Promise<void> {
  await writeAudit(deps.db, {
    at: deps.now(),
    eventId: row.eventId ?? `decision-${row.id}`,
    platform: row.platform,
    chatUserId: row.chatUserId,
    atmosphereUsername: row.decidedBy,
    kind: 'job',
    name: 'decision:reconcile',
    input: `${row.subject} ${row.recordId} ${row.action}`,
    outcome: result,
    message,
    detail: {
      decisionId: row.id,
      subject: row.subject,
      recordId: row.recordId,
      action: row.action,
      result,
      // The keys `/atmo audit request|imaging <id>` looks up.
      ...(row.subject === 'resource_request' ? { requestId: row.recordId } : row.subject === 'machine_request' ? { machineRequestId: row.recordId } : {}),
    },
    channel: row.channel ?? '',
    messageId: row.messageId ?? null,
  }, deps.log);
}
