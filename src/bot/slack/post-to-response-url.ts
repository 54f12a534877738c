import { IntegrationError } from '../../errors.js';

/** Slack allows 3 s for the ack but a response_url is good for 30 minutes; do not wait on one forever. */
const RESPONSE_URL_TIMEOUT_MS = 10_000;

/**
 * Posts a message to an interaction's response_url
 * (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses). The URL itself
 * lets anyone post into the conversation, so it never appears in errors or logs. `fetchFn` is the
 * app's kept-alive one (keep-alive-fetch.ts).
 */
export async function postToResponseUrl(
  url: string,
  message: Record<string, unknown>,
  trusted: (url: string) => boolean,
  fetchFn: typeof fetch = fetch,
): Promise<void> {
  // The URL came in a payload; a reply posted anywhere else would hand request details to its owner.
  if (!trusted(url)) throw new IntegrationError('slack', 'refused to answer through a response_url that is not one of Slack\'s hosts');
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: 'POST',
      // A response_url that redirects is not followed: the message would go where the URL's owner says.
      redirect: 'error',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(RESPONSE_URL_TIMEOUT_MS),
    });
  } catch (error) {
    throw new IntegrationError('slack', 'could not reach Slack to answer through the response_url', { cause: error });
  }
  if (!response.ok) {
    const detail = (await response.text().catch(() => '')).slice(0, 200);
    throw new IntegrationError('slack', `Slack refused the answer through the response_url (HTTP ${response.status})`, {
      status: response.status,
      detail,
    });
  }
}
