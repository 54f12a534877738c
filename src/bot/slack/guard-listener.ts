import type { Logger } from '../../logger.js';

/** Listeners must never throw: Bolt would log a stack and, over HTTP, the user would see nothing useful. */
export async function guardListener(log: Logger, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    log.error({ err: error }, 'Slack listener failed');
  }
}
