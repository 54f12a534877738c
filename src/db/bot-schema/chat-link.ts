import { integer, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { atmobot } from './atmobot.js';

/** An explicit tie between a chat user and an Atmosphere account, made by a bot admin. */
export const chatLink = atmobot.table(
  'chat_link',
  {
    id: serial('id').primaryKey(),
    platform: text('platform').notNull(),
    chatUserId: text('chat_user_id').notNull(),
    atmosphereUserId: integer('atmosphere_user_id').notNull(),
    atmosphereUsername: text('atmosphere_username').notNull(),
    /** `platform:id` of the admin who made the link. */
    linkedBy: text('linked_by').notNull(),
    linkedAt: timestamp('linked_at', { withTimezone: true }).notNull(),
  },
  (table) => [uniqueIndex('chat_link_platform_user_uq').on(table.platform, table.chatUserId)],
);
