import { z } from 'zod';
import { defineCommand } from '../../bot/chat/command.js';
import type { Reply, Section } from '../../bot/chat/reply.js';
import { searchAudit, type AuditEntry } from '../../db/queries/audit.js';
import { formatAgo, formatTimestamp } from '../format-time.js';
import { describeAuditFilter, parseAuditFilter } from './parse-audit-filter.js';

/** Entries per reply; the rest are counted, and a narrower filter shows them. */
export const AUDIT_ENTRIES_SHOWN = 25;
/** Entries per section, so a section of long entries stays under Slack's 3,000 characters a block. */
const ENTRIES_PER_SECTION = 5;
const INPUT_SHOWN = 80;
const MESSAGE_SHOWN = 160;

const cut = (text: string, length: number) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

/**
 * Where the entry came from. The row keeps the channel and, for a click, the id of the message the
 * button sat on; a permalink would also need the Slack workspace or the Discord guild, which the
 * row does not keep, so the ids are shown as they are rather than a guessed link.
 */
function originOf(entry: AuditEntry): string {
  if (!entry.channel) return 'from no chat message';
  // Job rows name the channel their messages went to; their platform is the job's, not a chat's.
  const channel = entry.platform === 'job' ? entry.channel : `${entry.platform}:${entry.channel}`;
  return entry.messageId ? `in ${channel}, message ${entry.messageId}` : `in ${channel}`;
}

function outcomeOf(entry: AuditEntry): string {
  if (entry.outcome === 'form') return 'form opened';
  return entry.outcome === 'ok' || !entry.message ? entry.outcome : `${entry.outcome}: ${cut(entry.message.replace(/\s+/g, ' '), MESSAGE_SHOWN)}`;
}

/** One entry: when, who, what, outcome, where. */
export function auditEntryLine(entry: AuditEntry, now: Date): string {
  const who = `${entry.platform}:${entry.chatUserId}${entry.atmosphereUsername ? ` as ${entry.atmosphereUsername}` : ' (no Atmosphere account)'}`;
  const asked = entry.input && entry.input !== entry.name ? ` "${cut(entry.input.replace(/\s+/g, ' '), INPUT_SHOWN)}"` : '';
  return `• ${formatTimestamp(entry.at)} (${formatAgo(entry.at, now)}): ${who}, ${entry.kind} ${entry.name}${asked}: ${outcomeOf(entry)}; ${originOf(entry)}`;
}

const args = z
  .object({
    filter: z.enum(['request', 'imaging', 'user', 'since'], { error: 'say request <id>, imaging <id>, user <name> or since <time>' }).optional(),
    value: z.string().optional(),
  })
  .superRefine((input, ctx) => {
    if (input.filter && !input.value?.trim()) {
      const what = { request: 'the resource request id', imaging: 'the imaging request id', user: 'the username or chat user', since: 'the time, e.g. 2h or 2026-12-01 15:00' }[input.filter];
      ctx.addIssue({ code: 'custom', message: `${input.filter} needs ${what}` });
    }
  });

/**
 * `/atmo audit [request <id> | imaging <id> | user <name> | since <time>]`: the bot's audit log,
 * newest first, so staff can answer "who approved that, and from where" without SQL.
 */
export const auditCommand = defineCommand({
  name: 'audit',
  summary: 'Read the audit log, newest first: for a request, a user, or since a time',
  usage: '/atmo audit [request | imaging | user | since <value: a request id, a username or chat user, a time>]',
  options: [
    { name: 'filter', description: 'request, imaging, user or since', type: 'string', choices: ['request', 'imaging', 'user', 'since'] },
    { name: 'value', description: 'Request id, username or chat user, or a time (2h, 2026-12-01 15:00)', type: 'string', rest: true },
  ],
  args,
  permission: 'staff',
  async run(ctx, input): Promise<Reply> {
    const now = ctx.deps.now();
    const filter = parseAuditFilter(input.filter, input.value, ctx.chatUser.platform, now);
    const { entries, total } = await searchAudit(ctx.deps.db, filter, AUDIT_ENTRIES_SHOWN);
    const what = describeAuditFilter(filter);
    if (total === 0) return { text: `Nothing in ${what}.`, visibility: 'ephemeral' };
    const rest = total - entries.length;
    const more = rest > 0 ? ` The newest ${entries.length} are shown; ${rest} older one${rest === 1 ? ' is' : 's are'} not (narrow it with request, imaging, user or since).` : '';
    const lines = entries.map((entry) => auditEntryLine(entry, now));
    const sections: Section[] = [];
    for (let start = 0; start < lines.length; start += ENTRIES_PER_SECTION) sections.push({ text: lines.slice(start, start + ENTRIES_PER_SECTION).join('\n') });
    return {
      title: 'Audit log',
      text: `${total} entr${total === 1 ? 'y' : 'ies'} in ${what}, newest first.${more}`,
      sections,
      visibility: 'ephemeral',
    };
  },
});
