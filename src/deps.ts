import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Database } from './db/client.js';
import type { AtmosphereGateway } from './integrations/atmosphere/gateway.js';
import type { KeyValueStore } from './integrations/kv/key-value-store.js';
import type { ChatDirectory, ChatPort } from './bot/chat/chat-port.js';
import type { Platform } from './bot/chat/chat-event.js';
import type { StatusPage } from './integrations/statusio/statusio-client.js';
import type { GitHubReleases } from './integrations/github/github-releases.js';
import type { BotMetrics } from './bot/chat/metrics.js';
import type { OpenStackClouds } from './integrations/openstack/openstack-clients.js';
import type { ImageRegistry } from './integrations/registry/image-registry.js';
import type { FlowerClient } from './integrations/flower/flower-client.js';
import type { ArgoClient } from './integrations/argo/argo-client.js';

/**
 * Everything a handler or job may use, built once in `main.ts` and passed down. Tests build their own
 * with fakes; nothing reaches for a module-level client.
 */
export interface Deps {
  config: Config;
  log: Logger;
  /** The Atmosphere database; the bot's own tables live in its `atmobot` schema. */
  db: Database;
  /** The Troposphere database (maintenance records); null when not configured. */
  troposphereDb: Database | null;
  /** Side-effecting writes: REST API in production, direct SQL in embedded mode. */
  gateway: AtmosphereGateway;
  /** Redis, or the in-process store when REDIS_URL is unset. */
  kv: KeyValueStore;
  /** Outbound posts to configured channels (announcements, alert threads). */
  chat: ChatPort;
  /** Per-platform user lookups (Slack e-mail); absent for platforms that have none. */
  directories: Partial<Record<Platform, ChatDirectory>>;
  /** status.io; null when STATUSIO_* is not configured. */
  statusPage: StatusPage | null;
  /** GitHub release tagging; null when GITHUB_TOKEN is not configured. */
  releases: GitHubReleases | null;
  /** Glance per provider; absent or null when OPENSTACK_CLOUDS is not configured. */
  openstack?: OpenStackClouds | null;
  /** Flower's API (Celery tasks, queue lengths); absent or null when FLOWER_URL, FLOWER_USER and FLOWER_PASSWORD are not all set. */
  flower?: FlowerClient | null;
  /** Argo Server's API in ARGO_NAMESPACE (deployment workflows); absent or null without ARGO_SERVER_URL and ARGO_TOKEN. */
  argo?: ArgoClient | null;
  /** Docker Hub's tag API, for the release images (RELEASE_IMAGES); always set by the bot, null in tests that have no registry. */
  images: ImageRegistry | null;
  /** Where the bot reports what it does (Prometheus in production, `noMetrics` in most tests). */
  metrics: BotMetrics;
  /**
   * Runs a wait on something another event or replica holds (the imaging slot lock) without holding
   * this event's work slot meanwhile (work-queue.ts `outside`), so waiters never starve other users'
   * commands. Outside an event (a scheduled job, a test) it simply waits.
   */
  waitOutsideSlot<T>(wait: () => Promise<T>): Promise<T>;
  now(): Date;
}
