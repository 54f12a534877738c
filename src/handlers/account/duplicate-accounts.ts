import { z } from 'zod';
import { defineCommand } from '../../bot/chat/command.js';
import type { Reply } from '../../bot/chat/reply.js';
import { listCaseDuplicateAccounts, MAX_DUPLICATE_GROUPS, type DuplicateAccount } from '../../db/queries/duplicate-accounts.js';
import { formatTimestamp } from '../format-time.js';

function accountLine(account: DuplicateAccount): string {
  const requests = `${account.resourceRequests} resource and ${account.machineRequests} imaging request${account.machineRequests === 1 ? '' : 's'}`;
  const asked = account.lastRequestAt ? `, last on ${formatTimestamp(account.lastRequestAt)}` : '';
  const providers = account.providers.length > 0 ? account.providers.join(', ') : 'no identity';
  const login = account.lastLogin ? `last login ${formatTimestamp(account.lastLogin)}` : 'never logged in';
  return `• ${account.username}${account.isStaff ? ' (staff)' : ''} <${account.email}>: joined ${formatTimestamp(account.dateJoined)}, ${login}; ${providers}; ${requests}${asked}`;
}

/**
 * `/atmo users duplicates`: enabled accounts whose e-mails differ only by case. The bot refuses to
 * resolve a chat user by such an e-mail, and an upgrade to case-insensitive e-mails must merge them
 * first; each account is listed with what staff need to choose the one to keep.
 */
export const usersDuplicatesCommand = defineCommand({
  name: 'users duplicates',
  summary: 'List enabled accounts whose e-mails differ only by case, which the bot cannot match to a chat user',
  usage: '/atmo users duplicates',
  options: [],
  args: z.object({}),
  permission: 'staff',
  async run(ctx): Promise<Reply> {
    const { groups, total } = await listCaseDuplicateAccounts(ctx.deps.db, ctx.deps.now());
    if (total === 0) return { text: 'No two enabled accounts share an e-mail that differs only by case.', visibility: 'ephemeral', tone: 'success' };
    const more = total > groups.length ? ` The first ${MAX_DUPLICATE_GROUPS} are shown.` : '';
    return {
      title: 'Accounts whose e-mails differ only by case',
      text:
        `${total} e-mail${total === 1 ? ' is' : 's are'} shared, ignoring case, by more than one enabled account.${more} ` +
        "The bot refuses to match a chat user by such an e-mail; merge or disable all but one in Atmosphere (or link the chat user with /atmo link).",
      sections: groups.map((group) => ({ text: `*${group.email}* (${group.accounts.length} accounts)\n${group.accounts.map(accountLine).join('\n')}` })),
      visibility: 'ephemeral',
    };
  },
});
