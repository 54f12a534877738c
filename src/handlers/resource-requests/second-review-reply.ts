import type { Button, Reply } from '../../bot/chat/reply.js';
import type { AwaitingSecondReview } from './decide-resource-request.js';
import { describeFirstApproval } from './second-review.js';

export const CONFIRM_ACTION = 'rr:confirm';

/** Confirm (the second reviewer) and Deny (anyone), on the message that says a grant waits. */
export function secondReviewButtons(id: number): Button[] {
  return [
    { label: 'Confirm approval (second reviewer)', action: CONFIRM_ACTION, value: String(id), style: 'primary' },
    { label: 'Deny', action: 'rr:deny', value: String(id), style: 'danger' },
  ];
}

/**
 * Posted to the channel when a large grant is approved once: who approved first, what it would change
 * and why it needs a second reviewer, and the buttons for the next person. Nothing was sent yet.
 */
export function awaitingSecondReviewReply(result: AwaitingSecondReview): Reply {
  const { request, first } = result;
  return {
    title: `Resource request #${request.id}: awaiting a second reviewer`,
    text: [
      `Request #${request.id} (${request.requester.username}) was ${describeFirstApproval(first)}. Nothing is sent to Atmosphere until a second staff member confirms it.`,
      first.summary,
      `Another staff member (not ${first.approvedBy}, not ${request.requester.username}) confirms it with the button or /atmo confirm ${request.id}; anyone may deny it.`,
    ].join('\n'),
    buttons: secondReviewButtons(request.id),
    visibility: 'channel',
    tone: 'info',
  };
}
