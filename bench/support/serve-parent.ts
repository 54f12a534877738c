import type { ChildMessage, ParentMessage } from './child-service.js';

/** What a benchmark child runs: the value it reports when ready, how it answers calls, how it stops. */
export interface ChildRole {
  value: unknown;
  handle?(request: unknown): unknown;
  stop(): Promise<void>;
}

function tell(message: ChildMessage): void {
  process.send?.(message);
}

function isParentMessage(message: unknown): message is ParentMessage {
  return typeof message === 'object' && message !== null && 'kind' in message;
}

/**
 * The child's side of `forkService`: starts the role, reports ready (or the failure), answers calls
 * over IPC, and on stop cleans up, reports the CPU time it used since it was ready and exits normally (so `--cpu-prof` writes).
 */
export async function serveParent(start: () => Promise<ChildRole>): Promise<void> {
  if (!process.send) throw new Error('this script is started by the benchmark over IPC (child_process.fork)');
  let role: ChildRole;
  try {
    role = await start();
  } catch (error) {
    tell({ kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exitCode = 1;
    process.disconnect();
    return;
  }
  let stopping = false;
  process.on('message', (message: unknown) => {
    if (!isParentMessage(message)) return;
    if (message.kind === 'call') {
      // A handler may answer later (a promise), such as "when this form has been opened".
      const { id, request } = message;
      void Promise.resolve()
        .then(() => role.handle?.(request))
        .then(
          (value) => tell({ kind: 'reply', id, value }),
          (error: unknown) => tell({ kind: 'reply', id, error: error instanceof Error ? error.message : String(error) }),
        );
      return;
    }
    stopping = true;
    void role
      .stop()
      .catch((error: unknown) => process.stderr.write(`bench child: stop failed: ${String(error)}\n`))
      .finally(() => {
        tell({ kind: 'stopped', cpu: process.cpuUsage(readyAt) });
        process.disconnect();
      });
  });
  process.once('disconnect', () => {
    // If the parent died without asking, clean up anyway: the bot child would otherwise keep its database.
    if (!stopping) void role.stop().catch(() => {});
    setTimeout(() => process.exit(), 5_000).unref();
  });
  // CPU time is counted from here: loading tsx, Bolt and the demo data is not what is measured.
  const readyAt = process.cpuUsage();
  tell({ kind: 'ready', value: role.value });
}
