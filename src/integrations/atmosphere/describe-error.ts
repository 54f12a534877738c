import type { IntegrationError, ServiceName } from '../../errors.js';

const NAMES: Record<ServiceName, string> = {
  atmosphere: 'Atmosphere',
  slack: 'Slack',
  discord: 'Discord',
  console: 'The console',
  github: 'GitHub',
  statusio: 'status.io',
  openstack: 'OpenStack',
  flower: 'Flower',
  argo: 'Argo Server',
  dockerhub: 'Docker Hub',
  database: 'The database',
  redis: 'Redis',
};

/** Who answers a request it refuses; for the HTTP services that is their API. */
const API_NAMES: Record<ServiceName, string> = {
  atmosphere: 'The Atmosphere API',
  slack: 'The Slack API',
  discord: 'The Discord API',
  console: 'The console',
  github: 'The GitHub API',
  statusio: 'The status.io API',
  openstack: 'OpenStack (Keystone, Glance or Nova)',
  flower: "Flower's API",
  argo: "Argo Server's API",
  dockerhub: 'The Docker Hub API',
  database: 'The database',
  redis: 'Redis',
};

/** The settings an operator checks when a service refuses the bot's credentials. */
const CREDENTIALS: Record<ServiceName, string> = {
  atmosphere: 'ATMOSPHERE_API_TOKEN',
  slack: 'SLACK_BOT_TOKEN',
  discord: 'DISCORD_TOKEN',
  console: 'CONSOLE',
  github: 'GITHUB_TOKEN',
  statusio: 'STATUSIO_API_ID and STATUSIO_API_KEY',
  openstack: 'OPENSTACK_CLOUDS',
  flower: 'FLOWER_USER and FLOWER_PASSWORD',
  argo: 'ARGO_TOKEN',
  dockerhub: 'DOCKER_HUB_TOKEN',
  database: 'DATABASE_URL',
  redis: 'REDIS_URL',
};

/** The setting that holds each service's address, for a redirect. */
const URL_SETTINGS: Record<ServiceName, string> = {
  atmosphere: 'ATMOSPHERE_API_URL',
  slack: 'SLACK_API_URL',
  discord: 'DISCORD_API_URL',
  console: 'CONSOLE',
  github: 'GITHUB_API_URL',
  statusio: 'STATUSIO_API_URL',
  openstack: 'OPENSTACK_CLOUDS',
  flower: 'FLOWER_URL',
  argo: 'ARGO_SERVER_URL',
  dockerhub: 'DOCKER_HUB_URL',
  database: 'DATABASE_URL',
  redis: 'REDIS_URL',
};

const TIMEOUT_NAMES = new Set(['TimeoutError', 'AbortError']);
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * The one sentence a chat user sees for a failed call to another service. It names the service, says
 * what the service answered (the error's secret-free `detail`) and what to do next; the full error
 * with its cause goes to the log, not to chat.
 */
export function describeIntegrationError(error: IntegrationError): string {
  const name = NAMES[error.service];
  const detail = error.detail === undefined ? undefined : trimEnd(error.detail);
  const said = detail === undefined ? '' : ` (${detail})`;
  const { status } = error;

  if (status === undefined && error.service === 'database') {
    if (timedOut(error)) {
      return `The bot's database is not answering${said}, so I could not finish this. If you asked for a change, check whether it was made before trying again; if this keeps happening, tell an operator.`;
    }
    if (connectionFailed(error)) {
      return `The bot's database is unreachable${said}, so I could not finish this. Try again in a minute; if it keeps failing, tell an operator.`;
    }
  }
  if (status === undefined) {
    if (timedOut(error)) {
      return `${name} did not answer in time${said}. If you asked for a change, check whether it was made before trying again.`;
    }
    if (error.service === 'database' || error.service === 'redis') {
      return `${name} could not complete the request${said}. Try again in a minute; if it keeps failing, tell an operator.`;
    }
    return `${name} could not be reached${said}. Try again in a minute; if it keeps failing, tell an operator.`;
  }
  if (status === 401) {
    return `${name} did not accept the bot's credentials${said}. An operator should check ${CREDENTIALS[error.service]}.`;
  }
  if (status === 403) {
    const who =
      error.service === 'atmosphere'
        ? 'The account behind ATMOSPHERE_API_TOKEN must be staff.'
        : `An operator should check the permissions behind ${CREDENTIALS[error.service]}.`;
    return `${API_NAMES[error.service]} refused: ${detail ?? 'permission denied'}. ${who}`;
  }
  if (status === 404) {
    return detail === undefined || /^not found$/i.test(detail)
      ? `${name} answered that the record does not exist (HTTP 404).`
      : `Not found in ${name}: ${detail}.`;
  }
  if (status === 429) {
    return `${name} is limiting how often the bot may call it. Try again in a minute.`;
  }
  if (status === 503 && error.service === 'atmosphere' && detail !== undefined) {
    return `Atmosphere is in maintenance: ${detail}. Try again when it ends, or ask for your username to be exempted (MAINTENANCE_EXEMPT_USERNAMES).`;
  }
  if (status >= 500) {
    return `${name} is unavailable (HTTP ${status})${detail === undefined ? '' : `: ${detail}`}. Try again later.`;
  }
  if (status >= 300 && status < 400) {
    const where = detail === undefined ? '' : `: ${detail}`;
    return `${name} answered with a redirect (HTTP ${status})${where}. An operator should check ${URL_SETTINGS[error.service]}.`;
  }
  return `${API_NAMES[error.service]} refused: ${detail ?? `HTTP ${status}`}.`;
}

function trimEnd(text: string): string | undefined {
  // A backwards scan: `/[.\s]+$/` retries from every dot of a long run that does not end the text.
  let end = text.length;
  while (end > 0 && /[.\s]/.test(text[end - 1]!)) end -= 1;
  const trimmed = text.slice(0, end).trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A connection refused, reset or dropped somewhere down the cause chain. */
function connectionFailed(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    const code = 'code' in current ? current.code : undefined;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  }
  return false;
}

/** Looks down the cause chain: fetch wraps the abort or socket timeout in its own TypeError. */
function timedOut(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    if (TIMEOUT_NAMES.has(current.name)) return true;
    const code = 'code' in current ? current.code : undefined;
    if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return true;
  }
  return false;
}
