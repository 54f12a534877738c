import type { HandlerContext } from '../../bot/chat/command.js';
import { formatChannelRef } from '../../model/channel-ref.js';
import { UserError } from '../../errors.js';

/**
 * Tells ANNOUNCE_CHANNEL that a chat user is about to act as a staff account, and by whose doing.
 * Returns the sentence for the admin's reply. When the post fails the link is not made: a staff link
 * nobody saw is exactly what the announcement exists to prevent.
 */
export async function announceStaffLink(ctx: HandlerContext, link: { chatUser: string; username: string }): Promise<string> {
  const channel = ctx.deps.config.announceChannel;
  const by = `${ctx.chatUser.platform}:${ctx.chatUser.id}${ctx.chatUser.displayName ? ` (${ctx.chatUser.displayName})` : ''}`;
  if (!channel) {
    ctx.log.warn({ linked: link.chatUser, username: link.username }, 'staff link made with no ANNOUNCE_CHANNEL to announce it in');
    return 'Not announced: ANNOUNCE_CHANNEL is not set (the audit log has it).';
  }
  try {
    await ctx.deps.chat.post(channel, {
      title: 'Staff link',
      text: `${link.chatUser} now acts as the staff account ${link.username} in the bot, linked by the bot admin ${by}. If that is not expected, unlink it: /atmo unlink ${link.chatUser}`,
      visibility: 'channel',
      tone: 'warning',
    });
  } catch (error) {
    ctx.log.warn({ err: error }, 'could not announce a staff link');
    throw new UserError('conflict', `I could not announce the link in ${formatChannelRef(channel)}, so I did not make it. Try again when the channel is reachable.`);
  }
  return `Announced in ${formatChannelRef(channel)}.`;
}
