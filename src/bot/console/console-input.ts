import { clearLine, createInterface, cursorTo, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** What a question got back: a line, a cancel (Ctrl-C, `/cancel`, end of input) or a request to leave (`/quit`). */
export type Answer = { kind: 'line'; text: string } | { kind: 'cancel' } | { kind: 'quit' };

export interface ConsoleInput {
  /** The next command line (after the `atmo> ` prompt in a terminal), or null when the console should end. */
  nextCommand(): Promise<string | null>;
  /** Asks one question (a form field) and waits for its answer. */
  ask(question: string): Promise<Answer>;
  /** Prints output of the command being handled. */
  write(text: string): void;
  /**
   * Prints something that arrived on its own (an alert, a job's post). It never lands inside an open
   * question: it waits until the question is answered, and at the command prompt of a terminal it is
   * printed above the prompt, which is drawn again with what was typed so far.
   */
  notify(text: string): void;
  close(): void;
}

export const COMMAND_PROMPT = 'atmo> ';
const QUIT_WORDS = new Set(['/quit', '/exit']);
const LEAVE_HINT = '(To leave, press Ctrl-C again or type /quit.)';

/**
 * Lines from the operator. In a terminal (both streams TTYs) readline edits lines, keeps a history
 * (Up arrow) and turns Ctrl-C into a cancel: of the open question, or at the command prompt a hint,
 * then leaving on the second press in a row. From a pipe lines are read as they come, without prompts
 * or echo, so a script's output stays plain. One queue feeds commands and questions alike, so a line
 * typed ahead is never read twice.
 */
export function createConsoleInput(input: Readable, output: Writable, terminal: boolean): ConsoleInput {
  const rl: Interface = createInterface({ input, output, terminal, historySize: terminal ? 200 : 0 });
  const typedAhead: string[] = [];
  let waiting: ((line: string | null) => void) | null = null;
  let closed = false;
  /** 'command' while the command prompt is up, 'question' while a question is open, null while a command runs. */
  let promptOpen: 'command' | 'question' | null = null;
  let heldNotices: string[] = [];
  let interruptsInARow = 0;
  let cancelQuestion: (() => void) | null = null;
  let quitAtPrompt: (() => void) | null = null;

  rl.on('line', (line) => {
    interruptsInARow = 0;
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve(line);
    } else typedAhead.push(line);
  });
  rl.on('close', () => {
    closed = true;
    waiting?.(null);
    waiting = null;
  });
  // Only a terminal reports Ctrl-C here; from a pipe the process's own SIGINT handling applies.
  rl.on('SIGINT', () => {
    if (promptOpen === 'question' && cancelQuestion) {
      // Cancelling a question is not the first of the two presses that leave.
      interruptsInARow = 0;
      output.write('^C\n');
      cancelQuestion();
      return;
    }
    interruptsInARow += 1;
    if (interruptsInARow >= 2) {
      output.write('^C\n');
      quitAtPrompt?.();
      return;
    }
    // Like a shell: drop what was typed and offer a fresh prompt.
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
    output.write(`^C\n${LEAVE_HINT}\n`);
    if (promptOpen === 'command') rl.prompt();
  });

  function readLine(): Promise<string | null> {
    if (typedAhead.length > 0) return Promise.resolve(typedAhead.shift()!);
    if (closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      waiting = resolve;
    });
  }

  function flushNotices(): void {
    const held = heldNotices;
    heldNotices = [];
    for (const text of held) output.write(`${text}\n`);
  }

  function showPrompt(text: string): void {
    if (terminal) {
      rl.setPrompt(text);
      rl.prompt();
    } else if (text !== COMMAND_PROMPT) output.write(text);
  }

  /** Waits for a line, or for `interrupt` to end the wait with `onInterrupt`'s value. */
  function lineOr<T>(setInterrupt: (stop: (() => void) | null) => void, interrupted: T): Promise<string | null | T> {
    return new Promise((resolve) => {
      setInterrupt(() => {
        if (waiting) waiting = null;
        resolve(interrupted);
      });
      void readLine().then((line) => resolve(line));
    }).finally(() => setInterrupt(null)) as Promise<string | null | T>;
  }

  return {
    async nextCommand() {
      flushNotices();
      promptOpen = 'command';
      showPrompt(COMMAND_PROMPT);
      const QUIT = Symbol('quit');
      const line = await lineOr((stop) => (quitAtPrompt = stop), QUIT);
      promptOpen = null;
      return line === QUIT ? null : (line as string | null);
    },
    async ask(question) {
      promptOpen = 'question';
      showPrompt(question);
      const CANCEL = Symbol('cancel');
      const line = await lineOr((stop) => (cancelQuestion = stop), CANCEL);
      promptOpen = null;
      if (terminal) rl.setPrompt(COMMAND_PROMPT);
      flushNotices();
      if (line === CANCEL || line === null) return { kind: 'cancel' };
      const text = line as string;
      if (QUIT_WORDS.has(text.trim())) return { kind: 'quit' };
      if (text.trim() === '/cancel') return { kind: 'cancel' };
      return { kind: 'line', text };
    },
    write(text) {
      output.write(`${text}\n`);
    },
    notify(text) {
      if (promptOpen === 'question') {
        heldNotices.push(text);
        return;
      }
      if (promptOpen === 'command' && terminal) {
        clearLine(output, 0);
        cursorTo(output, 0);
        output.write(`${text}\n`);
        // Draws the prompt again with the half-typed line, the cursor where it was.
        rl.prompt(true);
        return;
      }
      output.write(`${text}\n`);
    },
    close() {
      rl.close();
    },
  };
}

/** Whether a line typed at the command prompt asks to leave. */
export function isQuit(text: string): boolean {
  return QUIT_WORDS.has(text.trim());
}
