import { loadProgramConfig, type Config } from './config.js';
import { commandDefinitions } from './handlers/index.js';
import { registerGuildCommands } from './bot/discord/register-commands.js';

/**
 * `npm run discord:register`: registers `/atmo` in the guild named by DISCORD_GUILD_ID without
 * starting the bot (the bot also does it on start-up when that variable is set). It talks to an
 * operator at a terminal, so it writes plain sentences rather than log lines.
 */

const REQUIRED = [
  ['DISCORD_TOKEN', 'the bot token (Discord developer portal → your application → Bot → Token)'],
  ['DISCORD_APPLICATION_ID', 'the application id (General Information → Application ID)'],
  ['DISCORD_GUILD_ID', 'the id of the server to register /atmo in (Developer Mode on, right-click the server → Copy Server ID)'],
] as const satisfies readonly (readonly [keyof Config, string])[];

async function main(): Promise<number> {
  const config = loadProgramConfig();
  if (!config) return 1;
  const missing = REQUIRED.filter(([name]) => !config[name]);
  if (missing.length > 0) {
    process.stderr.write(`Cannot register the Discord commands. Set:\n${missing.map(([name, what]) => `  - ${name}: ${what}`).join('\n')}\n`);
    return 1;
  }
  const count = await registerGuildCommands({
    token: config.DISCORD_TOKEN!,
    applicationId: config.DISCORD_APPLICATION_ID!,
    guildId: config.DISCORD_GUILD_ID!,
    ...(config.DISCORD_API_URL ? { apiUrl: config.DISCORD_API_URL } : {}),
    commands: commandDefinitions,
  });
  process.stdout.write(`Registered /atmo with ${count} subcommands in guild ${config.DISCORD_GUILD_ID}.\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // IntegrationError messages are written to be shown and carry no token.
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
