import { z } from 'zod';
import { openstackClouds, providerList } from '../model/openstack-clouds.js';
import { boolean, channel, cron, optionalPositiveInt, optionalString, optionalUrl, positiveInt, providerMinutes, timeZone } from './fields.js';

/**
 * Every environment variable the bot reads, with its default. Each external base URL is configurable
 * so tests (and staging) can point it elsewhere.
 */
export const variables = z.object({
    DATABASE_URL: optionalString,
    TROPOSPHERE_DATABASE_URL: optionalString,
    MIGRATION_DATABASE_URL: optionalString,
    REDIS_URL: optionalString,
    DATA_DIR: z.string().trim().default('.data'),
    DEMO_DATA: boolean(true),
    DATABASE_CONNECT_TIMEOUT_MS: positiveInt(5_000),
    DATABASE_STATEMENT_TIMEOUT_MS: positiveInt(15_000),

    ATMOSPHERE_API_URL: optionalUrl,
    ATMOSPHERE_API_TOKEN: optionalString,
    ATMOSPHERE_WEB_URL: optionalUrl,
    ATMOSPHERE_TIMEOUT_MS: positiveInt(15_000),
    ATMOSPHERE_API_MAINTENANCE_EXEMPT: boolean(false),

    SLACK_BOT_TOKEN: optionalString,
    SLACK_SIGNING_SECRET: optionalString,
    SLACK_APP_TOKEN: optionalString,
    SLACK_API_URL: optionalUrl,
    SLACK_RESPONSE_URL_HOSTS: z
      .string()
      .default('hooks.slack.com')
      .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean)),

    DISCORD_TOKEN: optionalString,
    DISCORD_APPLICATION_ID: optionalString,
    DISCORD_GUILD_ID: optionalString,
    DISCORD_API_URL: optionalUrl,
    DISCORD_MODE: z.enum(['gateway', 'http'], { error: 'must be gateway (one process holds a gateway session) or http (Discord posts to /discord/interactions)' }).default('gateway'),
    DISCORD_PUBLIC_KEY: optionalString,

    CONSOLE: z.enum(['auto', 'on', 'off']).default('auto'),
    BOT_ADMINS: z
      .string()
      .default('')
      .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean)),

    ALERT_CHANNEL: channel,
    ANNOUNCE_CHANNEL: channel,

    GITHUB_TOKEN: optionalString,
    GITHUB_API_URL: optionalUrl,
    RELEASE_REPOS: z
      .string()
      .default('')
      .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean)),
    RELEASE_BRANCH: z.string().trim().default('master'),
    SITE_TIME_ZONE: timeZone('America/Phoenix'),
    RELEASE_SITE: z.enum(['cyverse', 'jetstream'], { error: 'must be cyverse or jetstream' }).default('cyverse'),
    GITHUB_TIMEOUT_MS: positiveInt(15_000),
    /** The images a release tag builds on Docker Hub, checked for the runbook's "Images built" step. */
    RELEASE_IMAGES: z
      .string()
      .default('cyverse/atmosphere,cyverse/troposphere')
      .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean)),
    DOCKER_HUB_URL: optionalUrl.transform((value) => value ?? 'https://hub.docker.com'),
    DOCKER_HUB_TOKEN: optionalString,

    STATUSIO_API_ID: optionalString,
    STATUSIO_API_KEY: optionalString,
    STATUSIO_PAGE_ID: optionalString,
    STATUSIO_API_URL: optionalUrl,
    STATUSIO_TIMEOUT_MS: positiveInt(10_000),
    STATUSIO_COMPONENTS: z
      .string()
      .default('')
      .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean)),

    ALERT_SCAN_CRON: cron('* * * * *'),
    REMINDER_CRON: cron('*/5 * * * *'),
    IMAGING_STUCK_MINUTES: positiveInt(120),
    INSTANCE_NETWORKING_STUCK_MINUTES: positiveInt(20),
    INSTANCE_NETWORKING_STUCK_BY_PROVIDER: providerMinutes,
    INSTANCE_DEPLOYING_STUCK_MINUTES: positiveInt(60),
    INSTANCE_DEPLOY_LOG_DIR: z.string().trim().default('/opt/dev/atmosphere-docker/logs/atmosphere/atmosphere_deploy.d'),
    ARGO_NAMESPACE: z.string().trim().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace name such as argo').default('argo'),
    EVIDENCE_WAIT_MS: positiveInt(2_500),
    ARGO_SERVER_URL: optionalUrl,
    ARGO_TOKEN: optionalString,
    ARGO_TIMEOUT_MS: positiveInt(10_000),
    FLOWER_URL: optionalUrl,
    FLOWER_USER: optionalString,
    FLOWER_PASSWORD: optionalString,
    FLOWER_TIMEOUT_MS: positiveInt(10_000),
    OPENSTACK_CLOUDS: openstackClouds,
    OPENSTACK_TIMEOUT_MS: positiveInt(15_000),
    IMAGE_MASTER_PROVIDER: optionalString,
    IMAGE_REPLICA_PROVIDERS: providerList,
    REPLICA_REPORT_CRON: cron('0 14 * * 1'),
    RECONCILE_CRON: cron('0 13 * * 1'),
    STATS_REPORT_CRON: cron('0 15 * * 1'),
    STATS_CHANNEL: channel,
    RESOURCE_REQUEST_REMIND_HOURS: positiveInt(48),
    // An approval that raises a value above one of these waits for a second staff member.
    SECOND_REVIEW_CPU: optionalPositiveInt,
    SECOND_REVIEW_MEMORY_GB: optionalPositiveInt,
    SECOND_REVIEW_AU: optionalPositiveInt,
    JOBS: boolean(true),

    PORT: z.coerce
      .number({ error: 'must be a port number from 0 to 65535' })
      .int('must be a port number from 0 to 65535')
      .min(0, 'must be a port number from 0 to 65535')
      .max(65535, 'must be a port number from 0 to 65535')
      .default(3000),
    HOST: z.string().trim().default('0.0.0.0'),
    // Kubernetes sends SIGKILL 30 s after SIGTERM by default (terminationGracePeriodSeconds); 25 s
    // leaves time to tell the users of unfinished work and close the databases before that.
    SHUTDOWN_GRACE_MS: positiveInt(25_000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).default('json'),
});

/** Every variable the bot reads; `.env.example` documents exactly these (a test keeps them in step). */
export const CONFIG_VARIABLES = Object.keys(variables.shape);

