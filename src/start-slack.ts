import type { AdapterWiring } from './adapter-wiring.js';
import type { SlackApp } from './bot/slack/slack-app.js';

export interface SlackWiring extends AdapterWiring {
  isDraining: () => boolean;
  /** Test-only client options passed to Bolt (retry config). */
  slackClientOptions?: Record<string, unknown>;
  /** Test-only bot ids, so Bolt skips auth.test. */
  slackBotIds?: { botId: string; botUserId: string };
}

/**
 * Builds the Slack adapter when SLACK_BOT_TOKEN is set: Socket Mode with SLACK_APP_TOKEN, else Bolt's
 * HTTP receiver on PORT, which also serves the shared router's routes. @slack/bolt is loaded only here.
 */
export async function buildSlack(wiring: SlackWiring): Promise<SlackApp | null> {
  const { config } = wiring;
  if (!config.SLACK_BOT_TOKEN) return null;
  const { createSlackApp } = await import('./bot/slack/slack-app.js');
  return createSlackApp({
    botToken: config.SLACK_BOT_TOKEN,
    ...(config.SLACK_SIGNING_SECRET ? { signingSecret: config.SLACK_SIGNING_SECRET } : {}),
    ...(config.SLACK_APP_TOKEN ? { appToken: config.SLACK_APP_TOKEN } : {}),
    ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}),
    ...(wiring.slackClientOptions ? { clientOptions: wiring.slackClientOptions } : {}),
    ...(wiring.slackBotIds ?? {}),
    port: config.PORT,
    host: config.HOST,
    dispatcher: wiring.dispatcher,
    log: wiring.log,
    router: wiring.router,
    formStates: wiring.formStates,
    responseUrlHosts: config.SLACK_RESPONSE_URL_HOSTS,
    workQueue: wiring.workQueue,
    isDraining: wiring.isDraining,
    metrics: wiring.metrics,
    replayGuard: wiring.replayGuard,
  });
}
