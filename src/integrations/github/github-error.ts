import { IntegrationError } from '../../errors.js';

/**
 * Reading Octokit's errors and turning them into `IntegrationError('github', ...)` carrying the facts
 * and, where GitHub's rules call for one, a hint. Octokit's `RequestError` carries `status` and, when GitHub answered,
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

/** What failed, in facts, and at most one thing to do about it that only GitHub's rules tell. */
export interface GitHubFailure {
  message: string;
  code?: string;
  hint?: string;
}

/**
 * The facts of a failed call; `status` undefined means GitHub was not reached. `baseUrl` is the REST
 * base, named when it could not be reached. Credentials advice (401) is the chat core's renderer's.
 */
export function explainGitHubFailure(status: number | undefined, detail: string, repo: string, action: string, baseUrl: string): GitHubFailure {
  const what = `${action} on ${repo}`;
  if (status === undefined) return { message: `could not reach GitHub at ${baseUrl} while ${what}: ${detail}`, code: 'unreachable' };
  if (status === 401) return { message: `GitHub rejected the token while ${what} (401)` };
  if ((status === 403 || status === 429) && /rate limit/i.test(detail)) {
    return { message: `GitHub's rate limit stopped ${what} (${status})`, code: 'rate_limited', hint: 'try again in a few minutes' };
  }
  if (status === 403) {
    return { message: `the GitHub token cannot see or write ${repo} (403 while ${what})`, hint: 'give it write access to contents and pull requests there' };
  }
  if (status === 404) return { message: `GitHub answered 404 while ${what}`, hint: 'the repository does not exist or the token cannot see it' };
  if (status === 422) return { message: `GitHub refused ${what} (422): ${detail}` };
  if (status >= 500) return { message: `GitHub failed while ${what} (${status})`, hint: 'try again later' };
  return { message: `GitHub answered ${status} while ${what}: ${detail}` };
}

export interface GitHubErrorContext {
  repo: string;
  action: string;
  baseUrl: string;
  /** Removes the token from GitHub's text before it is logged or shown. */
  redact: (text: string) => string;
}

/**
 * A failed call as an `IntegrationError` keeping the cause, without the token. Not logged here:
 * whoever ends the failure logs it once.
 */
export function toGitHubIntegrationError(error: unknown, context: GitHubErrorContext): IntegrationError {
  const { repo, action, redact } = context;
  const detail = redact(githubMessage(error));
  const status = isUnreachable(error) ? undefined : statusOf(error);
  const { message, ...facts } = explainGitHubFailure(status, detail, repo, action, context.baseUrl);
  return new IntegrationError('github', message, { operation: `${action} on ${repo}`, status, detail, ...facts, cause: error });
}
