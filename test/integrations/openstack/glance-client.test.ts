import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { configSecrets } from '../../../src/config/secrets.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { IntegrationError } from '../../../src/errors.js';
import { createOpenStackClouds } from '../../../src/integrations/openstack/openstack-clients.js';
import { startFakeOpenStack, type FakeOpenStack } from '../../fakes/openstack.js';

const IMAGE = 'f77cb286-d5fc-4a3e-b15b-98e5a9dd2a86';

describe('the Glance client', () => {
  let cloud: FakeOpenStack;
  afterEach(async () => {
    await cloud.close();
  });

  function clients(secret = cloud.credentialSecret) {
    const { log, lines } = createMemoryLogger('debug');
    const openstack = createOpenStackClouds({
      clouds: [{ providerId: 4, authUrl: cloud.authUrl, applicationCredentialId: cloud.credentialId, applicationCredentialSecret: secret, regionName: 'RegionOne', interface: 'public' }],
      log,
    });
    return { glance: openstack.glance(4)!, openstack, lines };
  }

  it('authenticates once with the application credential and uses the public image endpoint', async () => {
    cloud = await startFakeOpenStack({ images: { [IMAGE]: { status: 'active', visibility: 'private' } } });
    const { glance, openstack } = clients();
    expect(openstack.providerIds()).toEqual([4]);
    expect(openstack.glance(5)).toBeNull();
    expect(await glance.getImage(IMAGE)).toEqual({ id: IMAGE, status: 'active', visibility: 'private' });
    expect(await glance.setVisibility(IMAGE, 'public')).toMatchObject({ visibility: 'public' });
    expect(await glance.getImage('00000000-0000-4000-8000-000000000000')).toBeNull();
    expect(cloud.calls.filter((call) => call.path === '/v3/auth/tokens')).toHaveLength(1);
    expect(cloud.calls.filter((call) => call.path.startsWith('/image/v2/images/'))).toHaveLength(3);
  });

  it('names the provider and keeps the secret out when Keystone refuses the credential', async () => {
    cloud = await startFakeOpenStack();
    const { glance, lines } = clients('not-the-right-secret-value');
    const error = await glance.getImage(IMAGE).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IntegrationError);
    expect((error as IntegrationError).message).toContain('Keystone of provider 4 refused the application credential (HTTP 401');
    expect(JSON.stringify(lines)).not.toContain('not-the-right-secret-value');
  });

  it('turns a Glance failure into an IntegrationError with its status', async () => {
    cloud = await startFakeOpenStack({ images: { [IMAGE]: { status: 'active', visibility: 'private' } } });
    const { glance } = clients();
    cloud.failNext('/image/v2/images/', 503);
    const error = (await glance.setVisibility(IMAGE, 'public').catch((caught: unknown) => caught)) as IntegrationError;
    expect(error.service).toBe('openstack');
    expect(error.status).toBe(503);
  });
});

describe('OPENSTACK_CLOUDS', () => {
  it('reads one cloud per provider id and counts each secret as a secret', () => {
    const config = loadConfig({
      OPENSTACK_CLOUDS: JSON.stringify({ 4: { auth_url: 'https://keystone.example.org:5000/v3', application_credential_id: 'abc', application_credential_secret: 'very-secret-value' } }),
      IMAGE_MASTER_PROVIDER: '7',
      IMAGE_REPLICA_PROVIDERS: '4, Jetstream - TACC',
    });
    expect(config.OPENSTACK_CLOUDS).toEqual([
      { providerId: 4, authUrl: 'https://keystone.example.org:5000/v3', applicationCredentialId: 'abc', applicationCredentialSecret: 'very-secret-value', regionName: undefined, interface: 'public' },
    ]);
    expect(config.IMAGE_REPLICA_PROVIDERS).toEqual(['4', 'Jetstream - TACC']);
    expect(configSecrets(config)).toContain('very-secret-value');
  });

  it('says what is wrong with a bad entry', () => {
    const attempt = () => loadConfig({ OPENSTACK_CLOUDS: JSON.stringify({ tacc: {}, 5: { auth_url: 'nope' } }) });
    expect(attempt).toThrow(ConfigError);
    const problems = (() => {
      try {
        attempt();
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    })();
    expect(problems.join('\n')).toContain('"tacc" is not a provider id');
    expect(problems.join('\n')).toContain('provider 5: auth_url: auth_url must be a full URL');
    expect(() => loadConfig({ OPENSTACK_CLOUDS: '{not json' })).toThrow(/must be JSON/);
  });
});

describe('the Glance client after a token is revoked', () => {
  it('authenticates again once and repeats the call', async () => {
    const cloud = await startFakeOpenStack({ images: { [IMAGE]: { status: 'active', visibility: 'private' } } });
    try {
      const { log } = createMemoryLogger('debug');
      const glance = createOpenStackClouds({
        clouds: [{ providerId: 4, authUrl: cloud.authUrl, applicationCredentialId: cloud.credentialId, applicationCredentialSecret: cloud.credentialSecret, regionName: undefined, interface: 'public' }],
        log,
      }).glance(4)!;
      await glance.getImage(IMAGE);
      cloud.failNext('/image/v2/images/', 401);
      expect(await glance.getImage(IMAGE)).toMatchObject({ status: 'active' });
      expect(cloud.calls.filter((call) => call.path === '/v3/auth/tokens')).toHaveLength(2);
    } finally {
      await cloud.close();
    }
  });

  it('says which provider could not be reached', async () => {
    // A port that was just free: nothing listens there any more.
    const closed = await startFakeOpenStack();
    const authUrl = closed.authUrl;
    await closed.close();
    const { log } = createMemoryLogger('debug');
    const glance = createOpenStackClouds({
      clouds: [{ providerId: 9, authUrl, applicationCredentialId: 'x', applicationCredentialSecret: 'secret-value-123', regionName: undefined, interface: 'public' }],
      log,
    }).glance(9)!;
    const error = (await glance.getImage(IMAGE).catch((caught: unknown) => caught)) as IntegrationError;
    expect(error.message).toBe('could not reach OpenStack of provider 9 for Keystone authentication: ECONNREFUSED');
  });
});
