import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../../src/errors.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { renderIntegrationError } from '../../../src/bot/chat/render-error.js';
import { isMaintenanceBody } from '../../../src/integrations/atmosphere/maintenance-detail.js';
import { createRestGateway } from '../../../src/integrations/atmosphere/rest-gateway.js';
import { DEFAULT_STATUS_NAMES, startFakeAtmosphereApi, type FakeAtmosphereApi } from '../../fakes/atmosphere-api.js';

const TOKEN = 'staff-token-503-test-0123456789';
const statusIds = Object.fromEntries(Object.entries(DEFAULT_STATUS_NAMES).map(([id, name]) => [name, Number(id)]));

describe('isMaintenanceBody', () => {
  it.each([
    // InMaintenance joins "%s: %s" % (title, message) per active global record with " | " (api/permissions.py).
    [{ detail: '12/1 (master) Maintenance: Atmosphere is down for a Scheduled Maintenance' }, true],
    [{ detail: 'v37: Upgrade | Storage: NFS move until 18:00 UTC' }, true],
    [{ detail: 'Untitled: ' }, true],
    // Atmosphere's own ServiceUnavailable default (api/exceptions.py) and DRF's.
    [{ detail: 'Service Unavailable.' }, false],
    [{ detail: 'Service temporarily unavailable, try again later.' }, false],
    [{ detail: '' }, false],
    [{ detail: 'Maintenance: planned', code: 'unavailable' }, false],
    [{ errors: [{ code: 503, message: 'Cloud Communications Error' }] }, false],
    ['<html><body>503 Service Temporarily Unavailable</body></html>', false],
    [null, false],
    [undefined, false],
    [[{ detail: 'a: b' }], false],
  ])('%j is maintenance: %s', (body, expected) => {
    expect(isMaintenanceBody(body)).toBe(expected);
  });
});

describe('a 503 from Atmosphere', () => {
  let api: FakeAtmosphereApi;
  const memory = createMemoryLogger('debug');
  const gateway = () =>
    createRestGateway({
      baseUrl: api.url,
      token: TOKEN,
      log: memory.log,
      statusId: async (name) => statusIds[name] ?? Promise.reject(new Error(`no status ${name}`)),
    });
  const failure = async (body: unknown): Promise<IntegrationError> => {
    api.failNext({ method: 'PATCH' }, 503, body);
    const error: unknown = await gateway()
      .setResourceRequestStatus({ id: 41, status: 'approved', adminMessage: 'ok' })
      .then(() => null, (reason: unknown) => reason);
    if (!(error instanceof IntegrationError)) throw new Error('expected an IntegrationError');
    return error;
  };

  beforeEach(async () => {
    api = await startFakeAtmosphereApi({ token: TOKEN });
  });
  afterEach(async () => {
    await api.close();
  });

  it('is reported as maintenance only with the maintenance body, quoting its records', async () => {
    const error = await failure({ detail: 'v37 (master) Maintenance: Atmosphere is down until 18:00 UTC' });
    expect(renderIntegrationError(error)).toBe(
      'Atmosphere is in maintenance: v37 (master) Maintenance: Atmosphere is down until 18:00 UTC. Try again when it ends, or ask for your username to be exempted (MAINTENANCE_EXEMPT_USERNAMES).',
    );
  });

  it.each([
    ['Atmosphere\'s default ServiceUnavailable', { detail: 'Service Unavailable.' }],
    ["DRF's default", { detail: 'Service temporarily unavailable, try again later.' }],
    ['an errors list', { errors: [{ code: 503, message: 'Cloud Communications Error' }] }],
    ['an HTML page from the proxy', '<html><body><h1>503 Service Unavailable</h1></body></html>'],
    ['an empty body', undefined],
  ])('is reported as an outage, not maintenance, for %s', async (_name, body) => {
    const error = await failure(body);
    expect(error.status).toBe(503);
    expect(renderIntegrationError(error)).toBe('Atmosphere is unavailable (HTTP 503). Try again later.');
    expect(error.message).not.toContain('maintenance');
  });
});
