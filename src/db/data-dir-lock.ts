import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The lock file in DATA_DIR that keeps a second bot off the same embedded databases. */
export const LOCK_FILE = 'atmo-bot.lock';

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

function readOwner(path: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? { pid: owner.pid, host: owner.host, startedAt: String(owner.startedAt ?? '') } : null;
  } catch {
    return null;
  }
}

/** Whether process `pid` on this machine is alive (EPERM: alive, someone else's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes DATA_DIR for this process, so that a second bot started on the same folder refuses at once
 * with the reason, instead of two processes writing one PGlite database (diverging views, a hung
 * approval, a damaged store). The lock is a file created exclusively (`wx`) holding the owner's pid
 * and host. A lock left by a process that is gone, on this host, is taken over; a lock from another
 * host is never guessed about. Returns the release, which removes the file if it is still ours.
 */
export function lockDataDir(dataDir: string, self: { pid: number; host: string; now: Date } = { pid: process.pid, host: hostname(), now: new Date() }): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const mine: LockOwner = { pid: self.pid, host: self.host, startedAt: self.now.toISOString() };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(mine));
      closeSync(fd);
      return () => {
        const owner = readOwner(path);
        if (owner && owner.pid === mine.pid && owner.host === mine.host) rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(path);
    if (owner && owner.host !== self.host) {
      throw new Error(
        `${path} says atmo-bot (pid ${owner.pid}) on ${owner.host} uses these embedded databases since ${owner.startedAt}. Two bots on one data folder damage it; stop that one, or delete the lock file if ${owner.host} is down.`,
      );
    }
    if (owner && owner.pid !== self.pid && alive(owner.pid)) {
      throw new Error(
        `Another atmo-bot (pid ${owner.pid}, since ${owner.startedAt}) is using ${dataDir}. Two bots on one data folder damage it: use that one, stop it first, or give this one another DATA_DIR.`,
      );
    }
    // Left by a bot that is gone (or unreadable): moved aside, then taken on the next attempt.
    try {
      renameSync(path, `${path}.stale-${self.pid}`);
      rmSync(`${path}.stale-${self.pid}`, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new Error(`Could not take ${path}: another atmo-bot took it at the same moment. Start only one bot on ${dataDir}.`);
}
