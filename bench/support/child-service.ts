import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The parent's side of a benchmark process: the load generator forks the app under test and the fake
 * Slack API into processes of their own, as production has them on other machines, so neither the
 * generator nor the other app competes for their event loop.
 */

/** What a child sends: its ready value, a failure, a reply to a call, or its own CPU time when it stops. */
export type ChildMessage =
  | { kind: 'ready'; value: unknown }
  | { kind: 'failed'; message: string }
  | { kind: 'reply'; id: number; value?: unknown; error?: string }
  | { kind: 'stopped'; cpu: NodeJS.CpuUsage };

/** What the parent sends: a call answered by `reply`, or stop. */
export type ParentMessage = { kind: 'call'; id: number; request: unknown } | { kind: 'stop' };

export interface ChildService<Ready> {
  pid: number;
  ready: Ready;
  call(request: unknown): Promise<unknown>;
  /** Stops the child cleanly (it cleans up and exits) and returns the CPU time it used after it was ready, user plus system, in ms. */
  stop(): Promise<number>;
  /** For a failure path: ends the child without waiting for its cleanup. */
  kill(): void;
}

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;

function isChildMessage(message: unknown): message is ChildMessage {
  return typeof message === 'object' && message !== null && 'kind' in message;
}

function send(child: ChildProcess, message: ParentMessage): void {
  child.send(message);
}

/**
 * Forks `script` (a TypeScript file, run through tsx) with `args` and waits for its ready message.
 * `execArgv` adds Node flags, such as `--cpu-prof`, for that child only.
 */
export async function forkService<Ready>(script: URL, args: string[], execArgv: string[] = []): Promise<ChildService<Ready>> {
  const child = fork(fileURLToPath(script), args, { execArgv: ['--import', 'tsx', ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  let onStopped: ((cpu: NodeJS.CpuUsage) => void) | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then((code) => {
    for (const call of pending.values()) call.reject(new Error(`the child ${script.pathname} exited (${code}) during a call`));
    pending.clear();
  });

  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script.pathname} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    void exited.then((code) => reject(new Error(`${script.pathname} exited (${code}) before it was ready`)));
    child.on('message', (message: unknown) => {
      if (!isChildMessage(message)) return;
      if (message.kind === 'ready') {
        clearTimeout(timer);
        // The child's ready value is typed by the script that sends it; the parent names that type.
        resolve(message.value as Ready);
      } else if (message.kind === 'failed') {
        clearTimeout(timer);
        reject(new Error(`${script.pathname}: ${message.message}`));
      } else if (message.kind === 'reply') {
        const call = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined) call?.reject(new Error(message.error));
        else call?.resolve(message.value);
      } else {
        onStopped?.(message.cpu);
      }
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });

  return {
    pid: child.pid ?? -1,
    ready,
    call: (request) =>
      new Promise((resolve, reject) => {
        const id = ++nextId;
        pending.set(id, { resolve, reject });
        send(child, { kind: 'call', id, request });
      }),
    async stop() {
      const cpu = new Promise<NodeJS.CpuUsage>((resolve) => {
        onStopped = resolve;
      });
      send(child, { kind: 'stop' });
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`${script.pathname} did not stop within ${STOP_TIMEOUT_MS} ms`)), STOP_TIMEOUT_MS).unref(),
      );
      const [usage] = await Promise.race([Promise.all([cpu, exited]), timeout]);
      return (usage.user + usage.system) / 1000;
    },
    kill: () => void child.kill('SIGKILL'),
  };
}
