import type { AuditFilter } from '../../db/queries/audit.js';
import { UserError } from '../../errors.js';
import type { Platform } from '../../bot/chat/chat-event.js';
import { recordId } from '../record-id.js';
import { parseChatUser } from '../account/parse-chat-user.js';
import { parseTimeInput } from '../maintenance/parse-time.js';
import { formatTimestamp } from '../format-time.js';

export type AuditFilterWord = 'request' | 'imaging' | 'user' | 'since';

export const SINCE_HELP = 'use 2026-12-01 15:00 (UTC), 2026-12-01T08:00-07:00, or 2h / 30m / 1d ago';

const AGO = /^[-+]?((?:\d{1,3}d)?(?:\d{1,4}h)?(?:\d{1,5}m)?)(?:\s+ago)?$/i;
const USERNAME = /^[\w.@+-]{1,256}$/;

/**
 * A `since` time: the maintenance parser's absolute forms, or a span back from now (`2h`, `-2h`,
 * `+2h` and `2h ago` all mean two hours ago, since a log holds only the past).
 */
export function parseSince(text: string, now: Date): Date {
  const input = text.trim();
  const span = AGO.exec(input);
  if (span && span[1]) {
    const ahead = parseTimeInput(`+${span[1]}`, now);
    if (!ahead.ok) throw new UserError('usage', `"${input}" is not a time I can read: ${SINCE_HELP}.`);
    return new Date(2 * now.getTime() - ahead.at.getTime());
  }
  const parsed = parseTimeInput(input, now);
  if (!parsed.ok) throw new UserError('usage', `"${input.slice(0, 40)}" is not a time I can read: ${SINCE_HELP}.`);
  if (parsed.at.getTime() > now.getTime()) {
    throw new UserError('usage', `${formatTimestamp(parsed.at)} is in the future (it is now ${formatTimestamp(now)}); the audit log holds only the past.`);
  }
  return parsed.at;
}

/** Turns `/atmo audit <word> <value>` into a filter; a UserError says what a value should look like. */
export function parseAuditFilter(word: AuditFilterWord | undefined, value: string | undefined, platform: Platform, now: Date): AuditFilter {
  if (!word) return { kind: 'all' };
  const text = value?.trim() ?? '';
  switch (word) {
    case 'request':
    case 'imaging': {
      const what = word === 'request' ? 'resource request' : 'imaging request';
      const id = recordId(what).safeParse(text);
      if (!id.success) {
        const problem = id.error.issues[0]?.message ?? `say which ${what}`;
        throw new UserError('usage', `${problem.charAt(0).toUpperCase()}${problem.slice(1)}: /atmo audit ${word} <id>.`);
      }
      return { kind: word, id: id.data };
    }
    case 'user': {
      if (text.includes(':') || text.startsWith('<@')) {
        const chatUser = parseChatUser(text, platform);
        if (!chatUser) throw new UserError('usage', `"${text.slice(0, 60)}" is not a chat user I can read: name an Atmosphere username, or slack:U0123ABC, discord:123456789012345678 or a mention.`);
        return { kind: 'chatUser', platform: chatUser.platform, chatUserId: chatUser.id };
      }
      if (!USERNAME.test(text)) throw new UserError('usage', `"${text.slice(0, 60)}" is not an Atmosphere username: /atmo audit user <username or chat user>.`);
      return { kind: 'username', username: text };
    }
    case 'since':
      return { kind: 'since', at: parseSince(text, now) };
  }
}

/** How the reply names what it shows. */
export function describeAuditFilter(filter: AuditFilter): string {
  switch (filter.kind) {
    case 'all':
      return 'the audit log';
    case 'request':
      return `the audit log for resource request #${filter.id}`;
    case 'imaging':
      return `the audit log for imaging request #${filter.id}`;
    case 'username':
      return `the audit log for the Atmosphere user ${filter.username}`;
    case 'chatUser':
      return `the audit log for the chat user ${filter.platform}:${filter.chatUserId}`;
    case 'since':
      return `the audit log since ${formatTimestamp(filter.at)}`;
  }
}
