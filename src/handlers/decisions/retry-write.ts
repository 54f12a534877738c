import type { Logger } from '../../logger.js';

/** Tries after the first: short, because a person is waiting for the reply. */
const RETRY_DELAYS_MS = [250, 1_000] as const;
/** One attempt's limit: a hung database must not hold the reply for longer than this per try. */
const ATTEMPT_TIMEOUT_MS = 3_000;

/**
 * Runs a bookkeeping write with a short, bounded retry (three tries in about five seconds at worst).
 * Returns the write's result, or `undefined` when every try failed or timed out; the failure is
 * logged, never thrown, because the change it records has already been made in Atmosphere. The
 * write must be safe to repeat: a try that timed out may still complete later.
 */
export async function retryWrite<T>(log: Logger, what: string, write: () => Promise<T>): Promise<T | undefined> {
  let lastError: unknown;
  for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt += 1) {
    if (attempt > 0) await sleep(RETRY_DELAYS_MS[attempt - 1]!);
    try {
      return await withTimeout(write(), ATTEMPT_TIMEOUT_MS);
    } catch (error) {
      lastError = error;
    }
  }
  log.error({ err: lastError, write: what }, 'could not write to the bot database after retries; the reconciler completes it when the database is back');
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the database within ${ms} ms`)), ms);
  });
  // A try abandoned on timeout may still fail later; that failure is expected and not reported.
  work.catch(() => {});
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
