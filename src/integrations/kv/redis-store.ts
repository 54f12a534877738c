import { Redis } from 'ioredis';
import { IntegrationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { KeyValueStore } from './key-value-store.js';
import { checkTtl } from './keys.js';

/**
 * Compare-and-delete in one atomic step, so a lock holder whose TTL ran out never deletes the lock a
 * newer holder took (https://redis.io/docs/latest/develop/use/patterns/distributed-locks/).
 */
const DELETE_IF_EQUALS_LUA =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** A command on a live but slow Redis gives up after this; the callers then degrade (fallback or skip). */
const COMMAND_TIMEOUT_MS = 1000;
/** One TCP connect attempt; reconnects keep going in the background after it fails. */
const CONNECT_TIMEOUT_MS = 2000;
/** How long start-up waits for Redis before carrying on without it. */
const DEFAULT_CONNECT_WAIT_MS = 3000;
/** The ceiling of the back-off between reconnect attempts: a recovered Redis is used again within it. */
const DEFAULT_MAX_RECONNECT_DELAY_MS = 10_000;

export interface RedisStoreOptions {
  log: Logger;
  /** Prepended to every key, so several apps (or test suites) can share one Redis. */
  keyPrefix?: string;
  /** How long to wait for the first connection before starting without Redis. */
  connectWaitMs?: number;
  /** Upper bound of the reconnect back-off (tests turn it down). */
  maxReconnectDelayMs?: number;
}

/**
 * Opens the Redis-backed store. ioredis is configured to degrade instead of hang: no offline queue
 * (with its defaults a command on a dead Redis waits ~73 s), one retry per command, a command
 * timeout, and a retry strategy that never stops reconnecting. So while Redis is down every call
 * rejects at once with an `IntegrationError`, `healthy()` is false, and the store comes back by
 * itself when Redis does. A Redis that is down at start-up does not fail the bot: this resolves
 * after `connectWaitMs` with a warning and keeps trying in the background.
 */
export async function createRedisStore(url: string, options: RedisStoreOptions): Promise<KeyValueStore> {
  const log = options.log.child({ service: 'redis', target: describeTarget(url) });
  const maxDelay = options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS;
  const redis = new Redis(url, {
    keyPrefix: options.keyPrefix ?? 'atmobot:',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 250, maxDelay),
  });

  // Without an 'error' listener ioredis prints "Unhandled error event" on every failed reconnect.
  // One warning per outage is enough (a dropped connection or a failed connect, whichever comes
  // first); the 'ready' line says when it is over.
  let closing = false;
  let outageLogged = false;
  const reportOutage = (reason: string) => {
    if (outageLogged || closing) return;
    outageLogged = true;
    log.warn({ reason }, 'redis unavailable; commands fail fast and callers fall back until it returns');
  };
  redis.on('error', (error: Error) => reportOutage(error.message));
  redis.on('close', () => reportOutage('connection closed'));
  redis.on('ready', () => {
    if (outageLogged) log.info('redis connection restored');
    outageLogged = false;
  });

  const ready = await waitForReady(redis, options.connectWaitMs ?? DEFAULT_CONNECT_WAIT_MS);
  if (ready) log.info('redis connected');
  else log.warn('redis not reachable at start-up; starting without it and reconnecting in the background');

  const call = async <T>(command: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new IntegrationError('redis', `Redis ${command} failed: ${reason}`, { cause: error });
    }
  };

  return {
    kind: 'redis',
    get: (key) => call('GET', () => redis.get(key)),
    async set(key, value, ttlMs) {
      const ttl = checkTtl(ttlMs);
      await call('SET', () => redis.set(key, value, 'PX', ttl));
    },
    async setIfAbsent(key, value, ttlMs) {
      const ttl = checkTtl(ttlMs);
      return (await call('SET NX', () => redis.set(key, value, 'PX', ttl, 'NX'))) === 'OK';
    },
    async deleteIfEquals(key, value) {
      return (await call('EVAL', () => redis.eval(DELETE_IF_EQUALS_LUA, 1, key, value))) === 1;
    },
    async delete(key) {
      await call('DEL', () => redis.del(key));
    },
    healthy() {
      return !closing && redis.status === 'ready';
    },
    async close() {
      closing = true;
      if (redis.status === 'ready') {
        // QUIT lets pending replies arrive; if it fails the socket is dropped anyway.
        await redis.quit().catch(() => redis.disconnect());
      } else {
        redis.disconnect();
      }
    },
  };
}

/** Resolves true on 'ready', false when `waitMs` passes first; never rejects (errors are logged above). */
function waitForReady(redis: Redis, waitMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, waitMs);
    redis.once('ready', onReady);
  });
}

/** `host:port/db` of a Redis URL, for log lines: never the password or user name. */
function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}${parsed.pathname.length > 1 ? parsed.pathname : ''}`;
  } catch {
    return 'an unparsable REDIS_URL';
  }
}
