import { randomUUID } from 'node:crypto';
import { App, SocketModeReceiver, type webApi } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { Dispatcher } from '../chat/command.js';
import type { ChatDirectory, ChatPort } from '../chat/chat-port.js';
import type { HttpRouter } from '../http-server.js';
import { createWorkQueue, type WorkQueue } from '../chat/work-queue.js';
import { DEFAULT_WORK_CONCURRENCY } from '../chat/work-limits.js';
import { boltLogger } from './bolt-logger.js';
import { registerListeners } from './register-listeners.js';
import { createSlackChatPort, createSlackDirectory } from './slack-chat-port.js';
import { slackError } from './slack-error.js';
import type { FormStateStore } from '../chat/form-state-store.js';
import { createKeepAliveFetch } from './keep-alive-fetch.js';
import { createResponseUrlPolicy, DEFAULT_RESPONSE_URL_HOSTS } from './response-url-policy.js';
import { GuardedReceiver } from './guarded-receiver.js';
import type { ReplayGuard } from '../chat/replay-guard.js';
import type { ComponentState } from '../chat/health-check.js';
import { noMetrics, type BotMetrics } from '../chat/metrics.js';

export interface SlackAppOptions {
  botToken: string;
  /** HTTP mode: requests to `/slack/events` are verified with it. Required unless `appToken` is set. */
  signingSecret?: string;
  /**
   * Socket Mode (`xapp-…`): no public endpoint, so nothing listens on `port`; the composition root
   * serves the router with `startHealthServer` instead.
   */
  appToken?: string;
  /** Web API base, `https://slack.com/api/` by default. */
  apiUrl?: string;
  /** HTTP mode: where /slack/events and the router's routes listen (0 picks a free port). */
  port: number;
  host: string;
  dispatcher: Dispatcher;
  log: Logger;
  /** HTTP mode: the bot's other routes (/healthz, /readyz, /metrics, ...) served next to /slack/events. */
  router?: HttpRouter;
  /** HTTP mode: remembers signed requests so a replay is acknowledged but not run again. */
  replayGuard?: ReplayGuard;
  /** Merged over our defaults; tests turn retries off here. */
  clientOptions?: webApi.WebClientOptions;
  /** With both set, Bolt skips `auth.test` (tests, or to start without reaching Slack). */
  botId?: string;
  botUserId?: string;
  now?: () => Date;
  /** Where open forms' state is kept (shared by replicas when it is Redis). */
  formStates: FormStateStore;
  /** Hosts (or origins) a response_url may point at; `hooks.slack.com` by default. */
  responseUrlHosts?: readonly string[];
  /** Where the work after each ack runs; the composition root shares one between adapters. */
  workQueue?: WorkQueue;
  /** HTTP mode: true once a shutdown began; every request is then answered 503. */
  isDraining?: () => boolean;
  /** Hears acknowledgement times (the queue reports the Web API calls). */
  metrics?: BotMetrics;
}

export interface SlackApp {
  app: App;
  /** Starts listening; resolves with the port serving /slack/events and the router, or undefined in Socket Mode. */
  start(): Promise<{ port: number } | undefined>;
  /** Takes no more events: Socket Mode disconnects; over HTTP `isDraining` already answers 503. */
  stopReceiving(): Promise<void>;
  stop(): Promise<void>;
  chatPort: ChatPort;
  directory: ChatDirectory;
  /** For /healthz: whether Slack can reach the bot now (HTTP endpoint listening, or the socket open). */
  connection(): ComponentState;
}

/**
 * The WebClient's default retries a failing call for about 30 minutes, which would leave a click
 * unanswered for as long. A few quick retries suit an interactive bot; rate limits still wait.
 */
const DEFAULT_CLIENT_OPTIONS = {
  retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
  timeout: 10_000,
} satisfies webApi.WebClientOptions;

/** Builds the Bolt app (HTTP receiver or Socket Mode) with our listeners, chat port and directory. */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const log = options.log.child({ platform: 'slack' });
  const socketMode = Boolean(options.appToken);
  if (!socketMode && !options.signingSecret) {
    throw new Error('Slack over HTTP needs SLACK_SIGNING_SECRET (Basic Information > App Credentials), or set SLACK_APP_TOKEN for Socket Mode');
  }
  const knownIdentity = Boolean(options.botId && options.botUserId);
  const bolt = boltLogger(log);
  let connection: ComponentState = { state: 'down', detail: 'not started' };
  // Every call to Slack (Web API and response_url) goes over kept-alive connections of node:http.
  const slackHttp = createKeepAliveFetch();
  const clientOptions: webApi.WebClientOptions = {
    ...DEFAULT_CLIENT_OPTIONS,
    fetch: slackHttp.fetch,
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    ...options.clientOptions,
  };
  // Built here rather than by Bolt so its connection state can be read; Bolt hands the socket
  // client the Web API options the same way (installerOptions.clientOptions).
  const socketReceiver = socketMode ? new SocketModeReceiver({ appToken: options.appToken!, logger: bolt, installerOptions: { clientOptions } }) : null;
  // The socket client reconnects by itself; its state events say whether events can arrive now.
  socketReceiver?.client.on('connected', () => (connection = { state: 'up', detail: 'socket mode' }));
  for (const state of ['reconnecting', 'disconnected'] as const) {
    socketReceiver?.client.on(state, () => (connection = { state: 'down', detail: `socket mode: ${state}` }));
  }
  const app = new App({
    token: options.botToken,
    ...(knownIdentity ? { botId: options.botId, botUserId: options.botUserId } : {}),
    // auth.test runs in start() through init(), so a bad token fails start-up with a clear error
    // instead of an unhandled rejection at construction.
    deferInitialization: true,
    tokenVerificationEnabled: !knownIdentity,
    logger: bolt,
    clientOptions,
    ...(socketMode
      ? { receiver: socketReceiver! }
      : {
          receiver: new GuardedReceiver({
            signingSecret: options.signingSecret!,
            ...(options.router ? { router: options.router } : {}),
            boltLogger: bolt,
            log,
            ...(options.replayGuard ? { replayGuard: options.replayGuard } : {}),
            ...(options.isDraining ? { isDraining: options.isDraining } : {}),
          }),
        }),
  });
  registerListeners(app, {
    dispatcher: options.dispatcher,
    log,
    now: options.now ?? (() => new Date()),
    newId: randomUUID,
    formStates: options.formStates,
    trustedResponseUrl: createResponseUrlPolicy(options.responseUrlHosts ?? DEFAULT_RESPONSE_URL_HOSTS, options.apiUrl),
    queue: options.workQueue ?? createWorkQueue(DEFAULT_WORK_CONCURRENCY),
    fetch: slackHttp.fetch,
    metrics: options.metrics ?? noMetrics,
  });
  let receiving = false;

  return {
    app,
    chatPort: createSlackChatPort(app.client, log),
    directory: createSlackDirectory(app.client),
    async start() {
      try {
        await app.init();
      } catch (error) {
        throw slackError('auth.test (check SLACK_BOT_TOKEN)', error);
      }
      receiving = true;
      if (socketMode) {
        await app.start();
        log.info('Slack connected over Socket Mode');
        connection = { state: 'up', detail: 'socket mode' };
        return undefined;
      }
      const server = await app.start({ port: options.port, host: options.host });
      const address = server.address();
      const port = address !== null && typeof address === 'object' ? address.port : options.port;
      log.info({ port, host: options.host }, 'Slack events endpoint listening on /slack/events');
      connection = { state: 'up', detail: 'http' };
      return { port };
    },
    async stopReceiving() {
      if (!socketMode || !receiving) return;
      receiving = false;
      await app.stop();
    },
    async stop() {
      // Over HTTP the server stays up while draining, answering 503; Socket Mode already disconnected.
      slackHttp.close();
      if (!receiving) return;
      receiving = false;
      connection = { state: 'down', detail: 'stopped' };
      await app.stop();
    },
    connection: () => connection,
  };
}
