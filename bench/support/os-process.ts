import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

/**
 * A service started as production starts it: `node <args>` with only the given environment, no IPC
 * channel, watched from outside. Its memory is read from /proc and its start-up timed from the spawn
 * to its health route answering 200.
 */

export interface OsProcess {
  pid: number;
  /** Milliseconds from the spawn to `url` answering 200 (polled every few ms). */
  waitHealthy(url: string, timeoutMs?: number): Promise<number>;
  /** Sends SIGTERM and waits for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

const POLL_MS = 5;

/** A port nobody listens on right now, for a service that must be told its port up front. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address !== 'object') throw new Error('no port was assigned');
  return address.port;
}

export function spawnNode(args: string[], env: Record<string, string>): OsProcess {
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );
  return {
    pid: child.pid ?? -1,
    async waitHealthy(url, timeoutMs = 120_000) {
      for (;;) {
        if (exitCode !== undefined) throw new Error(`node ${args.join(' ')} exited (${exitCode}) before it was healthy`);
        const status = await fetch(url).then(
          async (response) => (await response.arrayBuffer(), response.status),
          () => 0,
        );
        if (status === 200) return performance.now() - spawnedAt;
        if (performance.now() - spawnedAt > timeoutMs) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    async stop(timeoutMs = 30_000) {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident memory of a process now and at its peak, in MiB, from /proc/<pid>/status (Linux). */
export async function residentMemory(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/**
 * A preload (`node --import <this>`) that writes, as the process exits, the packages its CommonJS
 * module cache holds to BENCH_LOADED_MODULES_FILE. discord.js and ioredis are CommonJS, so they are
 * there once anything imported them; ESM-only packages are not listed.
 */
export const LOADED_PACKAGES_PRELOAD = `data:text/javascript,${encodeURIComponent(
  [
    "import { createRequire } from 'node:module';",
    "import { writeFileSync } from 'node:fs';",
    "const cache = createRequire(process.cwd() + '/').cache;",
    "process.on('exit', () => { const file = process.env.BENCH_LOADED_MODULES_FILE; if (file) writeFileSync(file, JSON.stringify(Object.keys(cache))); });",
  ].join('\n'),
)}`;

/** The package names in a list of module paths (the part after the last node_modules/). */
export function packagesOf(paths: string[]): Set<string> {
  const names = new Set<string>();
  for (const path of paths) {
    const at = path.lastIndexOf('node_modules/');
    const match = at < 0 ? null : /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path.slice(at));
    if (match) names.add(match[1]!);
  }
  return names;
}
