/** Platform-neutral shapes of what arrives from chat. Adapters build these; handlers read them. */

import type { MessageRef, Platform } from '../../model/channel-ref.js';

export { PLATFORMS, parseChannelRef, formatChannelRef, type Platform, type MessageRef, type ChannelRef } from '../../model/channel-ref.js';


export interface ChatUser {
  platform: Platform;
  /** The platform's user id (Slack `U…`, Discord snowflake, console: the operator's name). */
  id: string;
  displayName?: string;
  /** Console only: the Atmosphere username the local operator is acting as (`/as <username>`). */
  actingAs?: string;
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
