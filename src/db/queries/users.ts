import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { atmosphereUser } from '../atmosphere-schema.js';

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
  isStaff: atmosphereUser.isStaff,
  isActive: atmosphereUser.isActive,
  endDate: atmosphereUser.endDate,
};

/**
 * True when the account may act: active and with no end date. Atmosphere treats any end date as
 * disabled or expired, and the e-mail match below uses the same rule, so every way of linking agrees.
 */
export function isUsable(user: Pick<UserRow, 'isActive' | 'endDate'>): boolean {
  return user.isActive && user.endDate === null;
}

/**
 * Active accounts whose e-mail equals `email` ignoring case. More than one row means the link is
 * ambiguous (the case-only duplicates the Synnefo upgrade notes warn about) and must be refused.
 */
export async function findActiveUsersByEmail(db: Database, email: string): Promise<UserRow[]> {
  return db
    .select(userColumns)
    .from(atmosphereUser)
    .where(
      and(
        sql`lower(${atmosphereUser.email}) = lower(${email})`,
        eq(atmosphereUser.isActive, true),
        isNull(atmosphereUser.endDate),
      ),
    )
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
export async function findFirstStaffUser(db: Database): Promise<UserRow | null> {
  const rows = await db
    .select(userColumns)
    .from(atmosphereUser)
    .where(and(eq(atmosphereUser.isStaff, true), eq(atmosphereUser.isActive, true), isNull(atmosphereUser.endDate)))
    .orderBy(atmosphereUser.username)
    .limit(1);
  return rows[0] ?? null;
}
