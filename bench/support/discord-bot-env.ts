import { QUIET_BOT_ENV } from './bench-bot-env.js';

/**
 * The environment of a Discord-only bot (no Slack variables) taking interactions over HTTP
 * (DISCORD_MODE=http) on a prepared database: quiet, no jobs, no console. The guild id makes it
 * register `/atmo` at start-up, as a deployment does. `extra` adds or overrides.
 */
export function discordBotEnv(
  input: { databaseUrl: string; discordApiUrl: string; publicKeyHex: string; token: string; applicationId: string; guildId: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: input.databaseUrl,
    DISCORD_TOKEN: input.token,
    DISCORD_APPLICATION_ID: input.applicationId,
    DISCORD_GUILD_ID: input.guildId,
    DISCORD_API_URL: input.discordApiUrl,
    DISCORD_MODE: 'http',
    DISCORD_PUBLIC_KEY: input.publicKeyHex,
    ...QUIET_BOT_ENV,
    ...extra,
  };
}
