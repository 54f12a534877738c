import { z } from 'zod';
import { defineCommand, type HandlerContext } from '../../bot/chat/command.js';
import { UserError } from '../../errors.js';
import { deleteChatLink, upsertChatLink } from '../../db/queries/chat-links.js';
import { findUserByUsername, isUsable } from '../../db/queries/users.js';
import { keys } from '../../integrations/kv/keys.js';
import { resolveActor } from '../../bot/chat/resolve-actor.js';
import { forgetActorLink } from '../../bot/chat/actor-link-cache.js';
import { parseChatUser } from './parse-chat-user.js';
import { announceStaffLink } from './announce-staff-link.js';

const CHAT_USER_HELP = 'Name the chat user as slack:U0123ABC, discord:123456789012345678, or a mention.';

export const whoamiCommand = defineCommand({
  name: 'whoami',
  summary: 'Show which Atmosphere account you act as, and how to get linked',
  usage: '/atmo whoami',
  options: [],
  args: z.object({}),
  permission: 'anyone',
  async run(ctx) {
    const resolution = await resolveActor(ctx.deps, ctx.chatUser);
    const you = `${ctx.chatUser.platform}:${ctx.chatUser.id}`;
    const admin = ctx.isBotAdmin ? ' You are a bot admin.' : '';
    if (!resolution.actor) return { text: `You are ${you}, not linked to an Atmosphere account.${admin}\n${resolution.problem.message}` };
    const { actor } = resolution;
    const how = { email: 'your verified e-mail', link: 'a link made by a bot admin', console: 'the console (/as)' }[actor.via];
    return {
      text: `You are ${you}, acting as the Atmosphere user ${actor.username}${actor.isStaff ? ' (staff)' : ''}, through ${how}.${admin}`,
    };
  },
});

export const linkCommand = defineCommand({
  name: 'link',
  summary: 'Bot admins: tie a chat user to an Atmosphere account',
  usage: '/atmo link <chat user> <atmosphere username>',
  options: [
    { name: 'user', description: 'slack:U…, discord:…, or a mention', type: 'string', required: true },
    { name: 'username', description: 'Atmosphere username', type: 'string', required: true },
  ],
  args: z.object({
    user: z.string({ error: `say which chat user. ${CHAT_USER_HELP}` }).min(1),
    username: z.string({ error: 'say which Atmosphere username to link to' }).regex(/^[\w.@+-]{1,256}$/, 'that is not an Atmosphere username'),
  }),
  permission: 'admin',
  async run(ctx, args) {
    const target = parseChatUser(args.user, ctx.chatUser.platform);
    if (!target) throw new UserError('usage', `"${args.user}" is not a chat user I can read. ${CHAT_USER_HELP}`);
    // Otherwise one admin could become any staff member, unseen: another admin has to make the link.
    if (target.platform === ctx.chatUser.platform && target.id === ctx.chatUser.id) {
      throw new UserError('forbidden', 'You cannot link your own chat user; ask another bot admin to run this for you.');
    }
    const account = await findUserByUsername(ctx.deps.db, args.username);
    if (!account) throw new UserError('not_found', `There is no Atmosphere account "${args.username}" (usernames are case-sensitive).`);
    if (!isUsable(account, ctx.deps.now())) throw new UserError('conflict', `The Atmosphere account "${args.username}" is disabled or end-dated; I will not link to it.`);
    // Staff powers are announced before they are granted, so a link that gives them is never silent.
    const announced = account.isStaff
      ? await announceStaffLink(ctx, { chatUser: `${target.platform}:${target.id}`, username: account.username })
      : undefined;
    const { previous } = await upsertChatLink(ctx.deps.db, {
      platform: target.platform,
      chatUserId: target.id,
      atmosphereUserId: account.id,
      atmosphereUsername: account.username,
      linkedBy: `${ctx.chatUser.platform}:${ctx.chatUser.id}`,
      linkedAt: ctx.deps.now(),
    });
    await ctx.deps.kv.delete(keys.emailLink(target.platform, target.id)).catch(() => {});
    await forgetLink(ctx, target);
    ctx.audit({ linked: `${target.platform}:${target.id}`, username: account.username, staff: account.isStaff, previous, announced: announced ?? null });
    return {
      text: `Linked ${target.platform}:${target.id} to ${account.username}${account.isStaff ? ' (staff)' : ''}${previous && previous !== account.username ? `, replacing the link to ${previous}` : ''}.${announced ? ` ${announced}` : ''}`,
    };
  },
});

export const unlinkCommand = defineCommand({
  name: 'unlink',
  summary: 'Bot admins: remove a chat user\u2019s explicit link',
  usage: '/atmo unlink <chat user>',
  options: [{ name: 'user', description: 'slack:U…, discord:…, or a mention', type: 'string', required: true }],
  args: z.object({ user: z.string({ error: `say which chat user. ${CHAT_USER_HELP}` }).min(1) }),
  permission: 'admin',
  async run(ctx, args) {
    const target = parseChatUser(args.user, ctx.chatUser.platform);
    if (!target) throw new UserError('usage', `"${args.user}" is not a chat user I can read. ${CHAT_USER_HELP}`);
    const removed = await deleteChatLink(ctx.deps.db, target.platform, target.id);
    if (!removed) throw new UserError('not_found', `${target.platform}:${target.id} has no explicit link. (Slack users matched by e-mail need none.)`);
    await forgetLink(ctx, target);
    ctx.audit({ unlinked: `${target.platform}:${target.id}`, username: removed.atmosphereUsername });
    return { text: `Removed the link from ${target.platform}:${target.id} to ${removed.atmosphereUsername}.` };
  },
});

/**
 * Drops the target's cached account resolution on every replica. The link row is already changed, so
 * a store that is down leaves the old resolution for at most ACTOR_LINK_TTL_MS; the audit row notes it.
 */
async function forgetLink(ctx: HandlerContext, target: { platform: string; id: string }): Promise<void> {
  await forgetActorLink(ctx.deps.kv, target.platform, target.id).catch((error: unknown) => {
    ctx.log.warn({ err: error }, 'could not forget the cached account resolution');
    ctx.audit({ cacheNotCleared: true });
  });
}
