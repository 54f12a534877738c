import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, environmentWithEnvFile, loadConfig } from '../src/config.js';
import { configSecrets } from '../src/config/secrets.js';
import { CONFIG_VARIABLES } from '../src/config/variables.js';

describe('loadConfig', () => {
  it('runs embedded with no configuration at all', () => {
    const config = loadConfig({});
    expect(config.embedded).toBe(true);
    expect(config.PORT).toBe(3000);
    expect(config.ALERT_SCAN_CRON).toBe('* * * * *');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports every bad variable together, naming each and what it should hold', () => {
    let error: unknown;
    try {
      loadConfig({
        SLACK_BOT_TOKEN: 'xoxb-1',
        ALERT_CHANNEL: '#ops',
        PORT: 'eighty',
        ALERT_SCAN_CRON: 'every minute',
        RELEASE_REPOS: 'cyverse/atmosphere,not a repo',
        ATMOSPHERE_API_URL: 'atmo.example.org',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('SLACK_SIGNING_SECRET: Slack over HTTP needs both');
    expect(problems).toContain('ALERT_CHANNEL: must be <platform>:<channel id>');
    expect(problems).toContain('PORT: must be a port number from 0 to 65535');
    expect(problems).toContain('ALERT_SCAN_CRON: must be a cron expression');
    expect(problems).toContain('"not a repo" is not owner/name');
    expect(problems).toContain('ATMOSPHERE_API_URL: must be a full URL');
    expect((error as Error).message).not.toContain('xoxb-1');
  });

  it('treats empty variables as unset, so .env.example copied as it is runs the embedded bot', () => {
    const config = loadConfig({ PORT: '', IMAGING_STUCK_MINUTES: ' ', JOBS: '', DATABASE_URL: '', ALERT_CHANNEL: '' });
    expect(config.PORT).toBe(3000);
    expect(config.IMAGING_STUCK_MINUTES).toBe(120);
    expect(config.JOBS).toBe(true);
    expect(config.embedded).toBe(true);
    expect(config.alertChannel).toBeUndefined();
  });

  it('refuses Discord over HTTP without the public key, or with a malformed one, saying where the key is', () => {
    const discord = { DISCORD_TOKEN: 'discord-token', DISCORD_APPLICATION_ID: '111111111111111111' };
    const problemsOf = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        return (error as ConfigError).problems;
      }
      return [];
    };
    expect(problemsOf({ ...discord, DISCORD_MODE: 'http' })).toEqual([expect.stringMatching(/^DISCORD_PUBLIC_KEY: DISCORD_MODE=http needs the application's public key \(developer portal/)]);
    expect(problemsOf({ ...discord, DISCORD_MODE: 'http', DISCORD_PUBLIC_KEY: 'not-hex' })).toEqual([
      expect.stringMatching(/^DISCORD_PUBLIC_KEY: must be the 64 hex characters of the application's public key .*got 7 characters$/),
    ]);
    expect(problemsOf({ ...discord, DISCORD_MODE: 'http', DISCORD_PUBLIC_KEY: 'ab'.repeat(31) })).toHaveLength(1);
    expect(problemsOf({ DISCORD_MODE: 'http', DISCORD_PUBLIC_KEY: 'ab'.repeat(32) })).toEqual(['DISCORD_TOKEN: DISCORD_MODE=http needs DISCORD_TOKEN and DISCORD_APPLICATION_ID too']);
    expect(problemsOf({ ...discord, DISCORD_MODE: 'websocket' })[0]).toMatch(/^DISCORD_MODE: must be gateway .* or http/);

    const config = loadConfig({ ...discord, DISCORD_MODE: 'http', DISCORD_PUBLIC_KEY: 'AB'.repeat(32) });
    expect(config.discordPublicKey?.asymmetricKeyType).toBe('ed25519');
    expect(loadConfig(discord).DISCORD_MODE).toBe('gateway');
  });

  it('parses channel references and lists', () => {
    const config = loadConfig({ ALERT_CHANNEL: 'discord:1234', BOT_ADMINS: 'slack:U1, discord:2 ', DATABASE_URL: 'postgres://x@h/db' });
    expect(config.alertChannel).toEqual({ platform: 'discord', channel: '1234' });
    expect(config.BOT_ADMINS).toEqual(['slack:U1', 'discord:2']);
    expect(config.embedded).toBe(false);
  });

  it('.env.example documents exactly the variables the bot reads', () => {
    const documented = readFileSync(new URL('../.env.example', import.meta.url), 'utf8')
      .split('\n')
      .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    expect([...documented].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});

describe('the evidence sources', () => {
  const problemsOf = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };

  it('asks for the other half of the Flower and Argo credentials, and for the Flower address', () => {
    expect(problemsOf({ FLOWER_USER: 'staff' })).toEqual([
      "FLOWER_PASSWORD: Flower's API needs both the --basic_auth user and its password",
      "FLOWER_URL: FLOWER_USER is set but FLOWER_URL is not; give Flower's address, e.g. https://atmo.example.org/flower",
    ]);
    expect(problemsOf({ ARGO_TOKEN: 'token-value' })).toEqual(['ARGO_SERVER_URL: Argo Server needs both its URL and a bearer token']);
    expect(problemsOf({ ARGO_SERVER_URL: 'not a url', ARGO_TOKEN: 'token-value' })).toEqual(['ARGO_SERVER_URL: must be a full URL such as https://example.org/path']);
  });

  it('counts the Flower password and the Argo token as secrets', () => {
    const config = loadConfig({ FLOWER_URL: 'https://atmo.example.org/flower', FLOWER_USER: 'staff', FLOWER_PASSWORD: 'flower-secret-1', ARGO_SERVER_URL: 'https://argo.example.org:2746', ARGO_TOKEN: 'argo-token-secret' });
    expect(configSecrets(config)).toEqual(expect.arrayContaining(['flower-secret-1', 'argo-token-secret']));
    expect(config.FLOWER_TIMEOUT_MS).toBe(10_000);
    expect(config.ARGO_TIMEOUT_MS).toBe(10_000);
  });
});

describe('environmentWithEnvFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atmo-env-'));

  it('puts a .env file under the environment: the real environment wins', () => {
    const file = join(dir, '.env');
    writeFileSync(file, '# comment\nPORT=4000\nLOG_LEVEL=debug\nATMOSPHERE_WEB_URL="https://atmo.example.org"\n');
    const env = environmentWithEnvFile(file, { LOG_LEVEL: 'warn' });
    const config = loadConfig(env);
    expect(config.PORT).toBe(4000);
    expect(config.LOG_LEVEL).toBe('warn');
    expect(config.ATMOSPHERE_WEB_URL).toBe('https://atmo.example.org');
  });

  it('takes a missing file as no file, and says so when the file cannot be read', () => {
    expect(environmentWithEnvFile(join(dir, 'absent.env'), { PORT: '1' })).toEqual({ PORT: '1' });
    expect(() => environmentWithEnvFile(dir, {})).toThrow(ConfigError);
  });
});
