/**
 * A platform-neutral message. Each adapter renders it: Block Kit on Slack, embeds and components on
 * Discord, plain text with numbered choices in the console. Keep it small; anything an adapter
 * cannot show must degrade to `text`.
 *
 * Every string in a Reply is plain text, and adapters escape all of it (Slack mrkdwn, Discord
 * markdown, terminal control characters), so a request description or an `old_status` shows as
 * written and can never become a link, a mention or formatting. The bot's own emphasis is structure
 * (title, field labels, tone), which each adapter formats itself; handlers never write markup, so
 * there is nothing for them to forget to escape.
 */

import type { Platform } from '../../model/channel-ref.js';

export interface Field {
  label: string;
  value: string;
}

export interface Button {
  label: string;
  /** Action name registered in the handler registry, e.g. `rr:approve`. */
  action: string;
  /** Names the record (`123`). Button values are untrusted input when they come back. */
  value: string;
  style?: 'primary' | 'danger';
}

/** One block of a reply, e.g. one pending request in a list, with its own buttons. */
export interface Section {
  text: string;
  fields?: Field[];
  buttons?: Button[];
  /** The command that shows this item in full (`/atmo imaging show 12`), named when a limit cuts it. */
  fullTextAt?: string;
}

/**
 * A file sent with a reply: a whole traceback, the full text of a cut message, a chart. Slack shares it
 * beside the message (in a direct message when the reply is only for the person who asked), Discord
 * attaches it to the message, the console writes it under `.data/files/` and prints the path.
 */
export interface ReplyFile {
  /** The file name with its extension, e.g. `machine-request-12-status.txt`. */
  name: string;
  data: Uint8Array;
  /** e.g. `text/plain; charset=utf-8`, `image/png`. */
  mimeType: string;
  /** Shown instead of the name where the platform has titles (Slack). */
  title?: string;
  /** What an image shows, for screen readers (Slack's `alt_text`, Discord's attachment description). */
  altText?: string;
}

export interface Reply {
  /** Always set: the plain-text rendering and the notification text. */
  text: string;
  title?: string;
  fields?: Field[];
  sections?: Section[];
  buttons?: Button[];
  /** Small print under the message (who decided, when, references). */
  footer?: string;
  /** `ephemeral`: only the person who asked sees it (the default for command replies). */
  visibility?: 'ephemeral' | 'channel';
  /** Emphasis colour hint for adapters that support it. */
  tone?: 'info' | 'success' | 'warning' | 'danger';
  /** The command that shows all of this message's text, named when a platform limit cuts some. */
  fullTextAt?: string;
  /** Files that go with the message; an adapter that cuts the text adds one with all of it. */
  files?: readonly ReplyFile[];
  /**
   * A first answer that `editAnswer` will replace with the whole one (late evidence): an adapter
   * that can only edit an answer it sent in a particular way sends this one that way.
   */
  provisional?: boolean;
}

/**
 * Discord shows at most ten embeds in one message (https://discord.com/developers/docs/resources/message#create-message)
 * and a list's own text takes the first, so nine of its items fit.
 */
const DISCORD_SECTIONS_PER_MESSAGE = 9;

/**
 * How many of a list's items one message on `platform` can show, for a handler that would show
 * `wanted`: a list asks for a page that fits rather than having the adapter cut the rest and attach
 * them as a file. Slack's renderer fits its blocks itself and the console prints any number.
 */
export function sectionsShown(platform: Platform, wanted: number): number {
  return platform === 'discord' ? Math.min(wanted, DISCORD_SECTIONS_PER_MESSAGE) : wanted;
}

/** The file an adapter sends with a reply it had to cut: its name, and whether it could be attached. */
export interface CutFile {
  name: string;
  attached: boolean;
  /** Where the file lands when it is not beside the message, e.g. `sent to your direct messages with the bot`. */
  where?: string;
}

/** `the attached file x.txt`, or `the file x.txt, sent to your direct messages with the bot`. */
export function describeCutFile(file: CutFile): string {
  return file.where ? `the file ${file.name}, ${file.where}` : `the attached file ${file.name}`;
}

/** What replaces the end of a text cut at a platform's limit; it says where the rest is. */
export function cutMarker(fullTextAt: string | undefined, platform: string, file?: CutFile): string {
  if (file?.attached) return `… (cut; the full text is in ${describeCutFile(file)})`;
  const rest = fullTextAt ? `cut; ${fullTextAt} has all of it` : `cut at ${platform}'s length limit`;
  return file ? `… (${rest}; the file with the full text could not be attached)` : `… (${rest})`;
}

/** A form a button asks for before its action runs (Slack modal, Discord modal, console prompts). */
export interface FormField {
  name: string;
  label: string;
  kind: 'text' | 'multiline';
  required?: boolean;
  placeholder?: string;
  initial?: string;
  /**
   * What the field holds now, shown with it (Slack's input hint, a line before the console prompt,
   * Discord's placeholder while the input is empty), so a new value is typed against the current one.
   */
  hint?: string;
  /** Discord caps text inputs at 4000 characters; Slack at 3000. */
  maxLength?: number;
}

export interface FormSpec {
  title: string;
  submitLabel: string;
  fields: FormField[];
}

/** Discord allows at most five text inputs in a modal; forms are kept within that everywhere. */
export const MAX_FORM_FIELDS = 5;

export function reply(text: string, extra: Omit<Reply, 'text'> = {}): Reply {
  return { text, ...extra };
}
