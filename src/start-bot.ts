import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Deps } from './deps.js';
import { buildDatabases, type Databases } from './build-databases.js';
import { createChatRouter } from './bot/chat/chat-router.js';
import { createDispatcher } from './bot/chat/create-dispatcher.js';
import { createReplayGuard } from './bot/chat/replay-guard.js';
import { createHealthCheck, type ComponentState } from './bot/chat/health-check.js';
import { drainAudit } from './db/queries/audit.js';
import type { Dispatcher } from './bot/chat/command.js';
import { createHttpRouter, healthRoutes, startHealthServer } from './bot/http-server.js';
import { commandDefinitions, actionDefinitions } from './handlers/index.js';
import { FORM_STATE_TTL_MS, keys } from './integrations/kv/keys.js';
import { createFormStateStore } from './bot/chat/form-state-store.js';
import { randomBytes } from 'node:crypto';
import { withMaintenanceGuard, MAINTENANCE_RECHECK_MS } from './integrations/atmosphere/maintenance-guard.js';
import { buildEvidenceSources } from './build-evidence-sources.js';
import { hostname } from 'node:os';
import { buildJobs } from './jobs/index.js';
import { createRunCoordinator } from './jobs/run-coordinator.js';
import { startScheduler, type Scheduler } from './jobs/scheduler.js';
import { reconcileDecisions } from './handlers/decisions/reconcile-decisions.js';
import { createWorkQueue, type WorkState } from './bot/chat/work-queue.js';
import { DEFAULT_WORK_CONCURRENCY } from './bot/chat/work-limits.js';
import { callsOutsideSlot } from './bot/chat/calls-outside-slot.js';
import { createImageRegistry } from './integrations/registry/image-registry.js';
import { stopGracefully } from './bot/chat/stop-gracefully.js';
import { createPrometheusMetrics } from './metrics/prometheus-metrics.js';
import { countOpenAlertThreads } from './db/queries/alert-threads.js';
import { configWarnings } from './model/config-warnings.js';
import { buildDiscord } from './start-discord.js';
import { buildSlack } from './start-slack.js';
import type { AdapterWiring } from './adapter-wiring.js';
import { buildGateway, buildReleases, buildStatusPage, buildStore } from './build-clients.js';

export interface RunningBot {
  deps: Deps;
  dispatcher: Dispatcher;
  databases: Databases;
  /** The port `/healthz`, `/readyz` (and Slack's HTTP endpoint) listen on; useful when PORT=0. */
  port: number | undefined;
  /** Settings that do nothing as configured, logged at start-up; main also prints them in the console. */
  warnings: readonly string[];
  /**
   * The acknowledged events not finished yet and where each is: waiting for a work slot, running in
   * one, or `outside` one while it waits on another service or the imaging lock. For crash logs.
   */
  pendingWork(): { eventId: string; state: WorkState }[];
  /** Registers the console adapter's outbound port (the console itself is driven by main). */
  registerConsole(port: Deps['chat']): void;
  /**
   * Starts the scheduled jobs (when JOBS is on). Separate from start-up so that every chat port,
   * the console's included, is registered before the first tick posts anything.
   */
  startJobs(): void;
  /**
   * Shuts down without dropping acknowledged work: 503 on the HTTP listeners and the sockets closed,
   * then up to SHUTDOWN_GRACE_MS for the work and a running job tick to finish, then the connections
   * closed. Calling it again returns the same promise.
   */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Test-only REST options for discord.js (retries, timeouts). */
  discordRestOptions?: Record<string, unknown>;
  now?: () => Date;
  /** Test-only client options passed to Bolt (retry config, bot ids to skip auth.test). */
  slackClientOptions?: Record<string, unknown>;
  slackBotIds?: { botId: string; botUserId: string };
  /** Benchmark-only: how many events run their own code at once (DEFAULT_WORK_CONCURRENCY). */
  workConcurrency?: number;
}

/**
 * Builds every client from the configuration, passes them down, and starts the configured adapters.
 * Used by `main.ts` and, unchanged, by end-to-end tests and benchmarks.
 */
export async function startBot(config: Config, log: Logger, options: StartOptions = {}): Promise<RunningBot> {
  const now = options.now ?? (() => new Date());
  const warnings = configWarnings(config);
  for (const warning of warnings) log.warn({ variable: warning.variable }, warning.message);
  const databases = await buildDatabases(config, log, now);
  const kv = await buildStore(config, log);
  const chat = createChatRouter();
  const prometheus = createPrometheusMetrics({
    log: log.child({ component: 'metrics' }),
    openAlertThreads: () => countOpenAlertThreads(databases.atmosphere.db),
  });
  const metrics = prometheus.port;
  // One queue for every adapter: the bound protects the shared Postgres pool. Clients that wait on
  // other services make their calls outside the event's slot, so a hung API holds only its own event;
  // the queue reports each such call as one to its service.
  const queue = createWorkQueue(options.workConcurrency ?? DEFAULT_WORK_CONCURRENCY, metrics, { log });
  // An event waiting on Postgres lets another run its code, and stays counted among those under way.
  for (const handle of [databases.atmosphere, databases.troposphere]) handle?.waitThrough((wait) => queue.waitOnDatabase(wait));
  const gateway = buildGateway(config, databases.atmosphere.db, now, log);
  const statusPage = buildStatusPage(config, log);
  const releases = await buildReleases(config, log);
  let draining = false;
  const deps: Deps = {
    config,
    log,
    db: databases.atmosphere.db,
    troposphereDb: databases.troposphere?.db ?? null,
    // While a global maintenance record is active the API answers 503 to users it does not exempt;
    // say so before trying, unless the operator says the bot's API user is exempt.
    gateway: withMaintenanceGuard(gateway.kind === 'rest' ? callsOutsideSlot(gateway, queue, 'atmosphere', { local: ['checkWritable'] }) : gateway, databases.atmosphere.db, now, {
      exempt: config.ATMOSPHERE_API_MAINTENANCE_EXEMPT,
      recheckAfterMs: MAINTENANCE_RECHECK_MS,
    }),
    kv,
    chat,
    directories: {},
    statusPage: statusPage && callsOutsideSlot(statusPage, queue, 'statusio'),
    releases: releases && callsOutsideSlot(releases, queue, 'github'),
    ...buildEvidenceSources(config, log, now, queue),
    images: callsOutsideSlot(
      createImageRegistry({ baseUrl: config.DOCKER_HUB_URL, token: config.DOCKER_HUB_TOKEN, timeoutMs: config.GITHUB_TIMEOUT_MS }),
      queue,
      'dockerhub',
    ),
    metrics,
    waitOutsideSlot: (wait) => queue.outside(wait),
    now,
  };
  const dispatcher = createDispatcher(deps, commandDefinitions, actionDefinitions);
  const formStates = createFormStateStore({ backend: kv, key: keys.formState, ttlMs: FORM_STATE_TTL_MS, newId: () => randomBytes(16).toString('hex') });
  const connections: Record<string, () => ComponentState> = {};
  const healthCheck = createHealthCheck({
    mode: config.embedded ? 'embedded' : 'production',
    db: databases.atmosphere.db,
    troposphereDb: databases.troposphere?.db ?? null,
    kv,
    gateway: deps.gateway.kind,
    connections: () => Object.fromEntries(Object.entries(connections).map(([name, state]) => [name, state()])),
  });
  const isDraining = () => draining;
  // Every route on PORT besides Slack's own: Bolt's receiver (Slack over HTTP) or a plain server asks it first.
  const router = createHttpRouter({ log, isDraining });
  for (const route of healthRoutes({ healthCheck, log, isDraining })) router.add(route);
  router.add({
    method: 'GET',
    path: '/metrics',
    whileDraining: true,
    async handle(_req, res) {
      const body = await prometheus.render();
      res.writeHead(200, { 'content-type': prometheus.contentType, 'cache-control': 'no-store' }).end(body);
    },
  });

  const stops: (() => Promise<void>)[] = [];
  // Claims a previous run of this or another replica left unfinished are settled against Atmosphere
  // now, without holding up start-up; the scheduled job does the same every minute.
  const startupReconcile = reconcileDecisions(deps)
    .then((summary) => log.info({ component: 'decision-reconciler', ...summary }, 'decision claims checked at start-up'))
    .catch((error: unknown) => log.error({ err: error, component: 'decision-reconciler' }, 'could not check decision claims at start-up'));
  stops.push(() => startupReconcile);
  const stopReceiving: (() => Promise<void>)[] = [];
  let scheduler: Scheduler | undefined;
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => log.error({ err: error }, 'stop failed'));
    await kv.close().catch(() => {});
    await drainAudit(databases.atmosphere.db);
    await databases.close();
  };
  let port: number | undefined;
  let stopping: Promise<void> | undefined;
  const replayGuard = createReplayGuard({ kv, log: log.child({ component: 'replay-guard' }) });
  try {
    // Built before anything listens: in http mode its route joins the listener.
    const wiring: AdapterWiring = { config, log, dispatcher, router, formStates, workQueue: queue, metrics, replayGuard };
    const discord = await buildDiscord({
      ...wiring,
      ...(options.discordRestOptions ? { restOptions: options.discordRestOptions } : {}),
    });
    if (discord) {
      chat.register('discord', callsOutsideSlot(discord.chatPort, queue, 'discord'));
      connections.discord = discord.connection;
    }
    const slack = await buildSlack({
      ...wiring,
      isDraining,
      ...(options.slackClientOptions ? { slackClientOptions: options.slackClientOptions } : {}),
      ...(options.slackBotIds ? { slackBotIds: options.slackBotIds } : {}),
    });
    if (slack) {
      chat.register('slack', callsOutsideSlot(slack.chatPort, queue, 'slack'));
      connections.slack = slack.connection;
      deps.directories.slack = callsOutsideSlot(slack.directory, queue, 'slack');
      const started = await slack.start();
      port = started?.port;
      stops.push(() => slack.stop());
      stopReceiving.push(() => slack.stopReceiving());
      log.info({ mode: config.SLACK_APP_TOKEN ? 'socket' : 'http', port }, 'slack adapter started');
    }
    if (port === undefined) {
      // No Slack HTTP endpoint: the probes get a small server of their own.
      const server = await startHealthServer({ port: config.PORT, host: config.HOST, router, log, isDraining });
      port = server.port;
      stops.push(() => server.close());
    }
    if (discord) {
      await discord.start();
      stops.push(() => discord.stop());
      stopReceiving.push(() => discord.stopReceiving());
      log.info({ mode: config.DISCORD_MODE }, 'discord adapter started');
    }
  } catch (error) {
    // A half-started bot must not keep databases, sockets or ports open.
    await stopAll();
    throw error;
  }

  return {
    deps,
    dispatcher,
    databases,
    port,
    warnings: warnings.map((warning) => warning.message),
    pendingWork: () => queue.pending().map((work) => ({ eventId: work.item.eventId, state: work.state })),
    registerConsole: (consolePort) => chat.register('console', consolePort),
    startJobs() {
      if (!config.JOBS) return;
      // The scheduler and the coordinator each name their own component; binding one here too would
      // print the key twice on every job line.
      const jobLog = log;
      const coordinator = createRunCoordinator({ kv, db: databases.atmosphere.db, runner: `${hostname()}:${process.pid}`, log: jobLog });
      scheduler = startScheduler({ jobs: buildJobs(deps), coordinator, log: jobLog, metrics });
    },
    stop() {
      stopping ??= stopGracefully({
        graceMs: config.SHUTDOWN_GRACE_MS,
        log: log.child({ component: 'shutdown' }),
        startDraining: () => {
          draining = true;
        },
        stopReceiving,
        queue,
        stopJobs: async () => scheduler?.stop(),
        close: stopAll,
      }).then(() => undefined);
      return stopping;
    },
  };
}
