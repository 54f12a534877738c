import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { migrateLikeADeployment, waitFor } from './e2e-support.js';

/**
 * The bot as operators run it: `src/main.ts` in a process of its own, configured only through its
 * environment, with its JSON log lines (stdout) collected for the test. Signals reach it as they
 * would from Kubernetes or a terminal.
 */
export interface ChildBot {
  /** Base URL of its HTTP listener (`/slack/events`, `/healthz`, `/readyz`). */
  url: string;
  logLines: Record<string, unknown>[];
  signal(name: NodeJS.Signals): void;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  kill(): void;
}

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/**
 * `preload`: more modules for Node's `--import`, loaded before the bot (a fault a test injects into
 * the process from outside the bot's own code).
 */
export async function startChildBot(env: Record<string, string>, preload: string[] = []): Promise<ChildBot> {
  await migrateLikeADeployment(env);
  const child = spawn(process.execPath, ['--import', 'tsx', ...preload.flatMap((module) => ['--import', module]), MAIN], {
    // Only what the bot is given: the test runner's own variables (TEST_DATABASE_URL, ...) stay out.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logLines: Record<string, unknown>[] = [];
  let stderr = '';
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        logLines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logLines.push({ msg: line });
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let ended = false;
  void exited.then(() => (ended = true));
  const listening = await waitFor(
    'the child bot to listen',
    () => {
      if (ended) throw new Error(`the bot exited before it listened: ${stderr}`);
      return logLines.find((line) => typeof line.port === 'number' && String(line.msg).includes('listening'));
    },
    60_000,
  );
  return {
    url: `http://127.0.0.1:${String(listening.port)}`,
    logLines,
    signal: (name) => void child.kill(name),
    exited,
    kill: () => void (ended || child.kill('SIGKILL')),
  };
}
