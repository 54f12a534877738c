import type { Deps } from '../../deps.js';
import { UserError } from '../../errors.js';
import { keys, EMAIL_LINK_MISS_TTL_MS, EMAIL_LINK_TTL_MS } from '../../integrations/kv/keys.js';
import { findChatLink } from '../../db/queries/chat-links.js';
import { findActiveUsersByEmail, findUserById, findUserByUsername, isUsable, type UserRow } from '../../db/queries/users.js';
import type { ChatUser } from './chat-event.js';
import type { Actor } from './command.js';
import { readActorLink, rememberActorLink } from './actor-link-cache.js';

/** Cached "this Slack user has no e-mail" marker; an e-mail never contains a NUL. */
const NO_EMAIL = '\u0000none';

export type ActorResolution = { actor: Actor } | { actor: null; problem: UserError };

function toActor(user: UserRow, via: Actor['via']): Actor {
  return { userId: user.id, username: user.username, email: user.email, isStaff: user.isStaff, via };
}

/**
 * Finds the Atmosphere account a chat user acts as. Order: the console's chosen user, an explicit link
 * made by a bot admin, then (Slack only) the verified e-mail matched without case to exactly one active
 * account. Which account a chat user resolved to is cached briefly (actor-link-cache.ts); the account
 * row, and so `is_staff` and whether it may act at all, is read fresh on every event by its primary key.
 */
export async function resolveActor(deps: Deps, user: ChatUser): Promise<ActorResolution> {
  if (user.platform === 'console') {
    if (!user.actingAs) {
      return { actor: null, problem: new UserError('not_linked', 'Pick the Atmosphere user to act as first: /as <username>') };
    }
    const account = await findUserByUsername(deps.db, user.actingAs);
    if (!account || !isUsable(account, deps.now())) {
      return { actor: null, problem: new UserError('not_linked', `There is no active Atmosphere account "${user.actingAs}". Pick another with /as <username>.`) };
    }
    return { actor: toActor(account, 'console') };
  }

  const cached = await readActorLink(deps.kv, user);
  if (cached) {
    const account = await findUserById(deps.db, cached.userId);
    if (account && isUsable(account, deps.now())) return { actor: toActor(account, cached.via) };
    // Disabled or gone since: resolve afresh, which also says why it no longer works.
  }
  const resolution = await resolveChatUser(deps, user);
  if (resolution.actor && resolution.actor.via !== 'console') {
    await rememberActorLink(deps.kv, deps.log, user, { userId: resolution.actor.userId, via: resolution.actor.via });
  }
  return resolution;
}

async function resolveChatUser(deps: Deps, user: ChatUser): Promise<ActorResolution> {
  const link = await findChatLink(deps.db, user.platform, user.id);
  if (link) {
    const account = await findUserById(deps.db, link.atmosphereUserId);
    if (!account || !isUsable(account, deps.now())) {
      return {
        actor: null,
        problem: new UserError(
          'not_linked',
          `You are linked to the Atmosphere account "${link.atmosphereUsername}", which is disabled or gone. Ask a bot admin to link you again (/atmo link).`,
        ),
      };
    }
    return { actor: toActor(account, 'link') };
  }

  const directory = deps.directories[user.platform];
  if (!directory) {
    return {
      actor: null,
      problem: new UserError(
        'not_linked',
        `${user.platform === 'discord' ? 'Discord does not share e-mail addresses with bots, so' : 'On this platform'} your account has to be linked by a bot admin. Ask one to run: /atmo link ${user.platform}:${user.id} <your Atmosphere username>`,
      ),
    };
  }

  const email = await cachedEmail(deps, user, directory.emailOf.bind(directory));
  if (!email) {
    return {
      actor: null,
      problem: new UserError('not_linked', `Your ${user.platform} profile has no e-mail address I can read. Ask a bot admin to link you: /atmo link ${user.platform}:${user.id} <username>`),
    };
  }
  const matches = await findActiveUsersByEmail(deps.db, email, deps.now());
  if (matches.length === 0) {
    return {
      actor: null,
      problem: new UserError('not_linked', `No active Atmosphere account has the e-mail ${email}. Ask a bot admin to link you: /atmo link ${user.platform}:${user.id} <username>`),
    };
  }
  if (matches.length > 1) {
    return {
      actor: null,
      problem: new UserError(
        'ambiguous_link',
        `More than one active Atmosphere account uses the e-mail ${email} (differing only in case: ${matches.map((m) => m.username).join(', ')}), so I will not guess. Ask a bot admin to link you to the right one: /atmo link ${user.platform}:${user.id} <username>`,
      ),
    };
  }
  return { actor: toActor(matches[0]!, 'email') };
}

async function cachedEmail(deps: Deps, user: ChatUser, lookup: (id: string) => Promise<string | null>): Promise<string | null> {
  const key = keys.emailLink(user.platform, user.id);
  const cached = await deps.kv.get(key).catch(() => null);
  if (cached !== null) return cached === NO_EMAIL ? null : cached;
  const email = await lookup(user.id);
  await deps.kv
    .set(key, email ?? NO_EMAIL, email ? EMAIL_LINK_TTL_MS : EMAIL_LINK_MISS_TTL_MS)
    .catch((error: unknown) => deps.log.warn({ err: error }, 'could not cache the e-mail lookup'));
  return email;
}

/** Bot admins are named in BOT_ADMINS as `platform:id`; the local console operator always is one. */
export function isBotAdmin(deps: Deps, user: ChatUser): boolean {
  if (user.platform === 'console') return true;
  return deps.config.BOT_ADMINS.includes(`${user.platform}:${user.id}`);
}
