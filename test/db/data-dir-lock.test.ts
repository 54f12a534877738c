import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDataDir } from '../../src/db/data-dir-lock.js';
import { buildDatabases } from '../../src/build-databases.js';
import { loadConfig } from '../../src/config.js';
import { createMemoryLogger } from '../../src/logger.js';

/** A live process that is not this one: what a second bot sees of the first. */
function otherProcess(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
}

describe('one bot per embedded data folder', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'atmobot-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const child of children.splice(0)) child.kill();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('takes the folder, and gives it back on release', () => {
    const dir = freshDir();
    const release = lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses while another live bot holds it, naming that process', () => {
    const dir = freshDir();
    const other = otherProcess();
    children.push(other);
    lockDataDir(dir, { pid: other.pid!, host: hostname(), now: new Date('2026-12-02T06:00:00Z') });
    expect(() => lockDataDir(dir)).toThrow(`Another atmo-bot (pid ${other.pid}, since 2026-12-02T06:00:00.000Z) is using ${dir}.`);
    // The holder's lock is left as it was.
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(other.pid);
  });

  it('takes over a lock whose process is gone, and never guesses about another host', async () => {
    const dir = freshDir();
    const gone = otherProcess();
    const exited = new Promise((resolve) => gone.once('exit', resolve));
    gone.kill();
    await exited;
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: gone.pid, host: hostname(), startedAt: '2026-12-01T00:00:00Z' }));
    const release = lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    release();

    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: 'other-host.example', startedAt: '2026-12-01T00:00:00Z' }));
    expect(() => lockDataDir(dir)).toThrow(/pid 1\) on other-host\.example .*delete the lock file if other-host\.example is down/);
  });

  it('the embedded start refuses before opening the databases, and a lone start takes and frees the lock', async () => {
    const dir = freshDir();
    const other = otherProcess();
    children.push(other);
    lockDataDir(dir, { pid: other.pid!, host: hostname(), now: new Date() });
    const { log } = createMemoryLogger('warn');
    const config = loadConfig({ DATA_DIR: dir });
    await expect(buildDatabases(config, log, () => new Date())).rejects.toThrow(/Another atmo-bot \(pid \d+/);
    expect(existsSync(join(dir, 'atmosphere'))).toBe(false);

    // Once the first is gone, a start takes the folder and its close hands it back.
    other.kill();
    await new Promise((resolve) => other.once('exit', resolve));
    const databases = await buildDatabases(loadConfig({ DATA_DIR: dir, DEMO_DATA: 'false' }), log, () => new Date());
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await databases.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  }, 120_000);
});
