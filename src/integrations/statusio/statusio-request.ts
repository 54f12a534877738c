import { z } from 'zod';
import { IntegrationError } from '../../errors.js';
import type { Logger } from '../../logger.js';

/**
 * HTTP to status.io: one exchange with its envelope checks, and the retry loop around it.
 * The API answers `{ status: { error: "no"|"yes", message }, result }`, so an error can arrive with
 * HTTP 200. The API id and key are sent as headers only and scrubbed from anything echoed back.
 */

const envelope = z.object({
  status: z.object({ error: z.string(), message: z.string().default('') }),
  result: z.unknown(),
});

/** A failure after which the request may be sent again (it may or may not have reached status.io). */
class RetryableFailure extends Error {
  constructor(
    readonly reason: string,
    readonly status: number | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(reason, options);
  }
}

export interface StatusIoRequestOptions {
  /** API base, ending in `/`. */
  base: string;
  apiId: string;
  apiKey: string;
  fetch: typeof fetch;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  sleep: (ms: number) => Promise<void>;
  log: Logger;
}

export interface StatusIoRequest {
  /** One HTTP exchange (POST with a body, GET without); returns `result` or throws. */
  send(operation: string, path: string, body?: Record<string, unknown>): Promise<unknown>;
  /**
   * Runs `attemptOnce` with retries. `alreadyDone` runs before any re-send that follows an unclear
   * failure: if it finds the change on status.io, its answer is returned and nothing is sent again.
   */
  withRetries<T>(operation: string, attemptOnce: () => Promise<T>, alreadyDone?: () => Promise<T | undefined>): Promise<T>;
}

/** Wait before retry `attempt` (1-based): base × 2^(attempt-1), plus up to a quarter more as jitter. */
export function backoffDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  return Math.round(baseMs * 2 ** (attempt - 1) * (1 + random() * 0.25));
}

/**
 * Builds the sender and retry loop for one status.io account. Final failures become
 * `IntegrationError('statusio', ...)` with a secret-free message.
 */
export function createStatusIoRequest(options: StatusIoRequestOptions): StatusIoRequest {
  const { base, timeoutMs, retries, backoffMs, sleep, log } = options;

  const scrub = (text: string): string => {
    let out = text;
    for (const secret of [options.apiKey, options.apiId]) if (secret) out = out.split(secret).join('[redacted]');
    return out.slice(0, 300);
  };

  /** One HTTP exchange; returns `result` or throws IntegrationError (final) / RetryableFailure. */
  async function send(operation: string, path: string, body?: Record<string, unknown>): Promise<unknown> {
    const headers: Record<string, string> = { 'x-api-id': options.apiId, 'x-api-key': options.apiKey, accept: 'application/json' };
    if (body) headers['content-type'] = 'application/json';
    let status: number;
    let text: string;
    try {
      const response = await options.fetch(new URL(path, base), {
        method: body ? 'POST' : 'GET',
        headers,
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new RetryableFailure(timedOut ? `no answer within ${timeoutMs} ms` : 'could not reach status.io', undefined, { cause: error });
    }
    if (status >= 500) throw new RetryableFailure(`status.io answered HTTP ${status}`, status);
    const parsed = envelope.safeParse(safeJson(text));
    if (parsed.success && parsed.data.status.error !== 'no') {
      const detail = scrub(parsed.data.status.message);
      if (detail === 'Authentication failed' || status === 401 || status === 403) {
        throw new IntegrationError('statusio', `status.io refused the credentials for ${operation}`, { operation, status, detail });
      }
      throw new IntegrationError('statusio', `status.io refused to ${operation}: ${detail || 'no reason given'}`, { operation, status, detail });
    }
    if (status === 401 || status === 403) {
      throw new IntegrationError('statusio', `status.io refused the credentials for ${operation}`, { operation, status });
    }
    if (status < 200 || status >= 300 || !parsed.success) {
      throw new IntegrationError('statusio', `status.io gave an unexpected answer (HTTP ${status}) to ${operation}`, { operation, status, detail: scrub(text) });
    }
    return parsed.data.result;
  }

  // Looking before re-sending is what keeps subscribers from getting the same notice twice.
  async function withRetries<T>(operation: string, attemptOnce: () => Promise<T>, alreadyDone?: () => Promise<T | undefined>): Promise<T> {
    let unclear = false;
    let last: RetryableFailure | undefined;
    for (let attempt = 0; attempt <= retries; attempt += 1) {
      if (attempt > 0) {
        const delayMs = backoffDelay(attempt, backoffMs);
        log.warn({ operation, attempt, status: last?.status, reason: last?.reason, delayMs }, 'status.io call failed, retrying');
        await sleep(delayMs);
      }
      try {
        if (unclear && alreadyDone) {
          const found = await alreadyDone();
          if (found !== undefined) {
            log.info({ operation, attempt }, 'status.io had applied the earlier attempt; not sending it again');
            return found;
          }
        }
        return await attemptOnce();
      } catch (error) {
        if (!(error instanceof RetryableFailure)) throw error;
        last = error;
        unclear = true;
      }
    }
    throw new IntegrationError('statusio', `could not ${operation} after ${retries + 1} attempts: ${last?.reason ?? 'unknown failure'}`, {
      operation,
      status: last?.status,
      // A change that was sent and never clearly answered may or may not be on the status page.
      ...(alreadyDone ? { unclear: true, hint: 'it may or may not have been applied: check the status page before trying again' } : {}),
      cause: last,
    });
  }

  return { send, withRetries };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
