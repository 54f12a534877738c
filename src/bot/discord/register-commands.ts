import { DiscordAPIError, HTTPError, REST, Routes, type RESTOptions } from 'discord.js';
import { IntegrationError } from '../../errors.js';
import type { CommandDefinition } from '../chat/command.js';
import { buildCommandManifest } from './command-manifest.js';

export interface RegisterGuildCommandsOptions {
  token: string;
  applicationId: string;
  guildId: string;
  /** REST base, e.g. `https://discord.com/api` (the default) or a local fake's. */
  apiUrl?: string;
  commands: readonly CommandDefinition[];
  /** Passed to the REST client; tests turn retries off. */
  rest?: Partial<RESTOptions>;
}

/**
 * Replaces the guild's application commands with `/atmo` and its subcommands (bulk overwrite: guild
 * commands apply at once, global ones can take an hour). Returns how many subcommands were registered.
 * Throws an IntegrationError naming the refusal when Discord says no.
 */
export async function registerGuildCommands(options: RegisterGuildCommandsOptions): Promise<number> {
  const body = buildCommandManifest(options.commands);
  const rest = new REST({ ...options.rest, ...(options.apiUrl ? { api: options.apiUrl } : {}) }).setToken(options.token);
  try {
    await rest.put(Routes.applicationGuildCommands(options.applicationId, options.guildId), { body });
  } catch (error) {
    throw discordError(`registering the /atmo commands in guild ${options.guildId} failed`, error);
  }
  return options.commands.length;
}

/** Turns a discord.js REST failure into an IntegrationError without the token or request body. */
export function discordError(what: string, error: unknown): IntegrationError {
  if (error instanceof DiscordAPIError) {
    const hint = error.status === 401 ? ' (is DISCORD_TOKEN right?)' : error.status === 403 ? ' (was the bot invited with the applications.commands scope?)' : '';
    return new IntegrationError('discord', `${what}: Discord answered ${error.status} ${error.message}${hint}`, {
      status: error.status,
      detail: `${error.code}: ${error.message}`,
      cause: error,
    });
  }
  if (error instanceof HTTPError) {
    return new IntegrationError('discord', `${what}: Discord answered ${error.status}`, { status: error.status, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new IntegrationError('discord', `${what}: ${message}`, { cause: error });
}
