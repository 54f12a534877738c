import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CommandDefinition } from '../../../src/bot/chat/command.js';
import { buildCommandManifest } from '../../../src/bot/discord/command-manifest.js';
import { registerGuildCommands } from '../../../src/bot/discord/register-commands.js';
import { IntegrationError } from '../../../src/errors.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord.js';
import { APPLICATION_ID, GUILD_ID } from '../../support/discord-interactions.js';

const TOKEN = 'register-token';
const rest = { retries: 0, timeout: 5_000 };
const commands: CommandDefinition[] = [
  { name: 'requests', summary: 'List requests', usage: '/atmo requests', options: [], args: z.object({}), permission: 'staff', run: async () => undefined },
  { name: 'imaging triage', summary: 'Triage imaging', usage: '/atmo imaging triage', options: [], args: z.object({}), permission: 'staff', run: async () => undefined },
];
const run = promisify(execFile);

describe('registerGuildCommands', () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await startFakeDiscord({ token: TOKEN, applicationId: APPLICATION_ID });
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('bulk-overwrites the guild commands with the manifest and counts the subcommands', async () => {
    const count = await registerGuildCommands({ token: TOKEN, applicationId: APPLICATION_ID, guildId: GUILD_ID, apiUrl: fake.apiUrl, commands, rest });
    expect(count).toBe(2);
    const put = fake.requests.filter((request) => request.method === 'PUT');
    expect(put).toHaveLength(1);
    expect(put[0]).toMatchObject({ path: `/applications/${APPLICATION_ID}/guilds/${GUILD_ID}/commands`, authorization: `Bot ${TOKEN}` });
    expect(put[0]!.body).toEqual(buildCommandManifest(commands));
  });

  it('names the refusal, without the token, when Discord says no', async () => {
    const error = await registerGuildCommands({ token: 'wrong-token', applicationId: APPLICATION_ID, guildId: GUILD_ID, apiUrl: fake.apiUrl, commands, rest }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ service: 'discord', status: 401 });
    expect((error as Error).message).toMatch(/DISCORD_TOKEN/);
    expect((error as Error).message).not.toContain('wrong-token');

    await expect(
      registerGuildCommands({ token: TOKEN, applicationId: '123', guildId: GUILD_ID, apiUrl: fake.apiUrl, commands, rest }),
    ).rejects.toMatchObject({ status: 403, message: expect.stringContaining('applications.commands') as unknown });
  });

  describe('npm run discord:register', () => {
    const cli = (env: Record<string, string>) =>
      run(process.execPath, ['--import', 'tsx', 'src/register-discord-commands.ts'], {
        // Only what the CLI needs, so the developer's own environment cannot leak in.
        env: { PATH: process.env.PATH ?? '', ...env },
      }).then(
        (result) => ({ code: 0, ...result }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
      );

    it('says which Discord variables are missing', async () => {
      const result = await cli({ DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: APPLICATION_ID });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('DISCORD_GUILD_ID');
      expect(result.stderr).not.toContain('DISCORD_TOKEN:');
    });

    it('registers the handler registry in the configured guild', async () => {
      const before = fake.requests.length;
      const result = await cli({ DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: APPLICATION_ID, DISCORD_GUILD_ID: GUILD_ID, DISCORD_API_URL: fake.apiUrl });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Registered \/atmo with \d+ subcommands in guild 444444444444444444\.\n$/);
      const put = fake.requests.slice(before).find((request) => request.method === 'PUT');
      expect(put?.body).toMatchObject([{ name: 'atmo', type: 1 }]);
    });
  });
});
