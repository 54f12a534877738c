import { and, count, desc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { atmosphereUser, cloudAdministrator } from '../atmosphere-schema.js';

export interface UserRow {
  id: number;
  username: string;
  email: string;
  isStaff: boolean;
  isActive: boolean;
  endDate: Date | null;
}

const userColumns = {
  id: atmosphereUser.id,
  username: atmosphereUser.username,
  email: atmosphereUser.email,
  // A provider's cloud administrator decides requests as staff do, like Atmosphere's admin endpoints.
  // Spelled out with table names: drizzle leaves columns unqualified in a one-table select, and a bare
  // "id" inside the subquery would be cloud_administrator's own.
  isStaff: sql<boolean>`(${atmosphereUser.isStaff} or exists (select 1 from ${cloudAdministrator} where "cloud_administrator"."user_id" = "atmosphere_user"."id"))`.mapWith(Boolean),
  isActive: atmosphereUser.isActive,
  endDate: atmosphereUser.endDate,
};

/** Atmosphere's `is_enabled` in SQL: active, and no end date or one still ahead. */
const enabledAt = (now: Date) => and(eq(atmosphereUser.isActive, true), or(isNull(atmosphereUser.endDate), gt(atmosphereUser.endDate, now)));

/**
 * True when the account may act: Atmosphere's `is_enabled`, active with no end date or one still
 * ahead (an account given an end date at the end of a course works until then). The e-mail match
 * below uses the same rule, so every way of linking agrees.
 */
export function isUsable(user: Pick<UserRow, 'isActive' | 'endDate'>, now: Date): boolean {
  return user.isActive && (user.endDate === null || user.endDate > now);
}

/**
 * Active accounts whose e-mail equals `email` ignoring case. More than one row means the link is
 * ambiguous (the case-only duplicates the Synnefo upgrade notes warn about) and must be refused.
 */
export async function findActiveUsersByEmail(db: Database, email: string, now: Date): Promise<UserRow[]> {
  return db
    .select(userColumns)
    .from(atmosphereUser)
    .where(and(sql`lower(${atmosphereUser.email}) = lower(${email})`, enabledAt(now)))
    .orderBy(atmosphereUser.username)
    .limit(5);
}

/** One account by exact username (Atmosphere usernames are unique and case-sensitive). */
export async function findUserByUsername(db: Database, username: string): Promise<UserRow | null> {
  const rows = await db.select(userColumns).from(atmosphereUser).where(eq(atmosphereUser.username, username)).limit(1);
  return rows[0] ?? null;
}

function prepareFindUserById(db: Database) {
  return db.select(userColumns).from(atmosphereUser).where(eq(atmosphereUser.id, sql.placeholder('id'))).limit(1).prepare('atmobot_find_user_by_id');
}

/** The prepared lookup of each database handle: Postgres parses and plans it once per connection. */
const preparedById = new WeakMap<Database, ReturnType<typeof prepareFindUserById>>();

/** One account by primary key: the lookup every chat event makes (the actor's `is_staff`, read fresh). */
export async function findUserById(db: Database, id: number): Promise<UserRow | null> {
  let prepared = preparedById.get(db);
  if (!prepared) {
    prepared = prepareFindUserById(db);
    preparedById.set(db, prepared);
  }
  const rows = await prepared.execute({ id });
  return rows[0] ?? null;
}

/** The first active staff account by username; the console acts as it until `/as` picks another. */
export async function findFirstStaffUser(db: Database, now: Date): Promise<UserRow | null> {
  const rows = await db
    .select(userColumns)
    .from(atmosphereUser)
    .where(and(eq(atmosphereUser.isStaff, true), enabledAt(now)))
    .orderBy(atmosphereUser.username)
    .limit(1);
  return rows[0] ?? null;
}

/** Accounts for a list of whom one may act as: staff (of those enabled) first, then by username; with the count of all. */
export async function listUsersStaffFirst(db: Database, limit: number): Promise<{ users: UserRow[]; total: number }> {
  const [users, totals] = await Promise.all([
    db
      .select(userColumns)
      .from(atmosphereUser)
      .orderBy(desc(userColumns.isStaff), atmosphereUser.username)
      .limit(limit),
    db.select({ total: count() }).from(atmosphereUser),
  ]);
  return { users, total: totals[0]?.total ?? 0 };
}
