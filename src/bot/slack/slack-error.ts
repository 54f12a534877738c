import { IntegrationError } from '../../errors.js';

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

/** The `error` code of a Web API refusal (`channel_not_found`, `invalid_auth`, ...), when there is one. */
export function slackErrorCode(error: unknown): string | undefined {
  const code = field(field(error, 'data'), 'error');
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns a WebClient failure into an IntegrationError naming the method and Slack's error code. The
 * WebClient's own messages never contain the token, but we build ours from codes only to be sure.
 */
export function slackError(method: string, error: unknown): IntegrationError {
  const code = slackErrorCode(error);
  if (code) return new IntegrationError('slack', `Slack refused ${method}: ${code}`, { detail: code, cause: error });
  const status = field(error, 'statusCode');
  if (typeof status === 'number') {
    return new IntegrationError('slack', `Slack answered ${method} with HTTP ${status}`, { status, cause: error });
  }
  return new IntegrationError('slack', `could not reach Slack for ${method}`, { cause: error });
}

/** Runs one Web API call, turning its failure into an IntegrationError. */
export async function callSlack<T>(method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw slackError(method, error);
  }
}
