import type { RequestEventRow } from '../../db/queries/request-events.js';
import { describeRequestEvent } from '../describe-request-event.js';

/** "kpatel redeployed it on slack at 2026-11-30 14:02 UTC": the same words as for a request. */
export function describeInstanceEvent(event: Pick<RequestEventRow, 'actor' | 'action' | 'platform' | 'at' | 'note'>): string {
  return describeRequestEvent(event);
}
