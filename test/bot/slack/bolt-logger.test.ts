import { describe, expect, it } from 'vitest';
import { LogLevel } from '@slack/bolt';
import { boltLogger, scrubSecrets } from '../../../src/bot/slack/bolt-logger.js';
import { createMemoryLogger } from '../../../src/logger.js';

describe('boltLogger', () => {
  it('writes Bolt lines through pino with tokens and socket tickets blanked', () => {
    const { log, lines } = createMemoryLogger('debug');
    const logger = boltLogger(log);
    logger.debug('Connecting to', 'wss://wss-primary.slack.com/link/?ticket=abc123&app_id=A1', { token: 'xoxb-1-2-secret' });
    logger.error(new Error('invalid_auth for xapp-1-A1-secret'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ component: 'bolt', level: 20 });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('abc123');
    expect(text).not.toContain('xoxb-1-2-secret');
    expect(text).not.toContain('xapp-1-A1-secret');
    expect(lines[1]?.['msg']).toBe('Error: invalid_auth for xapp-[redacted]');
  });

  it('reports the pino level to Bolt and ignores attempts to change it', () => {
    const { log } = createMemoryLogger('warn');
    const logger = boltLogger(log);
    expect(logger.getLevel()).toBe(LogLevel.WARN);
    logger.setLevel(LogLevel.DEBUG);
    expect(logger.getLevel()).toBe(LogLevel.WARN);
  });

  it('leaves ordinary text alone', () => {
    expect(scrubSecrets('chat.postMessage ok in 12 ms')).toBe('chat.postMessage ok in 12 ms');
  });
});
