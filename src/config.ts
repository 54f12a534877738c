import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { KeyObject } from 'node:crypto';
import type { z } from 'zod';
import { parseChannelRef, type ChannelRef } from './model/channel-ref.js';
import { parseDiscordPublicKey } from './model/discord-public-key.js';
import { variables } from './config/variables.js';
import { crossCheck } from './config/cross-check.js';

/**
 * Every environment variable the bot reads, parsed once (config/variables.ts lists them). No other
 * file reads process.env.
 */

export type Config = Readonly<
  z.infer<typeof variables> & {
    alertChannel: ChannelRef | undefined;
    announceChannel: ChannelRef | undefined;
    /** Where the weekly service report goes: STATS_CHANNEL, else ANNOUNCE_CHANNEL. */
    statsChannel: ChannelRef | undefined;
    /** True when no DATABASE_URL is set: PGlite, demo data, embedded gateway. */
    embedded: boolean;
    /** DISCORD_PUBLIC_KEY as a key for verifying interaction signatures. */
    discordPublicKey: KeyObject | undefined;
  }
>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Configuration problems:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nSee .env.example for what each variable holds.`);
  }
}

/**
 * The environment with a `.env` file under it, when the file exists: a variable set in the real
 * environment wins over the file, as with `node --env-file`. A missing file is no error; an unreadable
 * one is, so an operator who wrote one learns why it did nothing.
 */
export function environmentWithEnvFile(
  file = '.env',
  env: Record<string, string | undefined> = process.env,
): Record<string, string | undefined> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return env;
    throw new ConfigError([`${file}: could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  return { ...parseEnv(text), ...env };
}

/** Parses the environment once and reports every bad variable together. */
export function loadConfig(rawEnv: Record<string, string | undefined> = process.env): Config {
  // An empty variable (`PORT=` copied from .env.example) means "not set", for every variable alike.
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const result = variables.safeParse(env);
  const problems = [
    ...(result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`)),
    ...crossCheck(env),
  ];
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  const parsed = result.data;
  return Object.freeze({
    ...parsed,
    alertChannel: parsed.ALERT_CHANNEL ? parseChannelRef(parsed.ALERT_CHANNEL)! : undefined,
    announceChannel: parsed.ANNOUNCE_CHANNEL ? parseChannelRef(parsed.ANNOUNCE_CHANNEL)! : undefined,
    statsChannel: parseChannelRef(parsed.STATS_CHANNEL ?? parsed.ANNOUNCE_CHANNEL ?? '') ?? undefined,
    embedded: parsed.DATABASE_URL === undefined,
    discordPublicKey: parsed.DISCORD_PUBLIC_KEY ? parseDiscordPublicKey(parsed.DISCORD_PUBLIC_KEY) : undefined,
  });
}

/**
 * For the operator programs (`db:migrate`, `db:demo`, `discord:register`): the configuration with a
 * `.env` file under the environment, or null after writing every problem to stderr for the person at
 * the terminal. Errors other than configuration problems are bugs and are thrown.
 */
export function loadProgramConfig(): Config | null {
  try {
    return loadConfig(environmentWithEnvFile());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return null;
  }
}
