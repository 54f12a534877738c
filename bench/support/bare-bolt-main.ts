import { App, LogLevel } from '@slack/bolt';

/**
 * A Bolt app that only acknowledges, as a process entry point configured like the bot (SLACK_BOT_TOKEN,
 * SLACK_SIGNING_SECRET, SLACK_API_URL, PORT, HOST), with a `/healthz` route so its start-up is timed the
 * way the bot's is. It imports nothing but Bolt, so its memory is what any Bolt app on this machine
 * needs: the floor the bot's memory is compared with. The memory benchmark runs it under tsx and,
 * transpiled, under plain Node, so it has no relative imports.
 */

const env = process.env;
const app = new App({
  token: env.SLACK_BOT_TOKEN ?? '',
  signingSecret: env.SLACK_SIGNING_SECRET ?? '',
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: env.SLACK_API_URL ?? '' },
  customRoutes: [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      },
    },
  ],
});
app.command('/atmo', async ({ ack }) => {
  await ack();
});
app.action(/.*/, async ({ ack }) => {
  await ack();
});
await app.start({ port: Number(env.PORT ?? 3000), host: env.HOST ?? '127.0.0.1' });
process.on('SIGTERM', () => {
  void app.stop().finally(() => process.exit(0));
});
