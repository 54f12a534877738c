import { and, asc, count, desc, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { chatLink } from '../bot-schema/index.js';

export type ChatLinkRow = typeof chatLink.$inferSelect;

export async function findChatLink(db: Database, platform: string, chatUserId: string): Promise<ChatLinkRow | null> {
  const rows = await db
    .select()
    .from(chatLink)
    .where(and(eq(chatLink.platform, platform), eq(chatLink.chatUserId, chatUserId)))
    .limit(1);
  return rows[0] ?? null;
}

/** Creates or replaces the link of one chat user; returns the previous username when there was one. */
export async function upsertChatLink(
  db: Database,
  link: Omit<ChatLinkRow, 'id'>,
): Promise<{ previous: string | null }> {
  const existing = await findChatLink(db, link.platform, link.chatUserId);
  await db
    .insert(chatLink)
    .values(link)
    .onConflictDoUpdate({
      target: [chatLink.platform, chatLink.chatUserId],
      set: {
        atmosphereUserId: link.atmosphereUserId,
        atmosphereUsername: link.atmosphereUsername,
        linkedBy: link.linkedBy,
        linkedAt: link.linkedAt,
      },
    });
  return { previous: existing?.atmosphereUsername ?? null };
}

export async function deleteChatLink(db: Database, platform: string, chatUserId: string): Promise<ChatLinkRow | null> {
  const rows = await db
    .delete(chatLink)
    .where(and(eq(chatLink.platform, platform), eq(chatLink.chatUserId, chatUserId)))
    .returning();
  return rows[0] ?? null;
}

/**
 * The chat users linked to an Atmosphere account, on every platform. `chat_link` holds one row per
 * linked chat user, a few hundred at most, so no index beyond its own is needed.
 */
export async function listChatLinksOf(db: Database, atmosphereUsername: string): Promise<ChatLinkRow[]> {
  return db.select().from(chatLink).where(eq(chatLink.atmosphereUsername, atmosphereUsername)).orderBy(asc(chatLink.id));
}

/** How many links `/atmo links` shows; the rest are counted. A chat has far fewer staff than this. */
export const CHAT_LINKS_SHOWN = 50;

/** The explicit links, newest first (at most `limit`), and how many there are in all. */
export async function listChatLinks(db: Database, limit = CHAT_LINKS_SHOWN): Promise<{ links: ChatLinkRow[]; total: number }> {
  const links = await db.select().from(chatLink).orderBy(desc(chatLink.linkedAt), desc(chatLink.id)).limit(limit);
  const [counted] = await db.select({ total: count() }).from(chatLink);
  return { links, total: counted?.total ?? links.length };
}
