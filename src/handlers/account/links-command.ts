import { z } from 'zod';
import { defineCommand } from '../../bot/chat/command.js';
import type { Reply, Section } from '../../bot/chat/reply.js';
import { listChatLinks, type ChatLinkRow } from '../../db/queries/chat-links.js';
import { formatAgo, formatTimestamp } from '../format-time.js';

/** Links per section: ten lines of at most ~150 characters stay well under Slack's 3,000 a block. */
const LINKS_PER_SECTION = 10;

function linkLine(link: ChatLinkRow, now: Date): string {
  return `• ${link.platform}:${link.chatUserId} → ${link.atmosphereUsername}, linked by ${link.linkedBy} on ${formatTimestamp(link.linkedAt)} (${formatAgo(link.linkedAt, now)})`;
}

/**
 * `/atmo links`: every explicit chat link, newest first, so bot admins can see who acts as whom
 * without SQL. Slack users matched by their e-mail have no link and are not listed.
 */
export const linksCommand = defineCommand({
  name: 'links',
  summary: 'Bot admins: list the chat users linked to Atmosphere accounts, newest first',
  usage: '/atmo links',
  options: [],
  args: z.object({}),
  permission: 'admin',
  async run(ctx): Promise<Reply> {
    const { links, total } = await listChatLinks(ctx.deps.db);
    if (total === 0) {
      return {
        text: 'No chat user is linked explicitly. Slack users matched by their verified e-mail need no link; /atmo link <chat user> <username> makes one.',
        visibility: 'ephemeral',
      };
    }
    const now = ctx.deps.now();
    const more = total > links.length ? ` The newest ${links.length} are shown; ${total - links.length} older one${total - links.length === 1 ? ' is' : 's are'} not.` : '';
    const lines = links.map((link) => linkLine(link, now));
    const sections: Section[] = [];
    for (let start = 0; start < lines.length; start += LINKS_PER_SECTION) sections.push({ text: lines.slice(start, start + LINKS_PER_SECTION).join('\n') });
    return {
      title: 'Chat links',
      text: `${total} chat user${total === 1 ? ' is' : 's are'} linked explicitly (Slack users matched by e-mail are not listed).${more}`,
      sections,
      visibility: 'ephemeral',
    };
  },
});
