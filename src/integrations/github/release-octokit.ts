import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { Logger } from '../../logger.js';

const ReleaseOctokit = Octokit.plugin(retry, throttling);

/** Octokit with the retry and throttling plugins, as the release verbs use it. */
export type ReleaseOctokitClient = InstanceType<typeof ReleaseOctokit>;

export interface ReleaseOctokitOptions {
  token: string;
  /** REST base without a trailing slash. */
  baseUrl: string;
  retry?: { retries?: number; retryAfterBaseValue?: number };
  throttle?: boolean;
  request?: { fetch?: typeof fetch };
  /** Each request (each retry alone) gives up after this long (GITHUB_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Removes the token from Octokit's warning lines. */
  redact: (text: string) => string;
  log: Logger;
}

/**
 * Builds the Octokit client for the release verbs: rate limits are retried twice with a warning,
 * and Octokit's own log lines go to the given logger without their request options.
 */
export function createReleaseOctokit(options: ReleaseOctokitOptions): ReleaseOctokitClient {
  const { log, redact } = options;
  const onLimit = (kind: string) => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    log.warn({ retryAfter, method: request.method, url: request.url, retryCount }, `GitHub ${kind} rate limit`);
    return retryCount < 2;
  };
  return new ReleaseOctokit({
    auth: options.token,
    baseUrl: options.baseUrl,
    userAgent: 'atmo-bot',
    request: { ...options.request, ...(options.timeoutMs ? { fetch: withTimeout(options.request?.fetch ?? globalThis.fetch, options.timeoutMs) } : {}) },
    retry: { ...options.retry },
    throttle: { enabled: options.throttle ?? true, onRateLimit: onLimit('primary'), onSecondaryRateLimit: onLimit('secondary') },
    // Only the message string goes on: Octokit's debug line passes the whole request options
    // (headers, file contents) as a second argument. Failed calls are logged by the release verbs
    // with their meaning, so Octokit's own error lines (expected 404s among them) are demoted to debug.
    log: {
      debug: (message: string) => log.debug(message),
      info: (message: string) => log.debug(message),
      warn: (message: string) => log.warn(redact(message)),
      error: (message: string) => log.debug(message),
    },
  });
}

/**
 * Octokit has no timeout of its own (a hung GitHub would hold a release step forever), so every
 * request gets one through the fetch it calls; an abort reaches the caller as an unreachable GitHub.
 */
function withTimeout(send: typeof fetch, timeoutMs: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return send(input, { ...init, signal });
  };
}
