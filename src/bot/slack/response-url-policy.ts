/**
 * Which response_url a reply may be posted to. The URL arrives in the payload, and a reply can carry
 * request details, so only Slack's own hosts are trusted: `hooks.slack.com` by default
 * (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses). `hosts` entries
 * are host names, reached over https only, or full origins (`http://127.0.0.1:4000`) for test fakes.
 * The configured Web API origin is trusted too: the bot already sends its token there.
 */
export function createResponseUrlPolicy(hosts: readonly string[], apiUrl?: string): (url: string) => boolean {
  const origins = new Set<string>();
  const names = new Set<string>();
  for (const entry of hosts) {
    if (entry.includes('://')) origins.add(new URL(entry).origin);
    else names.add(entry.toLowerCase());
  }
  if (apiUrl) origins.add(new URL(apiUrl).origin);
  return (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    // Credentials in the URL would be sent along; Slack's own URLs never carry any.
    if (parsed.username !== '' || parsed.password !== '') return false;
    if (origins.has(parsed.origin)) return true;
    return parsed.protocol === 'https:' && parsed.port === '' && names.has(parsed.hostname.toLowerCase());
  };
}

export const DEFAULT_RESPONSE_URL_HOSTS = ['hooks.slack.com'] as const;
