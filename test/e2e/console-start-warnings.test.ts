import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

describe('the console at start-up', () => {
  let dataDir = '';
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('prints a setting that does nothing where the operator looks, since the log goes to a file', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'atmo-console-warnings-'));
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, DEMO_DATA: 'false', PORT: '0', JOBS: 'false', BOT_ADMINS: 'slack:U0999ZZZ,admin' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      // Once it has printed where the logs go, the console is up: leave it, which ends the bot.
      if (stdout.includes('Logs go to')) child.stdin.end();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stdout).toContain('Warning: BOT_ADMINS entry "admin" is not platform:id, so it makes nobody a bot admin.');
    // Only the malformed entry: the good one, and the settings that are fine here, say nothing.
    expect(stdout.split('\n').filter((line) => line.startsWith('Warning:'))).toHaveLength(1);
    expect(code).toBe(0);
  }, 120_000);
});
