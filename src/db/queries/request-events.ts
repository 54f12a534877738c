import { and, asc, eq, gt, gte, inArray } from 'drizzle-orm';
import type { Database, Executor } from '../client.js';
import { requestEvent } from '../bot-schema/index.js';

export type RequestEventRow = typeof requestEvent.$inferSelect;
export type RequestEventSubject = 'machine_request' | 'resource_request' | 'instance';

export interface RequestEventInput {
  subject: RequestEventSubject;
  recordId: number;
  at: Date;
  /** Atmosphere username, or `atmo-bot` for the bot's own jobs. */
  actor: string;
  platform: string;
  /** `approved`, `queued`, `dequeued`, `resubmitted`, `denied`, `auto-approved`, ... */
  action: string;
  note?: string | null;
}

/** Appends one action to a request's bot history. */
export async function recordRequestEvent(db: Executor, event: RequestEventInput): Promise<RequestEventRow> {
  const rows = await db
    .insert(requestEvent)
    .values({ ...event, note: event.note ?? null })
    .returning();
  return rows[0]!;
}

/** Every event after `afterId`, oldest first: a reader keeps the last id it handled and asks again. */
export async function listRequestEventsSince(db: Database, afterId: number, limit: number): Promise<RequestEventRow[]> {
  return db.select().from(requestEvent).where(gt(requestEvent.id, afterId)).orderBy(asc(requestEvent.id)).limit(limit);
}

/** The bot's history of the given records, oldest first. */
export async function listRequestEvents(db: Database, subject: RequestEventSubject, recordIds: readonly number[]): Promise<RequestEventRow[]> {
  if (recordIds.length === 0) return [];
  return db
    .select()
    .from(requestEvent)
    .where(and(eq(requestEvent.subject, subject), inArray(requestEvent.recordId, [...recordIds])))
    .orderBy(asc(requestEvent.id));
}

/** The records that had an event of `action` at or after `since`, with the newest such event each. */
export async function listRecentEventsByAction(db: Database, subject: RequestEventSubject, action: string, since: Date): Promise<RequestEventRow[]> {
  return db
    .select()
    .from(requestEvent)
    .where(and(eq(requestEvent.subject, subject), eq(requestEvent.action, action), gte(requestEvent.at, since)))
    .orderBy(asc(requestEvent.id));
}
