import type { IntegrationError, ServiceName } from '../../errors.js';

// The one place that turns an integration's facts into the sentence people read in chat. Integrations
// set facts and one hint; handlers add notes with `withNote`; nothing else writes these sentences.

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
 * The sentence a chat user sees for a failed call to another service: what happened (from the
 * error's facts and its secret-free `detail`), then what to do next (the integration's hint when it
 * gave one, else the rule for that kind of failure), then the notes handlers added. The full error
 * with its cause goes to the log, not to chat.
 */
export function renderIntegrationError(error: IntegrationError): string {
  const { what, advice } = describeFacts(error);
  // Notes keep their first letter: a handler's note may start with a username.
  return [what, error.hint === undefined ? advice : sentence(error.hint), ...error.notes.map((note) => withStop(note))].filter(Boolean).join(' ');
}

/**
 * The failure as a clause for a handler's own sentence ("Could not ask Flower: ..."): the
 * integration's account of what happened, then its hint, or for refused credentials the same advice
 * the full sentence gives, then the notes.
 */
export function integrationReason(error: IntegrationError): string {
  const { advice } = describeFacts(error);
  const credentials = (error.status === 401 || error.status === 403) && advice !== undefined;
  const next = error.hint ?? (credentials ? clause(advice) : undefined);
  return [next === undefined ? error.message : `${error.message}; ${next}`, ...error.notes.map((note) => trimEnd(note))].filter(Boolean).join('. ');
}

/** A sentence of advice as a clause: "An operator should check X." becomes "an operator should check X". */
function clause(text: string): string | undefined {
  const trimmed = trimEnd(text);
  return trimmed === undefined ? undefined : `${trimmed.charAt(0).toLowerCase()}${trimmed.slice(1)}`;
}

interface Described {
  what: string;
  /** What to do next, unless the integration's hint says it better. */
  advice?: string;
}

function describeFacts(error: IntegrationError): Described {
  const name = NAMES[error.service];
  const detail = error.detail === undefined ? undefined : trimEnd(error.detail);
  const said = detail === undefined ? '' : ` (${detail})`;
  const { status } = error;

  if (status === undefined && error.service === 'database') {
    if (timedOut(error)) {
      return {
        what: `The bot's database is not answering${said}, so I could not finish this.`,
        advice: 'If you asked for a change, check whether it was made before trying again; if this keeps happening, tell an operator.',
      };
    }
    if (connectionFailed(error)) {
      return { what: `The bot's database is unreachable${said}, so I could not finish this.`, advice: TRY_AGAIN };
    }
  }
  if (status === undefined) {
    if (timedOut(error)) {
      return { what: `${name} did not answer in time${said}.`, advice: 'If you asked for a change, check whether it was made before trying again.' };
    }
    if (error.unclear) return { what: `${name} gave no clear answer${said}, so the change may or may not have been made.` };
    if (error.code === 'malformed') return { what: `${name} answered in a way the bot cannot read${said}.`, advice: 'Tell an operator.' };
    if (error.service === 'database' || error.service === 'redis') {
      return { what: `${name} could not complete the request${said}.`, advice: TRY_AGAIN };
    }
    return { what: `${name} could not be reached${said}.`, advice: TRY_AGAIN };
  }
  if (status === 401) {
    return { what: `${name} did not accept the bot's credentials${said}.`, advice: `An operator should check ${CREDENTIALS[error.service]}.` };
  }
  if (status === 403 && error.code === 'action_failed') {
    // Atmosphere's post_instance_action answers 403 for any failure while running the action.
    return { what: `${name} could not run the action: ${detail ?? 'no reason given'}.` };
  }
  if (status === 429 || error.code === 'rate_limited') {
    return { what: `${name} is limiting how often the bot may call it.`, advice: 'Try again in a minute.' };
  }
  if (status === 403) {
    return {
      what: `${API_NAMES[error.service]} refused: ${detail ?? 'permission denied'}.`,
      // The one place that says who the Atmosphere token must belong to.
      advice:
        error.service === 'atmosphere'
          ? 'The account behind ATMOSPHERE_API_TOKEN must be staff.'
          : `An operator should check the permissions behind ${CREDENTIALS[error.service]}.`,
    };
  }
  if (status === 404) {
    return {
      what:
        detail === undefined || /^not found$/i.test(detail)
          ? `${name} answered that the record does not exist (HTTP 404).`
          : `Not found in ${name}: ${detail}.`,
    };
  }
  if (status === 503 && error.code === 'maintenance' && detail !== undefined) {
    return {
      what: `${name} is in maintenance: ${detail}.`,
      advice: 'Try again when it ends, or ask for your username to be exempted (MAINTENANCE_EXEMPT_USERNAMES).',
    };
  }
  if (error.code === 'malformed') {
    return { what: `${name} answered in a way the bot cannot read (HTTP ${status}${detail === undefined ? '' : `: ${detail}`}).`, advice: 'Tell an operator.' };
  }
  if (status >= 500) {
    return { what: `${name} is unavailable (HTTP ${status})${detail === undefined ? '' : `: ${detail}`}.`, advice: 'Try again later.' };
  }
  if (status >= 300 && status < 400) {
    const where = detail === undefined ? '' : `: ${detail}`;
    return { what: `${name} answered with a redirect (HTTP ${status})${where}.`, advice: `An operator should check ${URL_SETTINGS[error.service]}.` };
  }
  return { what: `${API_NAMES[error.service]} refused: ${detail ?? `HTTP ${status}`}.` };
}

const TRY_AGAIN = 'Try again in a minute; if it keeps failing, tell an operator.';

/** The text with one full stop at its end. */
function withStop(text: string): string {
  const trimmed = trimEnd(text);
  return trimmed === undefined ? '' : `${trimmed}.`;
}

/** A hint as a sentence of its own: capital first letter, one full stop. */
function sentence(text: string | undefined): string {
  const trimmed = text === undefined ? undefined : trimEnd(text);
  if (trimmed === undefined) return '';
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}.`;
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
