import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { configWarnings } from '../../src/model/config-warnings.js';
import { createMemoryLogger } from '../../src/logger.js';
import { startBot, type RunningBot } from '../../src/start-bot.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord.js';
import { APPLICATION_ID } from '../support/discord-interactions.js';

const warningsOf = (env: Record<string, string>) => configWarnings(loadConfig(env));
const SLACK = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret' };
const DISCORD = { DISCORD_TOKEN: 'discord-token', DISCORD_APPLICATION_ID: APPLICATION_ID, DISCORD_GUILD_ID: '444444444444444444' };

describe('settings that silently do nothing', () => {
  it('say nothing for a complete setup, nor for the embedded console alone', () => {
    expect(warningsOf({ ...SLACK, ...DISCORD, ALERT_CHANNEL: 'slack:C0123', BOT_ADMINS: 'slack:U0123ABC,discord:123456789012345678,console:operator' })).toEqual([]);
    expect(warningsOf({})).toEqual([]);
  });

  it('name Slack or Discord configured without ALERT_CHANNEL, and what goes nowhere', () => {
    const [slack] = warningsOf(SLACK);
    expect(slack?.variable).toBe('ALERT_CHANNEL');
    expect(slack?.message).toMatch(/^Slack is configured but ALERT_CHANNEL is not: alert threads .* resource-request reminders.* posted nowhere, nor are maintenance reminders\. Set it to slack:<channel id> or discord:<channel id>\.$/);
    const [both] = warningsOf({ ...SLACK, ...DISCORD, ANNOUNCE_CHANNEL: 'slack:CANN' });
    expect(both?.message).toMatch(/^Slack and Discord are configured but ALERT_CHANNEL is not: .*\(maintenance reminders go to ANNOUNCE_CHANNEL\)\./);
  });

  it('say that Discord without DISCORD_GUILD_ID registers no command, and how to register them', () => {
    const warnings = warningsOf({ DISCORD_TOKEN: 'discord-token', DISCORD_APPLICATION_ID: APPLICATION_ID, ALERT_CHANNEL: 'discord:1234567' });
    expect(warnings.map((warning) => warning.variable)).toEqual(['DISCORD_GUILD_ID']);
    expect(warnings[0]?.message).toMatch(/registers no \/atmo command at start-up.*registered globally.*npm run discord:register/);
  });

  it('say that DISCORD_PUBLIC_KEY does nothing in gateway mode, and how to use it', () => {
    const key = { DISCORD_PUBLIC_KEY: 'ab'.repeat(32), ALERT_CHANNEL: 'discord:1234567' };
    const warnings = warningsOf({ ...DISCORD, ...key });
    expect(warnings.map((warning) => warning.variable)).toEqual(['DISCORD_MODE']);
    expect(warnings[0]?.message).toMatch(/^DISCORD_PUBLIC_KEY is set but DISCORD_MODE is gateway.*Set DISCORD_MODE=http/);
    expect(warningsOf({ ...DISCORD, ...key, DISCORD_MODE: 'http' })).toEqual([]);
  });

  it('name each malformed BOT_ADMINS entry and why it is one', () => {
    const warnings = warningsOf({ BOT_ADMINS: 'slack:U0123ABC,U0456DEF,teams:abc,discord:not-a-snowflake,slack:<@U0789>' });
    expect(warnings.map((warning) => warning.message)).toEqual([
      'BOT_ADMINS entry "U0456DEF" is not platform:id, so it makes nobody a bot admin. Write platform:id, e.g. slack:U0123ABC or discord:123456789012345678.',
      'BOT_ADMINS entry "teams:abc" names the platform "teams", which is none of slack, discord, console, so it makes nobody a bot admin. Write platform:id, e.g. slack:U0123ABC or discord:123456789012345678.',
      'BOT_ADMINS entry "discord:not-a-snowflake" is not a discord user id, so it makes nobody a bot admin. Write platform:id, e.g. slack:U0123ABC or discord:123456789012345678.',
      'BOT_ADMINS entry "slack:<@U0789>" is not a slack user id, so it makes nobody a bot admin. Write platform:id, e.g. slack:U0123ABC or discord:123456789012345678.',
    ]);
  });
});

describe('start-up with settings that do nothing', () => {
  let discord: FakeDiscord;
  let dataDir: string;
  let bot: RunningBot | undefined;
  const { log, lines } = createMemoryLogger('debug');

  beforeAll(async () => {
    discord = await startFakeDiscord({ token: 'discord-token', applicationId: APPLICATION_ID });
    dataDir = await mkdtemp(join(tmpdir(), 'atmo-warnings-'));
    bot = await startBot(
      loadConfig({
        DATA_DIR: dataDir,
        DEMO_DATA: 'false',
        PORT: '0',
        DISCORD_TOKEN: 'discord-token',
        DISCORD_APPLICATION_ID: APPLICATION_ID,
        DISCORD_API_URL: discord.apiUrl,
        BOT_ADMINS: 'discord:999000999000,admin',
      }),
      log,
      { discordRestOptions: { retries: 0 } },
    );
  }, 60_000);
  afterAll(async () => {
    await bot?.stop();
    await discord?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('logs each as a warning naming its variable, and hands them to main for the console', () => {
    const warned = lines.filter((line) => line.level === 40 && typeof line.variable === 'string');
    expect(warned.map((line) => line.variable)).toEqual(['ALERT_CHANNEL', 'DISCORD_GUILD_ID', 'BOT_ADMINS']);
    expect(warned.map((line) => line.msg)).toEqual(bot!.warnings);
    expect(bot!.warnings[2]).toMatch(/^BOT_ADMINS entry "admin" is not platform:id/);
  });

  it('is true to what the bot does: without a guild, it registered no command', () => {
    expect(discord.requests.filter((request) => request.path.includes('/commands'))).toEqual([]);
  });
});
