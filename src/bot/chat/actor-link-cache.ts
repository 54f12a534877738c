import type { KeyValueStore } from '../../integrations/kv/key-value-store.js';
import { ACTOR_LINK_TTL_MS, keys } from '../../integrations/kv/keys.js';
import type { Logger } from '../../logger.js';
import type { Actor } from './command.js';
import type { ChatUser } from './chat-event.js';

/** What a cached resolution holds: which account, and how it was found. Nothing a permission rests on. */
export interface ActorLink {
  userId: number;
  via: Exclude<Actor['via'], 'console'>;
}

function parse(raw: string | null): ActorLink | null {
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return null;
    const { userId, via } = value as Record<string, unknown>;
    if (typeof userId !== 'number' || !Number.isInteger(userId) || (via !== 'link' && via !== 'email')) return null;
    return { userId, via };
  } catch {
    return null;
  }
}

/**
 * The cached account a chat user resolved to, or null. A store that fails or holds something
 * unreadable counts as a miss: the caller resolves afresh.
 */
export async function readActorLink(kv: KeyValueStore, user: ChatUser): Promise<ActorLink | null> {
  return parse(await kv.get(keys.actorLink(user.platform, user.id)).catch(() => null));
}

/** Remembers a resolution for `ACTOR_LINK_TTL_MS`; a store failure only costs the next event a lookup. */
export async function rememberActorLink(kv: KeyValueStore, log: Logger, user: ChatUser, link: ActorLink): Promise<void> {
  await kv
    .set(keys.actorLink(user.platform, user.id), JSON.stringify(link), ACTOR_LINK_TTL_MS)
    .catch((error: unknown) => log.warn({ err: error }, 'could not cache the account resolution'));
}

/**
 * Forgets a chat user's cached resolution, after a link or unlink changed it. The store is shared by
 * every replica (Redis in production), so none of them keeps acting on the old link.
 */
export async function forgetActorLink(kv: KeyValueStore, platform: string, userId: string): Promise<void> {
  await kv.delete(keys.actorLink(platform, userId));
}
