import { sql } from 'drizzle-orm';
import type { Logger } from '../logger.js';
import type { Database } from './client.js';
import { rowsOf } from './rows-of.js';
import { driverMessage } from './driver-message.js';
import { checkBotSchema } from './check-bot-schema.js';
import { MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from './migrations-location.js';
import { findMissingPrivileges, type PrivilegeReport } from './privileges/find-missing-privileges.js';
import { runtimePrivileges, type DatabaseName } from './privileges/runtime-privileges.js';

/** Start-up found a database the bot cannot run on; the message says why and what to do. */
export class DatabaseNotReadyError extends Error {
  override readonly name = 'DatabaseNotReadyError';
}

const SOURCES: Record<DatabaseName, string> = {
  atmosphere: "Atmosphere's database (DATABASE_URL)",
  troposphere: "Troposphere's database (TROPOSPHERE_DATABASE_URL)",
};
/** Long lists are cut: the first items and a count say enough to act on. */
const LISTED = 12;
const MIGRATE_HINT = 'run `npm run db:migrate` with an owner role (MIGRATION_DATABASE_URL) before starting this release';

function list(items: readonly string[]): string {
  const shown = items.slice(0, LISTED).join(', ');
  return items.length > LISTED ? `${shown} and ${items.length - LISTED} more` : shown;
}

async function whoAmI(db: Database, database: DatabaseName): Promise<{ role: string; name: string }> {
  try {
    const [row] = rowsOf(await db.execute(sql`select current_user as role, current_database() as name`));
    return { role: String(row?.['role']), name: String(row?.['name']) };
  } catch (error) {
    throw new DatabaseNotReadyError(`Cannot use ${SOURCES[database]}: ${driverMessage(error)}`, { cause: error });
  }
}

function isBotRelation(name: string): boolean {
  return name.startsWith(`${MIGRATIONS_SCHEMA}.`) || name === `schema ${MIGRATIONS_SCHEMA}`;
}

/**
 * Checks, before the bot writes anything, that each database is the one it should be and that the
 * role may do everything the bot does there: every mapped Atmosphere/Troposphere table exists, every
 * privilege `npm run db:grants` prints is held, and the `atmobot` schema carries exactly the
 * migrations this release ships. Reads only; throws one DatabaseNotReadyError listing every problem.
 * A schema newer than this release (a later release already migrated it) is logged, not refused,
 * so replicas of the previous release keep running during a rolling upgrade.
 */
export async function verifyDatabases(dbs: { atmosphere: Database; troposphere: Database | null }, log: Logger): Promise<void> {
  const plan = runtimePrivileges();
  const problems: string[] = [];
  const checks: [DatabaseName, Database][] = [['atmosphere', dbs.atmosphere], ...(dbs.troposphere ? [['troposphere', dbs.troposphere] as [DatabaseName, Database]] : [])];
  const reports = new Map<DatabaseName, PrivilegeReport>();
  let wrongDatabase = false;
  for (const [database, db] of checks) {
    const who = await whoAmI(db, database);
    const report = await findMissingPrivileges(db, plan, database);
    reports.set(database, report);
    const foreign = report.missingRelations.filter((name) => !isBotRelation(name));
    if (foreign.length > 0) {
      problems.push(
        `${SOURCES[database]} points at database "${who.name}", which is not the one the bot maps: ${list(foreign)} ${foreign.length === 1 ? 'does' : 'do'} not exist.`,
      );
    }
    if (report.missingPrivileges.length > 0) {
      problems.push(`The role "${who.role}" on ${SOURCES[database]} lacks ${list(report.missingPrivileges)}. Grant what \`npm run db:grants\` prints.`);
    }
    wrongDatabase ||= foreign.length > 0;
  }
  // Against the wrong database, whatever the bot schema says is noise.
  if (wrongDatabase) throw new DatabaseNotReadyError(summary(problems));

  const atmosphere = reports.get('atmosphere')!;
  const migrationsTable = `${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`;
  const canReadMigrations = !atmosphere.missingRelations.includes(migrationsTable) && !atmosphere.missingPrivileges.includes(`SELECT on ${migrationsTable}`);
  const botRelations = atmosphere.missingRelations.filter(isBotRelation);
  const state = canReadMigrations ? await checkBotSchema(dbs.atmosphere) : atmosphere.missingRelations.includes(migrationsTable) ? ({ state: 'absent' } as const) : null;
  if (state?.state === 'absent') problems.push(`The bot's schema ${MIGRATIONS_SCHEMA} has no migrations applied: ${MIGRATE_HINT}.`);
  if (state?.state === 'behind') problems.push(`The bot's schema ${MIGRATIONS_SCHEMA} lacks ${state.pending.length} migration(s) of this release (${list(state.pending)}): ${MIGRATE_HINT}.`);
  if (state?.state === 'differs') {
    problems.push(
      `The bot's schema ${MIGRATIONS_SCHEMA} recorded migration(s) ${list(state.tags)} with contents other than this release's files: the database was migrated by a different build. Deploy the release that migrated it, or restore the files.`,
    );
  }
  if (state?.state === 'current' && botRelations.length > 0) {
    problems.push(`The bot's schema ${MIGRATIONS_SCHEMA} is migrated but ${list(botRelations)} ${botRelations.length === 1 ? 'is' : 'are'} missing: ${MIGRATE_HINT}.`);
  }
  if (state?.state === 'ahead') {
    log.warn({ applied: state.applied, newer: state.newer }, `the ${MIGRATIONS_SCHEMA} schema holds migrations newer than this release; running anyway (a later release migrated it)`);
  }
  if (problems.length > 0) throw new DatabaseNotReadyError(summary(problems));
}

function summary(problems: readonly string[]): string {
  return `The databases are not ready for the bot; nothing was written:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`;
}
