import type { Deps } from '../../deps.js';
import type { EventIO } from './command.js';
import type { Reply } from './reply.js';
import type { AuditDraft } from './audit-draft.js';

/** A second try for a handler's answer after a failed delivery: chat outages are mostly blips. */
const DELIVERY_RETRY_DELAY_MS = 500;

/**
 * Sends the answer of a handler that has already done its work, once more after a failure. A failed
 * delivery (an expired response_url, a chat outage) must not turn a completed decision into a
 * "failed, nothing was done" audit row and reply, so it is only logged and noted on the audit row.
 */
export async function deliver(io: EventIO, reply: Reply, draft: AuditDraft, log: Deps['log']): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, DELIVERY_RETRY_DELAY_MS));
    try {
      await io.respond(reply);
      return;
    } catch (error) {
      log.warn({ err: error, name: draft.name, attempt }, 'the handler finished but its reply could not be sent');
    }
  }
  draft.detail.replyFailed = true;
}

export async function safeRespond(io: EventIO, reply: Reply, log: Deps['log']): Promise<void> {
  try {
    await io.respond(reply);
  } catch (error) {
    log.error({ err: error }, 'could not send the error reply');
  }
}
