import { and, count, desc, eq, gte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../client.js';
import type { Logger } from '../../logger.js';
import { auditLog } from '../bot-schema/index.js';
import { asDatabaseOutage } from '../database-error.js';
import { preparedPerDatabase } from '../prepared.js';
import { sanitizeAuditRow } from '../sanitize-text.js';

export type AuditRow = typeof auditLog.$inferInsert;
export type AuditOutcome = 'ok' | 'refused' | 'usage' | 'failed' | 'form';

/**
 * How many audit rows are kept in memory while the database is unreachable. A row is about a
 * kilobyte, so this is a few megabytes at most; at a busy hour's rate (a few hundred events) it
 * covers an outage of hours. Past it the oldest row goes to the log in full instead.
 */
export const AUDIT_BUFFER_CAPACITY = 2_000;
/** How often kept rows are tried again: one insert, cheap while the database is down, prompt once it is back. */
const AUDIT_RETRY_MS = 2_000;
/** Rows per insert when flushing, so one flush stays one short statement. */
const FLUSH_BATCH = 200;

interface Backlog {
  rows: AuditRow[];
  log: Logger;
  timer: NodeJS.Timeout | null;
  flushing: Promise<void> | null;
}

/** Rows waiting for each database; the bot has one, tests many. */
const backlogs = new WeakMap<Database, Backlog>();

/** Every column of an audit row but its id, each filled at execution. */
const AUDIT_COLUMNS = ['at', 'eventId', 'platform', 'chatUserId', 'atmosphereUsername', 'kind', 'name', 'input', 'outcome', 'message', 'detail', 'channel', 'messageId'] as const;
type AuditColumn = (typeof AUDIT_COLUMNS)[number];

/**
 * One row's insert, built once per database: every event writes one, so drizzle's build of the
 * statement and Postgres's parse of it are not paid each time. The jsonb `detail` is still encoded
 * by its column at execution.
 */
const insertOne = preparedPerDatabase((db) =>
  db
    .insert(auditLog)
    .values(Object.fromEntries(AUDIT_COLUMNS.map((column) => [column, sql.placeholder(column)])) as unknown as AuditRow)
    .prepare('atmobot_audit_insert'),
);

/** The row's values by placeholder name, an absent optional column as null. */
function placeholderValues(row: AuditRow): Record<AuditColumn, unknown> {
  return Object.fromEntries(AUDIT_COLUMNS.map((column) => [column, row[column] ?? null])) as Record<AuditColumn, unknown>;
}

/**
 * Appends one audit row; never throws. Text Postgres would reject (U+0000, lone surrogates) is
 * replaced first. While the database is unreachable the row is kept in memory, in order behind any
 * others, and written when it returns; a row that cannot be kept (the buffer is full, or the
 * database refused the row itself) is written to the log in full, so it is never silently lost.
 */
export async function writeAudit(db: Database, row: AuditRow, log: Logger): Promise<void> {
  const clean = sanitizeAuditRow(row);
  const backlog = backlogs.get(db);
  if (backlog && backlog.rows.length > 0) {
    // Known outage: don't wait a timeout per event, queue behind the others.
    keep(db, backlog, clean);
    return;
  }
  try {
    await insertOne(db).execute(placeholderValues(clean));
  } catch (error) {
    if (asDatabaseOutage(error)) {
      const created = backlog ?? { rows: [], log, timer: null, flushing: null };
      backlogs.set(db, created);
      log.warn({ err: error }, 'the audit log is unreachable; keeping rows in memory until the database returns');
      keep(db, created, clean);
      return;
    }
    log.error({ err: error, auditRow: clean }, 'the database refused an audit row; it is kept here in the log instead');
  }
}

function keep(db: Database, backlog: Backlog, row: AuditRow): void {
  backlog.rows.push(row);
  while (backlog.rows.length > AUDIT_BUFFER_CAPACITY) {
    backlog.log.error({ auditRow: backlog.rows.shift() }, 'the audit buffer is full; the oldest row is kept here in the log instead');
  }
  if (!backlog.timer) {
    backlog.timer = setInterval(() => void flushAudit(db), AUDIT_RETRY_MS);
    // A pending retry must never keep a stopping process alive; drainAudit handles shutdown.
    backlog.timer.unref();
  }
}

/** Tries to write the kept rows now, oldest first; resolves whether or not the database is back. */
export function flushAudit(db: Database): Promise<void> {
  const backlog = backlogs.get(db);
  if (!backlog || backlog.rows.length === 0) return Promise.resolve();
  backlog.flushing ??= (async () => {
    let written = 0;
    try {
      while (backlog.rows.length > 0) {
        const batch = backlog.rows.slice(0, FLUSH_BATCH);
        await db.insert(auditLog).values(batch);
        backlog.rows.splice(0, batch.length);
        written += batch.length;
      }
    } catch (error) {
      if (!asDatabaseOutage(error)) {
        // Not an outage: one of the rows is at fault. Keep them in the log rather than retry forever.
        for (const auditRow of backlog.rows.splice(0)) backlog.log.error({ auditRow }, 'the database refused a kept audit row; it is kept here in the log instead');
      }
    } finally {
      if (written > 0) backlog.log.info({ written, left: backlog.rows.length }, 'wrote audit rows kept while the database was unreachable');
      if (backlog.rows.length === 0 && backlog.timer) {
        clearInterval(backlog.timer);
        backlog.timer = null;
      }
      backlog.flushing = null;
    }
  })();
  return backlog.flushing;
}

/** How many rows are waiting for the database (health detail, tests). */
export function pendingAudit(db: Database): number {
  return backlogs.get(db)?.rows.length ?? 0;
}

/**
 * At shutdown: one last try, then every row still kept goes to the log, since memory is about to go.
 */
export async function drainAudit(db: Database): Promise<void> {
  await flushAudit(db);
  const backlog = backlogs.get(db);
  if (!backlog) return;
  for (const auditRow of backlog.rows.splice(0)) backlog.log.error({ auditRow }, 'stopping with the database unreachable; this audit row is kept here in the log instead');
  if (backlog.timer) clearInterval(backlog.timer);
  backlogs.delete(db);
}

/** Newest rows first; for tests and `/atmo audit`-style views. */
export async function recentAudit(db: Database, limit = 50, name?: string) {
  const query = db.select().from(auditLog);
  const filtered = name ? query.where(eq(auditLog.name, name)) : query;
  return filtered.orderBy(desc(auditLog.id)).limit(limit);
}

/** What `/atmo audit` narrows the log to; each filter has its own index (see bot-schema/audit-log.ts). */
export type AuditFilter =
  | { kind: 'all' }
  | { kind: 'request'; id: number }
  | { kind: 'imaging'; id: number }
  | { kind: 'username'; username: string }
  | { kind: 'chatUser'; platform: string; chatUserId: string }
  | { kind: 'since'; at: Date };

export type AuditEntry = typeof auditLog.$inferSelect;

function auditCondition(filter: AuditFilter): SQL | undefined {
  switch (filter.kind) {
    case 'all':
      return undefined;
    // The same expressions as the indexes on detail, so the planner can use them.
    case 'request':
      return sql`(${auditLog.detail} ->> 'requestId') = ${String(filter.id)}`;
    case 'imaging':
      return sql`(${auditLog.detail} ->> 'machineRequestId') = ${String(filter.id)}`;
    case 'username':
      return eq(auditLog.atmosphereUsername, filter.username);
    case 'chatUser':
      return and(eq(auditLog.platform, filter.platform), eq(auditLog.chatUserId, filter.chatUserId));
    case 'since':
      return gte(auditLog.at, filter.at);
  }
}

/**
 * The newest `limit` audit rows matching `filter`, and how many match in all. Ordered by time alone, so
 * the index's own order serves it (a tie-break column would force a sort of every matching row).
 * Every filter is served by an index, so this stays quick on a log of years.
 */
export async function searchAudit(db: Database, filter: AuditFilter, limit: number): Promise<{ entries: AuditEntry[]; total: number }> {
  const entries = await auditEntriesQuery(db, filter, limit);
  const [counted] = await db.select({ total: count() }).from(auditLog).where(auditCondition(filter));
  return { entries, total: counted?.total ?? entries.length };
}

/** The select `searchAudit` runs, unexecuted, so a test can ask the planner how it is served. */
export function auditEntriesQuery(db: Database, filter: AuditFilter, limit: number) {
  return db.select().from(auditLog).where(auditCondition(filter)).orderBy(desc(auditLog.at)).limit(limit);
}
