import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The console as an operator meets it: on a real pseudo-terminal (util-linux `script` gives the child
// one, and forwards what this test writes as keystrokes), so readline runs in terminal mode.
const HARNESS = fileURLToPath(new URL('../../support/console-pty-main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const ENTER = '\r';
const UP = '\u001b[A';
const CTRL_C = '\u0003';
// CSI sequences (cursor moves, line clears) that readline writes to redraw the line.
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

function startConsole(pidFile: string): { child: ChildProcessWithoutNullStreams; screen: () => string; exited: Promise<number | null> } {
  const command = `exec node --import tsx ${JSON.stringify(HARNESS)} ${JSON.stringify(pidFile)}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: ROOT, env: { ...process.env, TERM: 'xterm' } });
  let raw = '';
  child.stdout.on('data', (chunk: Buffer) => (raw += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (raw += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, screen: () => raw.replace(ANSI, '').replace(/\r/g, ''), exited };
}

describe('the console on a terminal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atmo-pty-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prompts, recalls history with Up, holds an alert during a question, cancels it with Ctrl-C and leaves on Ctrl-C twice', async () => {
    const pidFile = join(dir, 'pid');
    const { child, screen, exited } = startConsole(pidFile);
    const until = async (needle: string, count = 1): Promise<void> => {
      const deadline = Date.now() + 60_000;
      while (screen().split(needle).length - 1 < count) {
        if (Date.now() > deadline) throw new Error(`"${needle}" (x${count}) never appeared; screen:\n${screen()}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const press = (keys: string) => child.stdin.write(keys);
    try {
      await until('atmo> ');
      press(`requests${ENTER}`);
      await until('pending resource requests, oldest first.');
      // Up brings the last command back; Enter runs it again. Raw escape codes never become a command.
      press(`${UP}${ENTER}`);
      await until('pending resource requests, oldest first.', 2);
      expect(screen()).not.toContain("I don't know");
      expect(screen()).not.toContain('^[[A');

      // [2] is Deny of the oldest request: its form asks a question.
      press(`2${ENTER}`);
      await until('(leave optional fields empty');
      const pid = Number(readFileSync(pidFile, 'utf8'));
      process.kill(pid, 'SIGUSR2');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const formAt = screen().lastIndexOf('(leave optional fields empty');
      expect(screen().slice(formAt)).not.toContain('ALERT imaging request #9');

      // Ctrl-C at the question cancels the form; the held alert prints once the question has closed.
      press(CTRL_C);
      await until('Cancelled; nothing was changed.');
      await until('ALERT imaging request #9 is in error');
      const after = screen().slice(formAt);
      expect(after.indexOf('ALERT imaging request #9')).toBeGreaterThan(after.indexOf('^C'));
      expect(after.split('ALERT imaging request #9').length - 1).toBe(1);

      // At the command prompt one Ctrl-C says how to leave; a second leaves.
      await until('atmo> ', 4);
      press(CTRL_C);
      await until('(To leave, press Ctrl-C again or type /quit.)');
      press(CTRL_C);
      await until('CONSOLE-ENDED');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 90_000);
});
