// Kept apart from bot-main.ts: importing that file starts a bot, so a benchmark can't take a helper from it.

/** What every benchmark's bot runs with: any free port on loopback, no log output, no console, no jobs. */
export const QUIET_BOT_ENV: Readonly<Record<string, string>> = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CONSOLE: 'off', JOBS: 'false' };

/**
 * The environment, as `bot-main.ts` takes it (JSON), of a bot on a prepared database with Slack over
 * HTTP and the Atmosphere API, quiet and without jobs or the console; `extra` adds or overrides.
 */
export function benchBotEnv(
  input: { databaseUrl: string; atmosphere: { url: string; token: string }; slackApiUrl: string; signingSecret: string },
  extra: Record<string, string> = {},
): string {
  return JSON.stringify({
    DATABASE_URL: input.databaseUrl,
    ATMOSPHERE_API_URL: input.atmosphere.url,
    ATMOSPHERE_API_TOKEN: input.atmosphere.token,
    SLACK_BOT_TOKEN: 'xoxb-bench-token',
    SLACK_SIGNING_SECRET: input.signingSecret,
    SLACK_API_URL: input.slackApiUrl,
    ...QUIET_BOT_ENV,
    ...extra,
  });
}
