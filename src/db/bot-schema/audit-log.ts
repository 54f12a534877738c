import { sql } from 'drizzle-orm';
import { bigserial, index, jsonb, text, timestamp } from 'drizzle-orm/pg-core';
import { atmobot } from './atmobot.js';

/** One row for every command, click, form, refusal, failure and job decision. Never updated. */
export const auditLog = atmobot.table(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    eventId: text('event_id').notNull(),
    platform: text('platform').notNull(),
    chatUserId: text('chat_user_id').notNull(),
    atmosphereUsername: text('atmosphere_username'),
    /** `command`, `action`, `form` or `job`. */
    kind: text('kind').notNull(),
    /** Command path or action name, e.g. `requests` or `rr:approve`. */
    name: text('name').notNull(),
    /** What was asked: command text, or button value (untrusted, stored as received). */
    input: text('input').notNull(),
    /** `ok`, `refused`, `usage`, `failed`, `form`. */
    outcome: text('outcome').notNull(),
    /** The text shown to the user for refusals and failures. */
    message: text('message'),
    /** Handler facts; `requestId` / `machineRequestId` name the resource / imaging request the row is about. */
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    channel: text('channel').notNull(),
    messageId: text('message_id'),
  },
  (table) => [
    index('audit_log_at_idx').on(table.at),
    index('audit_log_name_idx').on(table.name, table.at),
    // `/atmo audit user …` and `/atmo audit request|imaging <id>` (see queries/audit.ts, which uses
    // the same expressions so the planner can match them).
    index('audit_log_username_idx').on(table.atmosphereUsername, table.at),
    index('audit_log_chat_user_idx').on(table.platform, table.chatUserId, table.at),
    index('audit_log_request_idx').on(sql`(${table.detail} ->> 'requestId')`, table.at),
    index('audit_log_machine_request_idx').on(sql`(${table.detail} ->> 'machineRequestId')`, table.at),
  ],
);
