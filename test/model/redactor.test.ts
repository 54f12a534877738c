import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../src/model/redactor.js';
import { loadConfig } from '../../src/config.js';
import { configSecrets } from '../../src/config/secrets.js';
import { createLogger, createMemoryLogger } from '../../src/logger.js';
import { createRestGateway } from '../../src/integrations/atmosphere/rest-gateway.js';
import { createRedisStore } from '../../src/integrations/kv/redis-store.js';
import { renderIntegrationError } from '../../src/bot/chat/render-error.js';
import { IntegrationError } from '../../src/errors.js';
import { startBot } from '../../src/start-bot.js';

const PASSWORDS = ['apipass-9f3k', 'rs3cret-pw-77', 'pg-s3cret-pw-42', 'tok-abcdef123456'];

/** A port nothing listens on: bound, read, and closed again. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 1;
}

function expectClean(texts: readonly string[]): void {
  expect(texts.length).toBeGreaterThan(0);
  for (const text of texts) for (const secret of PASSWORDS) expect(text, text).not.toContain(secret);
}

describe('credentials in configured URLs and tokens never reach a log line or a chat message', () => {
  it('strips the user-info of any URL and every configured secret from text', () => {
    const redact = createRedactor(['tok-abcdef123456']);
    expect(redact('GET https://user:apipass-9f3k@api.example/v2 failed')).toBe('GET https://[redacted]@api.example/v2 failed');
    expect(redact('redis://:rs3cret-pw-77@cache:6379/0 and postgres://bot:pg-s3cret-pw-42@db/atmo')).toBe('redis://[redacted]@cache:6379/0 and postgres://[redacted]@db/atmo');
    expect(redact('Authorization: Token tok-abcdef123456')).toBe('Authorization: Token [redacted]');
    expect(redact('no secrets here: https://example.org/a@b')).toBe('no secrets here: https://example.org/a@b');
  });

  it('takes the tokens and URL passwords of the configuration as secrets', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://bot:pg-s3cret-pw-42@db.example/atmo',
      REDIS_URL: 'redis://:rs3cret-pw-77@cache.example:6379',
      ATMOSPHERE_API_URL: 'https://user:apipass-9f3k@atmo.example/api/v2',
      ATMOSPHERE_API_TOKEN: 'tok-abcdef123456',
    });
    expect(configSecrets(config)).toEqual(expect.arrayContaining(PASSWORDS));
  });

  it('scrubs every log line, whatever field or stack the secret hides in', () => {
    const lines: string[] = [];
    const log = createLogger('debug', { write: (chunk: string) => void lines.push(chunk) }, 'json', ['tok-abcdef123456']);
    log.error({ err: new Error('connect failed for postgres://bot:pg-s3cret-pw-42@db/atmo'), target: 'redis://:rs3cret-pw-77@cache' }, 'start-up failed');
    log.warn({ nested: { said: 'token tok-abcdef123456 refused' } }, 'https://user:apipass-9f3k@atmo.example refused');
    expectClean(lines);
    expect(lines.join('')).toContain('[redacted]');
  });

  it('keeps an API URL with credentials out of the error a staff member reads and out of the log', async () => {
    const { log, lines } = createMemoryLogger('debug');
    const gateway = createRestGateway({
      baseUrl: `http://user:apipass-9f3k@127.0.0.1:${await deadPort()}/api/v2`,
      token: 'tok-abcdef123456',
      statusId: async () => 1,
      log,
    });
    const error = await gateway.setResourceRequestStatus({ id: 4, status: 'approved', adminMessage: '' }).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(IntegrationError);
    const reply = renderIntegrationError(error as IntegrationError);
    expect(reply).toMatch(/could not be reached/);
    expectClean([reply, (error as Error).message, String((error as IntegrationError).detail), ...lines.map((line) => JSON.stringify(line))]);
  });

  it('keeps a Redis password out of the log when Redis is down', async () => {
    const { log, lines } = createMemoryLogger('debug');
    const store = await createRedisStore(`redis://:rs3cret-pw-77@127.0.0.1:${await deadPort()}`, { log, maxReconnectDelayMs: 50 });
    try {
      await expect(store.get('x')).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await store.close();
    }
    expectClean(lines.map((line) => JSON.stringify(line)));
  });

  it('fails start-up against a dead database without the password in the error or the log', async () => {
    const config = loadConfig({
      DATABASE_URL: `postgres://postgres:pg-s3cret-pw-42@127.0.0.1:${await deadPort()}/test`,
      ATMOSPHERE_API_URL: 'https://user:apipass-9f3k@atmo.example/api/v2',
      ATMOSPHERE_API_TOKEN: 'tok-abcdef123456',
      PORT: '0',
      HOST: '127.0.0.1',
      CONSOLE: 'off',
      JOBS: 'false',
    });
    const lines: string[] = [];
    const log = createLogger('debug', { write: (chunk: string) => void lines.push(chunk) }, 'json', configSecrets(config));
    const failure = await startBot(config, log).then(
      async (bot) => {
        await bot.stop();
        return null;
      },
      (caught: unknown) => caught,
    );
    expect(failure).toBeInstanceOf(Error);
    expectClean([createRedactor([])((failure as Error).message), ...lines]);
  });
});
