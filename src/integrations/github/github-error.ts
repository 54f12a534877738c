import { IntegrationError } from '../../errors.js';
import type { Logger } from '../../logger.js';

/**
 * Reading Octokit's errors and turning them into `IntegrationError('github', ...)` with a sentence an
 * operator can act on. Octokit's `RequestError` carries `status` and, when GitHub answered,
 * `response.data` with GitHub's own `message` and `errors`.
 */

/** The HTTP status of an Octokit error, or undefined for anything that carries none. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  return typeof error.status === 'number' ? error.status : undefined;
}

/** The body GitHub answered with, or undefined when there was no response. */
export function responseData(error: unknown): unknown {
  const response = typeof error === 'object' && error !== null && 'response' in error ? error.response : undefined;
  return typeof response === 'object' && response !== null && 'data' in response ? response.data : undefined;
}

/** GitHub's own explanation: `message` plus the `errors[].message` (or field and code) of a 422. */
export function githubMessage(error: unknown): string {
  const data = responseData(error);
  if (typeof data !== 'object' || data === null) return error instanceof Error ? error.message : String(error);
  const message = 'message' in data && typeof data.message === 'string' ? data.message : '';
  const errors: unknown[] = 'errors' in data && Array.isArray(data.errors) ? data.errors : [];
  const details = errors.map((item) => {
    if (typeof item !== 'object' || item === null) return String(item);
    if ('message' in item && typeof item.message === 'string') return item.message;
    return ['field' in item ? item.field : undefined, 'code' in item ? item.code : undefined].filter((part) => typeof part === 'string').join(' ');
  });
  return [message, ...details].filter(Boolean).join(': ');
}

/** Octokit reports a failed fetch (refused, DNS, TLS) as a 500 without a response. */
export const isUnreachable = (error: unknown): boolean => statusOf(error) === 500 && responseData(error) === undefined;

/** A 422 saying the branch, pull request or release is already there. */
export const isAlreadyExists = (error: unknown): boolean => statusOf(error) === 422 && /already exists|already_exists/i.test(githubMessage(error));

/**
 * The operator-facing sentence for a failed call; `status` undefined means GitHub was not reached.
 * `baseUrl` is the REST base, named when it could not be reached.
 */
export function explainGitHubFailure(status: number | undefined, detail: string, repo: string, action: string, baseUrl: string): string {
  const what = `${action} on ${repo}`;
  if (status === undefined) return `could not reach GitHub at ${baseUrl} while ${what}: ${detail}`;
  if (status === 401) return `GitHub rejected the token while ${what} (401): check GITHUB_TOKEN`;
  if ((status === 403 || status === 429) && /rate limit/i.test(detail)) {
    return `GitHub's rate limit stopped ${what} (${status}); try again in a few minutes`;
  }
  if (status === 403) return `the GitHub token cannot see or write ${repo} (403 while ${what}): give it write access to contents and pull requests there`;
  if (status === 404) return `GitHub answered 404 while ${what}: the repository does not exist or the token cannot see it`;
  if (status === 422) return `GitHub refused ${what} (422): ${detail}`;
  if (status >= 500) return `GitHub failed while ${what} (${status}); try again later`;
  return `GitHub answered ${status} while ${what}: ${detail}`;
}

export interface GitHubErrorContext {
  repo: string;
  action: string;
  baseUrl: string;
  /** Removes the token from GitHub's text before it is logged or shown. */
  redact: (text: string) => string;
  log: Logger;
}

/** Logs a failed call (without the token) and returns it as an `IntegrationError` keeping the cause. */
export function toGitHubIntegrationError(error: unknown, context: GitHubErrorContext): IntegrationError {
  const { repo, action, redact, log } = context;
  const detail = redact(githubMessage(error));
  const status = isUnreachable(error) ? undefined : statusOf(error);
  const message = explainGitHubFailure(status, detail, repo, action, context.baseUrl);
  log.warn({ repo, action, status, detail }, 'GitHub call failed');
  return new IntegrationError('github', message, { status, detail, cause: error });
}
