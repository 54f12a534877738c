import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { parseChannelRef, type ChannelRef } from './model/channel-ref.js';
import { openstackClouds, providerList } from './model/openstack-clouds.js';
import { parseDiscordPublicKey } from './model/discord-public-key.js';
import type { KeyObject } from 'node:crypto';
import { validate as validateCron } from 'node-cron';
import { isDockerHubImageName } from './model/docker-image-name.js';

/**
 * Every environment variable the bot reads, parsed once. No other file reads process.env.
 * Each external base URL is configurable so tests (and staging) can point it elsewhere.
 */

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const optionalUrl = optionalString.refine((value) => value === undefined || URL.canParse(value), {
  message: 'must be a full URL such as https://example.org/path',
});

const channel = optionalString.refine((value) => value === undefined || parseChannelRef(value) !== null, {
  message: 'must be <platform>:<channel id>, e.g. slack:C0123456 or discord:123456789012345678',
});

const cron = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((value) => validateCron(value), { message: 'must be a cron expression such as "* * * * *"' });

const positiveInt = (fallback: number) =>
  z.coerce.number({ error: 'must be a whole number above 0' }).int('must be a whole number above 0').positive('must be a whole number above 0').default(fallback);

/** A threshold that may be left unset (empty or absent): no threshold then. */
const optionalPositiveInt = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === '') return undefined;
    const number = Number(value);
    if (!Number.isInteger(number) || number <= 0) {
      ctx.addIssue({ code: 'custom', message: 'must be a whole number above 0, or empty for no threshold' });
      return z.NEVER;
    }
    return number;
  });

const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

/**
 * `<provider>=<minutes>` pairs, comma-separated: `Jetstream - TACC=120,7=45`. The provider is its id or
 * its name (`provider.location`, case-insensitive). Older clouds take up to two hours to leave
 * networking (staff guide), so the networking threshold is per provider.
 */
const providerMinutes = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const pairs: { provider: string; minutes: number }[] = [];
    for (const item of value.split(',').map((part) => part.trim()).filter(Boolean)) {
      const at = item.lastIndexOf('=');
      const provider = at === -1 ? '' : item.slice(0, at).trim();
      const minutes = at === -1 ? NaN : Number(item.slice(at + 1).trim());
      if (provider === '' || !Number.isInteger(minutes) || minutes <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${item}" is not <provider id or name>=<minutes>, e.g. Jetstream - TACC=120` });
        continue;
      }
      pairs.push({ provider, minutes });
    }
    return pairs;
  });
/** An IANA time zone name the runtime knows (`America/Phoenix`). */
const timeZone = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine(
      (value) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: value });
          return true;
        } catch {
          return false;
        }
      },
      { error: 'must be an IANA time zone such as America/Phoenix or UTC' },
    );

const variables = z.object({
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

/**
 * Checks between variables. They run on the raw environment, beside the per-variable checks, so an
 * operator sees every problem in one go rather than one round per fix.
 */
function crossCheck(env: Record<string, string | undefined>): string[] {
  const has = (name: string) => (env[name]?.trim() ?? '') !== '';
  const problems: string[] = [];
  const pairs: [string, string, string][] = [
    ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'Slack over HTTP needs both the bot token and the signing secret'],
    ['ATMOSPHERE_API_URL', 'ATMOSPHERE_API_TOKEN', 'the Atmosphere API needs both its URL and a staff token'],
    ['DISCORD_TOKEN', 'DISCORD_APPLICATION_ID', 'Discord needs both the bot token and the application id'],
    ['STATUSIO_API_ID', 'STATUSIO_API_KEY', 'status.io needs the API id, the API key and the page id'],
    ['STATUSIO_API_KEY', 'STATUSIO_PAGE_ID', 'status.io needs the API id, the API key and the page id'],
    ['ARGO_SERVER_URL', 'ARGO_TOKEN', 'Argo Server needs both its URL and a bearer token'],
    ['FLOWER_USER', 'FLOWER_PASSWORD', "Flower's API needs both the --basic_auth user and its password"],
  ];
  for (const [a, b, message] of pairs) {
    // Socket Mode replaces the signing secret, so the Slack pair only applies without an app token.
    if (a === 'SLACK_BOT_TOKEN' && has('SLACK_APP_TOKEN')) continue;
    if (has(a) !== has(b)) problems.push(`${has(a) ? b : a}: ${message}`);
  }
  if (env.DISCORD_MODE?.trim() === 'http') {
    if (!has('DISCORD_PUBLIC_KEY')) {
      problems.push("DISCORD_PUBLIC_KEY: DISCORD_MODE=http needs the application's public key (developer portal, General Information, Public Key) to check each interaction's signature");
    }
    if (!has('DISCORD_TOKEN') && !has('DISCORD_APPLICATION_ID')) problems.push('DISCORD_TOKEN: DISCORD_MODE=http needs DISCORD_TOKEN and DISCORD_APPLICATION_ID too');
  }
  if (has('DISCORD_PUBLIC_KEY')) {
    try {
      parseDiscordPublicKey(env.DISCORD_PUBLIC_KEY!);
    } catch (error) {
      problems.push(`DISCORD_PUBLIC_KEY: ${(error as Error).message}`);
    }
  }
  if (has('SLACK_APP_TOKEN') && !has('SLACK_BOT_TOKEN')) problems.push('SLACK_BOT_TOKEN: Socket Mode (SLACK_APP_TOKEN) also needs SLACK_BOT_TOKEN');
  const repos = (env.RELEASE_REPOS ?? '').split(',').map((item) => item.trim()).filter(Boolean);
  if (has('GITHUB_TOKEN') && repos.length === 0) problems.push('RELEASE_REPOS: list the repositories to release, e.g. cyverse/atmosphere,cyverse/troposphere');
  for (const repo of repos) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) problems.push(`RELEASE_REPOS: "${repo}" is not owner/name`);
  }
  for (const image of (env.RELEASE_IMAGES ?? '').split(',').map((item) => item.trim()).filter(Boolean)) {
    if (!isDockerHubImageName(image)) problems.push(`RELEASE_IMAGES: "${image}" is not a Docker Hub image name such as cyverse/atmosphere`);
  }
  if (has('FLOWER_USER') && !has('FLOWER_URL')) problems.push("FLOWER_URL: FLOWER_USER is set but FLOWER_URL is not; give Flower's address, e.g. https://atmo.example.org/flower");
  if (has('TROPOSPHERE_DATABASE_URL') && !has('DATABASE_URL')) {
    problems.push('DATABASE_URL: TROPOSPHERE_DATABASE_URL is set but DATABASE_URL is not; set both or neither');
  }
  return problems;
}

export type Config = Readonly<
  z.infer<typeof variables> & {
    alertChannel: ChannelRef | undefined;
    announceChannel: ChannelRef | undefined;
    /** Where the weekly service report goes: STATS_CHANNEL, else ANNOUNCE_CHANNEL. */
    statsChannel: ChannelRef | undefined;
    /** True when no DATABASE_URL is set: PGlite, demo data, embedded gateway. */
    embedded: boolean;
    /** DISCORD_PUBLIC_KEY as a key for verifying interaction signatures. */
    discordPublicKey: KeyObject | undefined;
  }
>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Configuration problems:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nSee .env.example for what each variable holds.`);
  }
}

/**
 * The environment with a `.env` file under it, when the file exists: a variable set in the real
 * environment wins over the file, as with `node --env-file`. A missing file is no error; an unreadable
 * one is, so an operator who wrote one learns why it did nothing.
 */
export function environmentWithEnvFile(
  file = '.env',
  env: Record<string, string | undefined> = process.env,
): Record<string, string | undefined> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return env;
    throw new ConfigError([`${file}: could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  return { ...parseEnv(text), ...env };
}

/** Parses the environment once and reports every bad variable together. */
export function loadConfig(rawEnv: Record<string, string | undefined> = process.env): Config {
  // An empty variable (`PORT=` copied from .env.example) means "not set", for every variable alike.
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const result = variables.safeParse(env);
  const problems = [
    ...(result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`)),
    ...crossCheck(env),
  ];
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  const parsed = result.data;
  return Object.freeze({
    ...parsed,
    alertChannel: parsed.ALERT_CHANNEL ? parseChannelRef(parsed.ALERT_CHANNEL)! : undefined,
    announceChannel: parsed.ANNOUNCE_CHANNEL ? parseChannelRef(parsed.ANNOUNCE_CHANNEL)! : undefined,
    statsChannel: parseChannelRef(parsed.STATS_CHANNEL ?? parsed.ANNOUNCE_CHANNEL ?? '') ?? undefined,
    embedded: parsed.DATABASE_URL === undefined,
    discordPublicKey: parsed.DISCORD_PUBLIC_KEY ? parseDiscordPublicKey(parsed.DISCORD_PUBLIC_KEY) : undefined,
  });
}

const TOKEN_VARIABLES = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'DISCORD_TOKEN',
  'ATMOSPHERE_API_TOKEN',
  'GITHUB_TOKEN',
  'STATUSIO_API_KEY',
  'DOCKER_HUB_TOKEN',
  'FLOWER_PASSWORD',
  'ARGO_TOKEN',
] as const;
const URL_VARIABLES = ['DATABASE_URL', 'TROPOSPHERE_DATABASE_URL', 'REDIS_URL', 'ATMOSPHERE_API_URL', 'ATMOSPHERE_WEB_URL', 'SLACK_API_URL', 'DISCORD_API_URL', 'GITHUB_API_URL', 'STATUSIO_API_URL', 'DOCKER_HUB_URL', 'FLOWER_URL', 'ARGO_SERVER_URL'] as const;

/**
 * Every secret value in the configuration: the tokens, and passwords inside URLs (user names are
 * not secret, and one such as "postgres" would blank out ordinary words; in a URL the whole
 * user-info part is stripped anyway).
 */
export function configSecrets(config: Config): string[] {
  const secrets: string[] = [];
  for (const name of TOKEN_VARIABLES) {
    const value = config[name];
    if (value) secrets.push(value);
  }
  for (const cloud of config.OPENSTACK_CLOUDS) secrets.push(cloud.applicationCredentialSecret);
  for (const name of URL_VARIABLES) {
    const value = config[name];
    if (!value || !URL.canParse(value)) continue;
    const url = new URL(value);
    if (url.password) secrets.push(url.password, decodeURIComponent(url.password));
  }
  return secrets;
}

/**
 * For the operator programs (`db:migrate`, `db:demo`, `discord:register`): the configuration with a
 * `.env` file under the environment, or null after writing every problem to stderr for the person at
 * the terminal. Errors other than configuration problems are bugs and are thrown.
 */
export function loadProgramConfig(): Config | null {
  try {
    return loadConfig(environmentWithEnvFile());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return null;
  }
}
