import { describe, expect, it } from 'vitest';
import { IntegrationError, type ServiceName } from '../../../src/errors.js';
import { integrationReason, renderIntegrationError } from '../../../src/bot/chat/render-error.js';

const timeout = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

describe('renderIntegrationError', () => {
  it('quotes what the Atmosphere API refused, without doubling the full stop', () => {
    const error = new IntegrationError('atmosphere', 'rejected', { status: 400, detail: 'status: Invalid pk "99" - object does not exist.' });
    expect(renderIntegrationError(error)).toBe('The Atmosphere API refused: status: Invalid pk "99" - object does not exist.');
  });

  it('still says which service refused when it gave no reason', () => {
    expect(renderIntegrationError(new IntegrationError('atmosphere', 'rejected', { status: 409 }))).toBe(
      'The Atmosphere API refused: HTTP 409.',
    );
  });

  it('explains Atmosphere maintenance and the exemption setting', () => {
    const error = new IntegrationError('atmosphere', 'maintenance', {
      status: 503,
      code: 'maintenance',
      detail: '5/1 (master) Maintenance: Atmosphere is down for a Scheduled Maintenance',
    });
    expect(renderIntegrationError(error)).toBe(
      'Atmosphere is in maintenance: 5/1 (master) Maintenance: Atmosphere is down for a Scheduled Maintenance. ' +
        'Try again when it ends, or ask for your username to be exempted (MAINTENANCE_EXEMPT_USERNAMES).',
    );
  });

  it('calls a 503 without a maintenance text plain unavailability', () => {
    expect(renderIntegrationError(new IntegrationError('atmosphere', 'down', { status: 503 }))).toBe(
      'Atmosphere is unavailable (HTTP 503). Try again later.',
    );
  });

  it('recognises a timeout wrapped by fetch and warns that a change may have happened', () => {
    const wrapped = new TypeError('fetch failed', { cause: timeout() });
    const sentence = renderIntegrationError(new IntegrationError('atmosphere', 'slow', { detail: 'waited 15000 ms', cause: wrapped }));
    expect(sentence).toBe(
      'Atmosphere did not answer in time (waited 15000 ms). If you asked for a change, check whether it was made before trying again.',
    );
  });

  it('recognises a socket timeout by its error code', () => {
    const cause = Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' });
    expect(renderIntegrationError(new IntegrationError('redis', 'slow', { cause }))).toMatch(/^Redis did not answer in time\./);
  });

  it('says an HTTP service could not be reached when there was no answer at all', () => {
    const cause = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(renderIntegrationError(new IntegrationError('statusio', 'down', { detail: 'ECONNREFUSED', cause }))).toBe(
      'status.io could not be reached (ECONNREFUSED). Try again in a minute; if it keeps failing, tell an operator.',
    );
  });

  it('says the database could not complete a request', () => {
    const error = new IntegrationError('database', 'query failed', { detail: 'too many connections' });
    expect(renderIntegrationError(error)).toBe(
      'The database could not complete the request (too many connections). Try again in a minute; if it keeps failing, tell an operator.',
    );
  });

  it.each([
    ['atmosphere', 'ATMOSPHERE_API_TOKEN'],
    ['slack', 'SLACK_BOT_TOKEN'],
    ['discord', 'DISCORD_TOKEN'],
    ['github', 'GITHUB_TOKEN'],
    ['statusio', 'STATUSIO_API_ID and STATUSIO_API_KEY'],
  ] satisfies [ServiceName, string][])('points an operator at the %s credentials on a 401', (service, variable) => {
    const sentence = renderIntegrationError(new IntegrationError(service, 'unauthorised', { status: 401, detail: 'bad credentials' }));
    expect(sentence).toContain('did not accept the bot\'s credentials (bad credentials)');
    expect(sentence).toContain(`An operator should check ${variable}.`);
  });

  it('says the Atmosphere token must belong to staff on a 403', () => {
    const error = new IntegrationError('atmosphere', 'forbidden', {
      status: 403,
      detail: 'You do not have permission to perform this action.',
    });
    expect(renderIntegrationError(error)).toBe(
      'The Atmosphere API refused: You do not have permission to perform this action. The account behind ATMOSPHERE_API_TOKEN must be staff.',
    );
  });

  it('points at the token permissions for another service on a 403', () => {
    const error = new IntegrationError('github', 'forbidden', { status: 403, detail: 'Resource not accessible by integration' });
    expect(renderIntegrationError(error)).toBe(
      'The GitHub API refused: Resource not accessible by integration. An operator should check the permissions behind GITHUB_TOKEN.',
    );
  });

  it('names the missing record on a 404, or falls back when the service only said Not Found', () => {
    expect(renderIntegrationError(new IntegrationError('atmosphere', 'missing', { status: 404, detail: 'machine request 12' }))).toBe(
      'Not found in Atmosphere: machine request 12.',
    );
    expect(renderIntegrationError(new IntegrationError('github', 'missing', { status: 404, detail: 'Not Found' }))).toBe(
      'GitHub answered that the record does not exist (HTTP 404).',
    );
  });

  it('asks to wait when rate limited', () => {
    expect(renderIntegrationError(new IntegrationError('discord', 'limited', { status: 429 }))).toBe(
      'Discord is limiting how often the bot may call it. Try again in a minute.',
    );
  });

  it('tells an operator to check the URL after a redirect', () => {
    const error = new IntegrationError('atmosphere', 'moved', { status: 301, detail: 'it points to https://atmo.example.org/api/v2/quotas' });
    expect(renderIntegrationError(error)).toBe(
      'Atmosphere answered with a redirect (HTTP 301): it points to https://atmo.example.org/api/v2/quotas. An operator should check ATMOSPHERE_API_URL.',
    );
    expect(renderIntegrationError(new IntegrationError('github', 'moved', { status: 307 }))).toBe(
      'GitHub answered with a redirect (HTTP 307). An operator should check GITHUB_API_URL.',
    );
  });

  it.each([
    ['atmosphere', 'Atmosphere'],
    ['slack', 'Slack'],
    ['discord', 'Discord'],
    ['github', 'GitHub'],
    ['statusio', 'status.io'],
    ['database', 'The database'],
    ['redis', 'Redis'],
  ] satisfies [ServiceName, string][])('names %s when it fails with a 5xx', (service, name) => {
    expect(renderIntegrationError(new IntegrationError(service, 'failed', { status: 500, detail: 'Internal error.' }))).toBe(
      `${name} is unavailable (HTTP 500): Internal error. Try again later.`,
    );
  });

  it('says an instance action failed while running, not that the token lacks permission', () => {
    const error = new IntegrationError('atmosphere', 'action failed', { status: 403, code: 'action_failed', detail: 'Instance is not active.' });
    expect(renderIntegrationError(error)).toBe('Atmosphere could not run the action: Instance is not active.');
  });

  it('calls a rate limit a rate limit even when the service answers 403', () => {
    const error = new IntegrationError('github', 'limited', { status: 403, code: 'rate_limited', detail: 'API rate limit exceeded', hint: 'try again in a few minutes' });
    expect(renderIntegrationError(error)).toBe('GitHub is limiting how often the bot may call it. Try again in a few minutes.');
  });

  it('says an answer the bot cannot read is one, not a refusal', () => {
    const error = new IntegrationError('argo', 'odd body', { status: 200, code: 'malformed', detail: 'unexpected body' });
    expect(renderIntegrationError(error)).toBe('Argo Server answered in a way the bot cannot read (HTTP 200: unexpected body). Tell an operator.');
  });

  it('says a change without a clear answer may or may not have been made, instead of asking to try again', () => {
    const error = new IntegrationError('atmosphere', 'reset', { detail: 'ECONNRESET', unclear: true });
    expect(renderIntegrationError(error)).toBe('Atmosphere gave no clear answer (ECONNRESET), so the change may or may not have been made.');
  });

  it('lets the integration hint replace the general advice, once', () => {
    const error = new IntegrationError('argo', 'refused', { status: 401, detail: 'HTTP 401', hint: 'check ARGO_TOKEN and its role in namespace atmo' });
    expect(renderIntegrationError(error)).toBe("Argo Server did not accept the bot's credentials (HTTP 401). Check ARGO_TOKEN and its role in namespace atmo.");
  });

  it('adds the notes of handlers after the sentence, keeping the facts of the call that failed', () => {
    const cause = new Error('socket');
    const error = new IntegrationError('atmosphere', 'PATCH /admin/resource_requests/4 answered HTTP 502', { operation: 'PATCH /admin/resource_requests/4', status: 502, cause });
    const noted = error.withNote('the new quota WAS assigned to alee').withNote('nothing else was sent', { unclear: true });

    expect(renderIntegrationError(noted)).toBe('Atmosphere is unavailable (HTTP 502). Try again later. the new quota WAS assigned to alee. nothing else was sent.');
    expect(noted).toBeInstanceOf(IntegrationError);
    expect(noted).toMatchObject({ service: 'atmosphere', status: 502, operation: 'PATCH /admin/resource_requests/4', message: error.message, cause, unclear: true });
    expect(noted.stack).toBe(error.stack);
    expect(error.notes).toEqual([]);
    expect(noted.facts()).toEqual({ service: 'atmosphere', operation: 'PATCH /admin/resource_requests/4', status: 502, unclear: true, notes: ['the new quota WAS assigned to alee', 'nothing else was sent'] });
  });

  it('gives handlers a clause with the facts and the hint, or the credentials advice', () => {
    const refused = new IntegrationError('flower', 'Flower refused the credentials for GET /api/queues/length (HTTP 401)', { status: 401 });
    expect(integrationReason(refused)).toBe('Flower refused the credentials for GET /api/queues/length (HTTP 401); an operator should check FLOWER_USER and FLOWER_PASSWORD');
    const glance = new IntegrationError('openstack', 'Glance of provider 4 refused PATCH /v2/images/x (HTTP 403)', { status: 403, hint: "making an image public needs the admin role in Glance's default policy" });
    expect(integrationReason(glance)).toBe("Glance of provider 4 refused PATCH /v2/images/x (HTTP 403); making an image public needs the admin role in Glance's default policy");
    const down = new IntegrationError('argo', 'Argo Server answered GET /x with HTTP 500', { status: 500 });
    expect(integrationReason(down.withNote('the log was not read.'))).toBe('Argo Server answered GET /x with HTTP 500. the log was not read');
  });
});
