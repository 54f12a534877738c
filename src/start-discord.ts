import type { AdapterWiring } from './adapter-wiring.js';
import type { DiscordBot } from './bot/discord/discord-bot.js';

export interface DiscordWiring extends AdapterWiring {
  /** Test-only REST options for discord.js (retries, timeouts). */
  restOptions?: Record<string, unknown>;
}

/**
 * Builds the Discord adapter the configuration asks for, before anything listens: in http mode its
 * route joins the shared listener; in gateway mode nothing connects until `start()`. Either way each
 * interaction is claimed by id in the shared store, so it is answered once whatever the replicas.
 * discord.js is loaded only here, when Discord is configured.
 */
export async function buildDiscord(wiring: DiscordWiring): Promise<DiscordBot | null> {
  const { config } = wiring;
  if (!config.DISCORD_TOKEN || !config.DISCORD_APPLICATION_ID) return null;
  const common = {
    token: config.DISCORD_TOKEN,
    applicationId: config.DISCORD_APPLICATION_ID,
    ...(config.DISCORD_GUILD_ID ? { guildId: config.DISCORD_GUILD_ID } : {}),
    ...(config.DISCORD_API_URL ? { apiUrl: config.DISCORD_API_URL } : {}),
    dispatcher: wiring.dispatcher,
    log: wiring.log,
    ...(wiring.restOptions ? { restOptions: wiring.restOptions } : {}),
    workQueue: wiring.workQueue,
    metrics: wiring.metrics,
    formStates: wiring.formStates,
    replayGuard: wiring.replayGuard,
  };
  if (config.DISCORD_MODE === 'http') {
    // loadConfig refuses http mode without a valid key; this guards a Config built some other way.
    if (!config.discordPublicKey) throw new Error('DISCORD_MODE=http needs DISCORD_PUBLIC_KEY');
    const { createDiscordHttpBot } = await import('./bot/discord/discord-http-bot.js');
    return createDiscordHttpBot({ ...common, publicKey: config.discordPublicKey, router: wiring.router });
  }
  const { createDiscordBot } = await import('./bot/discord/discord-bot.js');
  return createDiscordBot(common);
}
