/** Platform-neutral shapes of what arrives from chat. Adapters build these; handlers read them. */

export const PLATFORMS = ['slack', 'discord', 'console'] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface ChatUser {
  platform: Platform;
  /** The platform's user id (Slack `U…`, Discord snowflake, console: the operator's name). */
  id: string;
  displayName?: string;
  /** Console only: the Atmosphere username the local operator is acting as (`/as <username>`). */
  actingAs?: string;
}

/** A message the bot posted or a button sat on. `id` is the Slack `ts` or the Discord message id. */
export interface MessageRef {
  platform: Platform;
  channel: string;
  id: string;
  /** Set when the message lives inside a thread: the thread's parent (Slack) or the thread channel (Discord). */
  threadId?: string;
}

/** Where to post: `slack:C123`, `discord:456`, `console:main`. */
export interface ChannelRef {
  platform: Platform;
  channel: string;
}

interface EventBase {
  /** Unique per delivery; shown to users as the reference of a failure and written to the audit log. */
  id: string;
  platform: Platform;
  user: ChatUser;
  channel: string;
  receivedAt: Date;
}

/** `/atmo <text>`. Discord delivers typed options instead of text; its adapter fills `options`. */
export interface CommandEvent extends EventBase {
  kind: 'command';
  /** Everything after `/atmo`, e.g. `request 42` or `maintenance start --title "x"`. */
  text: string;
  /** Structured options (Discord): command path plus named values, already split. */
  options?: { path: string[]; values: Record<string, string | number | boolean> };
}

/** A button click, or the submission of the form a button opened. */
export interface ActionEvent extends EventBase {
  kind: 'action';
  /** The action name, e.g. `rr:approve`. */
  action: string;
  /** The button's value: names the record, never carries state. Untrusted input. */
  value: string;
  /** The message the button sat on, when there is one. */
  message?: MessageRef;
  /** Values of the form the action asked for, once submitted. */
  form?: Record<string, string>;
}

export type ChatEvent = CommandEvent | ActionEvent;

/** Parses `slack:C123` style channel references used in configuration. */
export function parseChannelRef(text: string): ChannelRef | null {
  const match = /^(slack|discord|console):(.+)$/.exec(text.trim());
  if (!match) return null;
  return { platform: match[1] as Platform, channel: match[2]! };
}

export function formatChannelRef(ref: ChannelRef): string {
  return `${ref.platform}:${ref.channel}`;
}
