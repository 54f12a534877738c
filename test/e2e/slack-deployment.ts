import type { Database } from '../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { startFakeSlackApi, type FakeSlackApi, type FakeUser } from '../fakes/slack-api.js';
import type { FakeAtmosphereApi } from '../fakes/atmosphere-api.js';
import { startMirroredAtmosphereApi } from './mirrored-atmosphere-api.js';
import { createSlackDriver, type SlackDriver } from './slack-driver.js';
import { productionEnv, startE2eBot, type E2eBot } from './e2e-support.js';

/**
 * A production-shaped Slack deployment for one suite: a fresh Postgres with the demo cloud, the
 * mirrored Atmosphere API, a fake Slack workspace, and `replicas` copies of the real bot on one
 * database, each on its own port.
 */
export interface SlackDeployment {
  database: TestDatabase;
  db: Database;
  atmosphere: FakeAtmosphereApi;
  slack: FakeSlackApi;
  driver: SlackDriver;
  replicas: E2eBot[];
  /** Each replica's base URL, serving `/slack/events` and `/healthz`. */
  appUrls: string[];
  stop(): Promise<void>;
}

export async function startSlackDeployment(options: {
  secret: string;
  replicas: number;
  /** Slack user id → what users.info tells about them. */
  users: Record<string, FakeUser>;
  botAdmins: string;
  /** More variables for every replica (REDIS_URL, timeouts, a short SHUTDOWN_GRACE_MS). */
  env?: Record<string, string>;
}): Promise<SlackDeployment> {
  const started: Partial<SlackDeployment> & { replicas: E2eBot[] } = { replicas: [] };
  const stop = async () => {
    for (const replica of started.replicas) await replica.bot.stop();
    await started.slack?.close();
    await started.atmosphere?.close();
    await started.database?.drop();
  };
  try {
    const database = (started.database = await createTestDatabase('postgres', { troposphere: true, demo: true, now: new Date() }));
    const atmosphere = (started.atmosphere = await startMirroredAtmosphereApi(database.atmosphere.db));
    const slack = (started.slack = await startFakeSlackApi());
    for (const [id, user] of Object.entries(options.users)) slack.setUser(id, user);
    const env = productionEnv(database, atmosphere, {
      SLACK_BOT_TOKEN: 'xoxb-e2e-token',
      SLACK_SIGNING_SECRET: options.secret,
      SLACK_API_URL: slack.url,
      BOT_ADMINS: options.botAdmins,
      ...options.env,
    });
    const appUrls: string[] = [];
    for (let index = 0; index < options.replicas; index += 1) {
      const replica = await startE2eBot(env, { slackClientOptions: { retryConfig: { retries: 0 } }, slackBotIds: { botId: 'B1', botUserId: 'UB1' } });
      started.replicas.push(replica);
      appUrls.push(`http://127.0.0.1:${replica.bot.port}`);
    }
    return {
      database,
      db: database.atmosphere.db,
      atmosphere,
      slack,
      driver: createSlackDriver(slack, options.secret),
      replicas: started.replicas,
      appUrls,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
