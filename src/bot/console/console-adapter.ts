import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../../logger.js';
import { deliverReply, type FileUploadPort } from '../chat/deliver-reply.js';
import { newEventId } from '../chat/create-dispatcher.js';
import type { ActionEvent, ChannelRef, ChatUser, MessageRef } from '../chat/chat-event.js';
import type { ChatPort } from '../chat/chat-port.js';
import type { Dispatcher, EventIO } from '../chat/command.js';
import type { Button, FormSpec, Reply } from '../chat/reply.js';
import { renderText } from './render-text.js';
import { createConsoleInput, isQuit, type ConsoleInput } from './console-input.js';
import { createFileSaver } from './console-files.js';

/** One Atmosphere account as `/as` shows it. */
export interface ConsoleUser {
  username: string;
  /** `staff`, `user`, or `disabled` (its commands will be refused). */
  role: 'staff' | 'user' | 'disabled';
}

/** How `/as` checks a name and lists who one can act as. */
export interface ConsoleUsers {
  find(username: string): Promise<ConsoleUser | null>;
  /** Up to `limit` accounts, staff first, and how many there are in all. */
  list(limit: number): Promise<{ users: ConsoleUser[]; total: number }>;
}

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
  /** Line editing, history, a prompt and Ctrl-C handling; by default when both streams are terminals. */
  terminal?: boolean;
  /** Checks `/as <user>` and lists users for `/as`; without it any name is taken as typed. */
  users?: ConsoleUsers;
}

const DEFAULT_FILES_DIR = join('.data', 'files');
const CONSOLE_CHANNEL = 'console';
/** How many accounts `/as` alone lists. */
const AS_LIST_LIMIT = 20;

const HELP = [
  'Type an /atmo command with or without the /atmo prefix, e.g. "requests" or "/atmo request 3".',
  'A number picks a [numbered] button. /as <username> switches the Atmosphere user you act as; /as alone lists them.',
  '/whoami shows who you act as; /quit, Ctrl-D or Ctrl-C twice leaves. At a question, /cancel or Ctrl-C cancels the form.',
].join('\n');

/** How many times a form is asked again before the console gives up on it (a /cancel ends it sooner). */
const MAX_FORM_ROUNDS = 10;

const isTerminal = (stream: Readable | Writable) => 'isTTY' in stream && stream.isTTY === true;

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
  const terminal = options.terminal ?? (isTerminal(options.input) && isTerminal(output));
  let input: ConsoleInput | null = null;
  // Before run() (and after it ends) there is no prompt to keep clear of.
  const write = (text: string) => (input ? input.write(text) : output.write(`${text}\n`));
  const notify = (text: string) => (input ? input.notify(text) : output.write(`${text}\n`));
  const saveFiles = createFileSaver(options.filesDir ?? DEFAULT_FILES_DIR);

/** The console has no length limit, so nothing is cut; a reply's files are written first, then listed. */
  function show(reply: Reply, message: MessageRef, prefix = '', arrived = false): Promise<void> {
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
        (arrived ? notify : write)(`${prefix}${[rendered.text, ...fileLines].join('\n')}\n`);
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
    let first: MessageRef | null = null;
    return {
      respond: (reply) => {
        const message = newMessage();
        first ??= message;
        return show(reply, message);
      },
      updateSource: async (reply) => {
        if (source) await show(reply, source, `(message ${source.id} updated)\n`);
      },
      // The terminal cannot rewrite what it printed: the answer is printed again, marked as the update.
      editAnswer: async (reply) => {
        if (!first) return false;
        await show(reply, first, `(message ${first.id} updated)\n`);
        return true;
      },
    };
  }

  /** The form's values, or why there are none: cancelled, or the operator asked to leave. */
  async function fillForm(form: FormSpec): Promise<Record<string, string> | 'cancel' | 'quit'> {
    write(`-- ${form.title} (leave optional fields empty; "/cancel" or Ctrl-C stops, /quit leaves) --`);
    const values: Record<string, string> = {};
    for (const field of form.fields) {
      if (field.hint) write(`  (${field.label}: ${field.hint})`);
      // A value already filled in (a default, or what was typed before) is kept by an empty answer.
      const hint = field.initial ? ` [Enter keeps: ${field.initial}]` : field.placeholder ? ` [e.g. ${field.placeholder}]` : '';
      const answer = await input!.ask(`${field.label}${field.required ? '' : ' (optional)'}${hint}: `);
      if (answer.kind !== 'line') return answer.kind;
      values[field.name] = answer.text.trim() === '' && field.initial ? field.initial : answer.text;
    }
    return values;
  }

  /** Presses button `number`; false when the operator asked to leave from inside its form. */
  async function click(number: number): Promise<boolean> {
    const choice = choices.get(number);
    if (!choice) {
      write(`There is no choice [${number}]. The numbers are in square brackets next to each button.`);
      return true;
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
      if (typeof form === 'string') {
        write('Cancelled; nothing was changed.');
        return form !== 'quit';
      }
      outcome = await dispatcher.handle({ ...event, id: newEventId(), form: { ...outcome.keep, ...form } }, io(choice.message));
    }
    return true;
  }

  async function switchUser(name: string | undefined): Promise<void> {
    const users = options.users;
    if (!name) {
      write(`You act as ${actingAs ?? 'nobody yet'}. Use /as <username> to switch.`);
      if (!users) return;
      const { users: shown, total } = await users.list(AS_LIST_LIMIT);
      write(`Users: ${shown.map((one) => `${one.username} (${one.role})`).join(', ') || 'none'}${total > shown.length ? `, and ${total - shown.length} more` : ''}.`);
      return;
    }
    const found = users ? await users.find(name) : { username: name, role: 'user' as const };
    if (!found) {
      write(`There is no Atmosphere user "${name}" (usernames are case-sensitive). /as alone lists them.`);
      return;
    }
    actingAs = found.username;
    write(`Now acting as ${actingAs}${found.role === 'disabled' ? ' (a disabled account: its commands will be refused)' : ''}.`);
  }

  async function handleLine(line: string): Promise<boolean> {
    const text = line.trim();
    if (text === '') return true;
    if (isQuit(text)) return false;
    if (text === '/help' || text === '?') {
      write(HELP);
      return true;
    }
    const as = /^\/as(?:\s+(\S+))?$/.exec(text);
    if (as) {
      await switchUser(as[1]);
      return true;
    }
    if (/^\d+$/.test(text)) return click(Number(text));
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
      await show(reply, message, `[${where}] message ${message.id}\n`, true);
      return message;
    },
    async update(message: MessageRef, reply: Reply) {
      await show(reply, message, `[#${message.channel}] message ${message.id} updated\n`, true);
    },
  };

  /** Reads lines until /quit, Ctrl-C twice or end of input; resolves when the console is done. */
  async function run(): Promise<void> {
    input = createConsoleInput(options.input, output, terminal);
    write(`atmo-bot console. ${actingAs ? `Acting as ${actingAs}.` : 'Pick a user with /as <username>.'} /help for help.`);
    try {
      for (let line = await input.nextCommand(); line !== null; line = await input.nextCommand()) {
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
      input.close();
      input = null;
    }
  }

  return { run, chatPort, handleLine };
}
