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
}

/** What replaces the end of a text cut at a platform's limit; it says where the rest is. */
export function cutMarker(fullTextAt: string | undefined, platform: string): string {
  return fullTextAt ? `… (cut; ${fullTextAt} has all of it)` : `… (cut at ${platform}'s length limit)`;
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
