import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Dispatcher } from './bot/chat/command.js';
import type { FormStateStore } from './bot/chat/form-state-store.js';
import type { BotMetrics } from './bot/chat/metrics.js';
import type { ReplayGuard } from './bot/chat/replay-guard.js';
import type { WorkQueue } from './bot/chat/work-queue.js';
import type { HttpRouter } from './bot/http-server.js';

/** What the composition root hands every chat adapter it builds (start-slack.ts, start-discord.ts). */
export interface AdapterWiring {
  config: Config;
  log: Logger;
  dispatcher: Dispatcher;
  router: HttpRouter;
  formStates: FormStateStore;
  workQueue: WorkQueue;
  metrics: BotMetrics;
  replayGuard: ReplayGuard;
}
