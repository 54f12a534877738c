import { desc, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { auditLog } from '../bot-schema/index.js';

export type AuditRow = typeof auditLog.$inferInsert;
export type AuditOutcome = 'ok' | 'refused' | 'usage' | 'failed' | 'form';

/** Appends one audit row. */
export async function writeAudit(db: Database, row: AuditRow): Promise<void> {
  await db.insert(auditLog).values(row);
}

/** Newest rows first; for tests and `/atmo audit`-style views. */
export async function recentAudit(db: Database, limit = 50, name?: string) {
  const query = db.select().from(auditLog);
  const filtered = name ? query.where(eq(auditLog.name, name)) : query;
  return filtered.orderBy(desc(auditLog.id)).limit(limit);
}
