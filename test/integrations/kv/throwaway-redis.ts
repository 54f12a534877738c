import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';

/** Whether a `redis-server` binary is on PATH (tests that start their own server skip without it). */
export const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

export interface ThrowawayRedis {
  port: number;
  /** Kills the server at once (SIGKILL), like a crash, and waits for it to be gone. */
  kill(): Promise<void>;
}

/** Starts a private, non-persistent `redis-server` on `port` and waits until it accepts commands. */
export async function startRedisServer(port: number, extraArgs: string[] = []): Promise<ThrowawayRedis> {
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (output.includes('Ready to accept connections')) return resolve();
      if (child.exitCode !== null) return reject(new Error(`redis-server exited: ${output}`));
      setTimeout(check, 20);
    };
    check();
  });
  return {
    port,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
