import type { HandlerContext } from '../../bot/chat/command.js';

/** One more try after a failed redraw: chat outages are usually a blip, and the person is waiting. */
const REDRAW_RETRY_DELAY_MS = 500;

/**
 * Redraws the message a decision's button sat on, once more after a failure. False when it still
 * failed: the decision stands, the reply says the message is stale, and the audit row stays `ok`
 * (with `redrawFailed` in its detail).
 */
export async function redrawSource(ctx: HandlerContext, redraw: () => Promise<void>): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, REDRAW_RETRY_DELAY_MS));
    try {
      await redraw();
      return true;
    } catch (error) {
      ctx.log.warn({ err: error, attempt }, 'could not redraw the message after a decision');
    }
  }
  ctx.audit({ redrawFailed: true });
  return false;
}
