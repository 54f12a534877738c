import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { IntegrationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { deliverReply, type FileUploadPort } from '../chat/deliver-reply.js';
import { newEventId } from '../chat/create-dispatcher.js';
import type { ActionEvent, ChannelRef, ChatUser, MessageRef } from '../chat/chat-event.js';
import type { ChatPort } from '../chat/chat-port.js';
import type { Dispatcher, EventIO } from '../chat/command.js';
import type { Button, FormSpec, Reply, ReplyFile } from '../chat/reply.js';
import { renderText } from './render-text.js';

export interface ConsoleAdapterOptions {
  dispatcher: Dispatcher;
  input: Readable;
  output: Writable;
  log: Logger;
  /** The Atmosphere username the operator acts as at start. */
  actingAs: string | null;
  /** The operator's name in the audit log. */
  operator: string;
  /** Where the files that come with replies are written (`<DATA_DIR>/files`). */
  filesDir?: string;
}

const DEFAULT_FILES_DIR = join('.data', 'files');

/** A file name from a reply, reduced to one harmless path segment. */
function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '');
  return cleaned || 'file';
}

const CONSOLE_CHANNEL = 'console';

const HELP = [
  'Type an /atmo command with or without the /atmo prefix, e.g. "requests" or "/atmo request 3".',
  'A number picks a [numbered] button. /as <username> switches the Atmosphere user you act as.',
  '/whoami shows who you act as; /quit (or Ctrl-D) leaves.',
].join('\n');

/** How many times a form is asked again before the console gives up on it (a /cancel ends it sooner). */
const MAX_FORM_ROUNDS = 10;

/**
 * The terminal adapter of embedded mode: reads lines, acts as a chosen Atmosphere user, shows buttons
 * as numbered choices and prompts for a button's form field by field. It is the only place that
 * writes to the terminal directly.
 */
export function createConsoleAdapter(options: ConsoleAdapterOptions) {
  const { dispatcher, output } = options;
  let actingAs = options.actingAs;
  let nextNumber = 1;
  let nextMessage = 1;
  const choices = new Map<number, { button: Button; message: MessageRef }>();
  const write = (text: string) => output.write(`${text}\n`);
  let rl: Interface | null = null;

  const filesDir = options.filesDir ?? DEFAULT_FILES_DIR;
  let nextFile = 1;

  /** Writes each file under `filesDir`, named so that no earlier file (of this or a past session) is overwritten. */
  async function saveFiles(files: readonly ReplyFile[]): Promise<string[]> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const paths: string[] = [];
    for (const file of files) {
      const path = join(filesDir, `${stamp}-${nextFile++}-${safeName(file.name)}`);
      try {
        await mkdir(filesDir, { recursive: true });
        await writeFile(path, file.data, { flag: 'wx' });
      } catch (error) {
        const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'error';
        throw new IntegrationError('console', `could not write ${path} (${code})`, { cause: error });
      }
      paths.push(`${path} (${file.title ?? file.name}, ${file.data.byteLength} bytes)`);
    }
    return paths;
  }

  /** The console has no length limit, so nothing is cut; a reply's files are written first, then listed. */
  function show(reply: Reply, message: MessageRef, prefix = ''): Promise<void> {
    let saved: string[] = [];
    const port: FileUploadPort<Reply, void> = {
      render: (shown) => ({ message: shown, cut: false }),
      async upload(files) {
        saved = await saveFiles(files);
      },
      async send(shown) {
        const rendered = renderText(shown, nextNumber);
        nextNumber += rendered.choices.length;
        for (const choice of rendered.choices) choices.set(choice.number, { button: choice.button, message });
        const fileLines = saved.map((path) => `  File: ${path}`);
        write(`${prefix}${[rendered.text, ...fileLines].join('\n')}\n`);
      },
    };
    return deliverReply(reply, port, options.log);
  }

  function newMessage(channel = CONSOLE_CHANNEL, threadId?: string): MessageRef {
    return { platform: 'console', channel, id: String(nextMessage++), ...(threadId ? { threadId } : {}) };
  }

  function user(): ChatUser {
    return { platform: 'console', id: options.operator, ...(actingAs ? { actingAs } : {}) };
  }

  function io(source?: MessageRef): EventIO {
    return {
      respond: (reply) => show(reply, newMessage()),
      updateSource: async (reply) => {
        if (source) await show(reply, source, `(message ${source.id} updated)\n`);
      },
    };
  }

  // One queue of input lines feeds both the command loop and form prompts, so an answer to a prompt
  // is never also read as a command.
  const pending: string[] = [];
  let waiting: ((line: string | null) => void) | null = null;
  let closed = false;

  function nextLine(): Promise<string | null> {
    if (pending.length > 0) return Promise.resolve(pending.shift()!);
    if (closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      waiting = resolve;
    });
  }

  async function ask(question: string): Promise<string | null> {
    output.write(question);
    return nextLine();
  }

  async function fillForm(form: FormSpec): Promise<Record<string, string> | null> {
    write(`-- ${form.title} (leave optional fields empty; "/cancel" stops) --`);
    const values: Record<string, string> = {};
    for (const field of form.fields) {
      if (field.hint) write(`  (${field.label}: ${field.hint})`);
      // A value already filled in (a default, or what was typed before) is kept by an empty answer.
      const hint = field.initial ? ` [Enter keeps: ${field.initial}]` : field.placeholder ? ` [e.g. ${field.placeholder}]` : '';
      const answer = await ask(`${field.label}${field.required ? '' : ' (optional)'}${hint}: `);
      if (answer === null || answer.trim() === '/cancel') return null;
      values[field.name] = answer.trim() === '' && field.initial ? field.initial : answer;
    }
    return values;
  }

  async function click(number: number): Promise<void> {
    const choice = choices.get(number);
    if (!choice) {
      write(`There is no choice [${number}]. The numbers are in square brackets next to each button.`);
      return;
    }
    const event: ActionEvent = {
      kind: 'action',
      id: newEventId(),
      platform: 'console',
      user: user(),
      channel: choice.message.channel,
      receivedAt: new Date(),
      action: choice.button.action,
      value: choice.button.value,
      message: choice.message,
    };
    let outcome = await dispatcher.handle(event, io(choice.message));
    // After a wrong field the dispatcher asks again for that field only; the rest comes back in `keep`.
    for (let round = 0; outcome.kind === 'form' && round < MAX_FORM_ROUNDS; round += 1) {
      const form = await fillForm(outcome.form);
      if (!form) {
        write('Cancelled; nothing was changed.');
        return;
      }
      outcome = await dispatcher.handle({ ...event, id: newEventId(), form: { ...outcome.keep, ...form } }, io(choice.message));
    }
  }

  async function handleLine(line: string): Promise<boolean> {
    const text = line.trim();
    if (text === '') return true;
    if (text === '/quit' || text === '/exit') return false;
    if (text === '/help' || text === '?') {
      write(HELP);
      return true;
    }
    const as = /^\/as(?:\s+(\S+))?$/.exec(text);
    if (as) {
      if (!as[1]) write(`You act as ${actingAs ?? 'nobody yet'}. Use /as <username> to switch.`);
      else {
        actingAs = as[1];
        write(`Now acting as ${actingAs}.`);
      }
      return true;
    }
    if (/^\d+$/.test(text)) {
      await click(Number(text));
      return true;
    }
    const commandText = text.replace(/^\/?atmo\b\s*/, '').replace(/^\//, '');
    await dispatcher.handle(
      { kind: 'command', id: newEventId(), platform: 'console', user: user(), channel: CONSOLE_CHANNEL, receivedAt: new Date(), text: commandText },
      io(),
    );
    return true;
  }

  const chatPort: ChatPort = {
    async post(channel: ChannelRef, reply: Reply, postOptions?: { thread?: MessageRef }) {
      const message = newMessage(channel.channel, postOptions?.thread?.id);
      const where = channel.direct
        ? `direct message to ${channel.channel}`
        : postOptions?.thread
          ? `#${channel.channel}, thread of message ${postOptions.thread.id}`
          : `#${channel.channel}`;
      await show(reply, message, `[${where}] message ${message.id}\n`);
      return message;
    },
    async update(message: MessageRef, reply: Reply) {
      await show(reply, message, `[#${message.channel}] message ${message.id} updated\n`);
    },
  };

  /** Reads lines until /quit or end of input; resolves when the console is done. */
  async function run(): Promise<void> {
    rl = createInterface({ input: options.input, terminal: false });
    rl.on('line', (line) => {
      if (waiting) {
        const resolve = waiting;
        waiting = null;
        resolve(line);
      } else pending.push(line);
    });
    rl.on('close', () => {
      closed = true;
      waiting?.(null);
      waiting = null;
    });
    write(`atmo-bot console. ${actingAs ? `Acting as ${actingAs}.` : 'Pick a user with /as <username>.'} /help for help.`);
    try {
      for (let line = await nextLine(); line !== null; line = await nextLine()) {
        let keepGoing = true;
        try {
          keepGoing = await handleLine(line);
        } catch (error) {
          // The dispatcher never throws; this guards the adapter's own code.
          options.log.error({ err: error }, 'console line failed');
          write('Something went wrong reading that line; see the log.');
        }
        if (!keepGoing) break;
      }
    } finally {
      rl.close();
      rl = null;
    }
  }

  return { run, chatPort, handleLine };
}
