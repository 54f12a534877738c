import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Database } from './db/client.js';
import { requireStatusTypeId } from './db/queries/statuses.js';
import { createRestGateway } from './integrations/atmosphere/rest-gateway.js';
import { createEmbeddedGateway } from './integrations/atmosphere/embedded-gateway.js';
import { createReadOnlyGateway } from './integrations/atmosphere/read-only-gateway.js';
import type { AtmosphereGateway } from './integrations/atmosphere/gateway.js';
import { createMemoryStore } from './integrations/kv/memory-store.js';
import type { KeyValueStore } from './integrations/kv/key-value-store.js';
import { createStatusIo, STATUSIO_DEFAULT_URL, type StatusPage } from './integrations/statusio/statusio-client.js';
import type { GitHubReleases } from './integrations/github/github-releases.js';

/** The clients of the services the bot writes to, each built from the configuration (start-bot.ts wires them). */

export function buildGateway(config: Config, db: Database, now: () => Date, log: Logger): AtmosphereGateway {
  if (config.ATMOSPHERE_API_URL && config.ATMOSPHERE_API_TOKEN) {
    return createRestGateway({
      baseUrl: config.ATMOSPHERE_API_URL,
      token: config.ATMOSPHERE_API_TOKEN,
      timeoutMs: config.ATMOSPHERE_TIMEOUT_MS,
      statusId: (name) => requireStatusTypeId(db, name),
      log: log.child({ integration: 'atmosphere' }),
    });
  }
  // Direct SQL writes are for the embedded demo database only (DESIGN: never skip the API's side effects).
  if (config.embedded) return createEmbeddedGateway(db, now);
  log.warn('ATMOSPHERE_API_URL is not set: approvals and imaging changes will be refused (the API sends the e-mails and sets quotas)');
  return createReadOnlyGateway();
}

// Clients for optional services, and the chat adapters, are imported only when configured: a
// Slack-only bot never loads discord.js (about 47 MiB and a quarter of a second at start-up), nor
// ioredis without REDIS_URL, nor Octokit without GITHUB_TOKEN.

export async function buildStore(config: Config, log: Logger): Promise<KeyValueStore> {
  if (!config.REDIS_URL) return createMemoryStore();
  const { createRedisStore } = await import('./integrations/kv/redis-store.js');
  return createRedisStore(config.REDIS_URL, { log: log.child({ integration: 'redis' }) });
}

export function buildStatusPage(config: Config, log: Logger): StatusPage | null {
  if (!config.STATUSIO_API_ID || !config.STATUSIO_API_KEY || !config.STATUSIO_PAGE_ID) return null;
  return createStatusIo({
    baseUrl: config.STATUSIO_API_URL ?? STATUSIO_DEFAULT_URL,
    apiId: config.STATUSIO_API_ID,
    apiKey: config.STATUSIO_API_KEY,
    pageId: config.STATUSIO_PAGE_ID,
    components: config.STATUSIO_COMPONENTS,
    timeoutMs: config.STATUSIO_TIMEOUT_MS,
    log: log.child({ integration: 'statusio' }),
  });
}

export async function buildReleases(config: Config, log: Logger): Promise<GitHubReleases | null> {
  if (!config.GITHUB_TOKEN) return null;
  const { createGitHubReleases } = await import('./integrations/github/github-releases.js');
  return createGitHubReleases({
    token: config.GITHUB_TOKEN,
    ...(config.GITHUB_API_URL ? { baseUrl: config.GITHUB_API_URL } : {}),
    branch: config.RELEASE_BRANCH,
    timeoutMs: config.GITHUB_TIMEOUT_MS,
    log: log.child({ integration: 'github' }),
  });
}
