import { expect } from 'vitest';
import type { Database } from '../../src/db/client.js';
import type { StartOptions } from '../../src/start-bot.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { APPLICATION_ID, chatInput, GUILD_ID } from '../support/discord-interactions.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord.js';
import type { FakeAtmosphereApi } from '../fakes/atmosphere-api.js';
import { startMirroredAtmosphereApi } from './mirrored-atmosphere-api.js';
import { createDiscordReader, discordText } from './discord-driver.js';
import { productionEnv, startE2eBot, type E2eBot } from './e2e-support.js';

/** The Discord users of the end-to-end tests: the bot admin, and accounts the admin links to demo users. */
export const DISCORD_USERS = {
  admin: '999000999000999000',
  stranger: '210000000000000001',
  jsmith: '210000000000000002',
  mdelgado: '210000000000000003',
  kpatel: '210000000000000004',
} as const;

export interface DiscordDeployment {
  database: TestDatabase;
  atmosphere: FakeAtmosphereApi;
  discord: FakeDiscord;
  running: E2eBot;
  read: ReturnType<typeof createDiscordReader>;
  db(): Database;
  /** Sends an interaction as Discord would, and returns it for the reader to find its answers. */
  send<T extends object>(interaction: T): T;
  /** `/atmo link discord:<id> <username>` by the bot admin; resolves once the bot confirmed. */
  link(userId: string, username: string): Promise<void>;
  /** Stops the bot, then the fakes, then drops the databases. */
  stop(): Promise<void>;
}

export interface DiscordDeploymentOptions {
  token: string;
  /** Variables beside the Discord and database ones (other platforms, clouds, thresholds). */
  env?: Record<string, string>;
  startOptions?: StartOptions;
  /** Discord user id and Atmosphere username pairs the admin links once the bot is up. */
  links?: readonly (readonly [string, string])[];
}

/**
 * One bot as a Discord deployment runs it: Postgres with the demo data, the mirrored Atmosphere API,
 * the fake Discord REST and gateway, DISCORD_* pointing at it and the admin as BOT_ADMINS.
 */
export async function startDiscordDeployment(options: DiscordDeploymentOptions): Promise<DiscordDeployment> {
  const database = await createTestDatabase('postgres', { troposphere: true, demo: true, now: new Date() });
  const atmosphere = await startMirroredAtmosphereApi(database.atmosphere.db);
  const discord = await startFakeDiscord({ token: options.token, applicationId: APPLICATION_ID });
  const read = createDiscordReader(discord);
  let running: E2eBot;
  try {
    running = await startE2eBot(
      productionEnv(database, atmosphere, {
        DISCORD_TOKEN: options.token,
        DISCORD_APPLICATION_ID: APPLICATION_ID,
        DISCORD_GUILD_ID: GUILD_ID,
        DISCORD_API_URL: discord.apiUrl,
        BOT_ADMINS: `discord:${DISCORD_USERS.admin}`,
        ...options.env,
      }),
      options.startOptions,
    );
  } catch (error) {
    // A bot that did not start leaves no fake listening and no database behind.
    await Promise.all([discord.close(), atmosphere.close()]);
    await database.drop();
    throw error;
  }
  const send = <T extends object>(interaction: T): T => {
    discord.sendInteraction(interaction);
    return interaction;
  };
  const deployment: DiscordDeployment = {
    database,
    atmosphere,
    discord,
    running,
    read,
    db: () => database.atmosphere.db,
    send,
    async link(userId, username) {
      const command = send(chatInput({ path: ['link'], options: { user: `discord:${userId}`, username }, userId: DISCORD_USERS.admin, username: 'admin' }));
      expect(discordText(await read.commandReply(command))).toMatch(new RegExp(`^Linked discord:${userId} to ${username}`));
    },
    async stop() {
      await running.bot.stop();
      await Promise.all([discord.close(), atmosphere.close()]);
      await database.drop();
    },
  };
  for (const [userId, username] of options.links ?? []) await deployment.link(userId, username);
  return deployment;
}
