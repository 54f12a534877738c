
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

/** One table of verbs for every view (handlers/describe-request-event.ts); the alert threads use it too. */
export { describeRequestEvent } from '../../handlers/describe-request-event.js';
