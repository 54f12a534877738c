import { describe, expect, it } from 'vitest';
import { createResponseUrlPolicy, DEFAULT_RESPONSE_URL_HOSTS } from '../../../src/bot/slack/response-url-policy.js';

describe('which response_url a reply may be posted to', () => {
  const trusted = createResponseUrlPolicy(DEFAULT_RESPONSE_URL_HOSTS);

  it("takes Slack's own https hook URLs", () => {
    expect(trusted('https://hooks.slack.com/actions/T1/123/abc')).toBe(true);
    expect(trusted('https://HOOKS.slack.com/commands/T1/1/x')).toBe(true);
  });

  it('refuses other hosts, look-alikes, plain http, other ports, credentials and garbage', () => {
    for (const url of [
      'https://evil.example/approve',
      'https://hooks.slack.com.evil.example/x',
      'https://evilhooks.slack.com/x',
      'http://hooks.slack.com/actions/x',
      'https://hooks.slack.com:8443/actions/x',
      'https://user:pass@hooks.slack.com/actions/x',
      'not a url',
      '',
    ]) {
      expect(trusted(url), url).toBe(false);
    }
  });

  it('trusts a configured origin and the Web API origin, for fakes in tests', () => {
    const local = createResponseUrlPolicy(['http://127.0.0.1:4000'], 'http://127.0.0.1:5000/api/');
    expect(local('http://127.0.0.1:4000/responses/1')).toBe(true);
    expect(local('http://127.0.0.1:5000/responses/1')).toBe(true);
    expect(local('http://127.0.0.1:5001/responses/1')).toBe(false);
    expect(local('https://hooks.slack.com/actions/x')).toBe(false);
  });
});
