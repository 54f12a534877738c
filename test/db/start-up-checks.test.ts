import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { createMemoryLogger } from '../../src/logger.js';
import { startBot } from '../../src/start-bot.js';
import { migrateBotSchema } from '../../src/db/migrate.js';
import { DatabaseNotReadyError } from '../../src/db/verify-databases.js';
import { rowsOf } from '../../src/db/rows-of.js';
import type { Database } from '../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { createRuntimeRole, type RuntimeRole } from '../support/runtime-role.js';
import { createFreshDatabase } from '../jobs/fresh-postgres.js';

const adminUrl = process.env.TEST_DATABASE_URL;

/** The variables of a production start, without chat platforms or jobs. */
function env(databaseUrl: string, troposphereUrl?: string | null): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    ...(troposphereUrl ? { TROPOSPHERE_DATABASE_URL: troposphereUrl } : {}),
    PORT: '0',
    HOST: '127.0.0.1',
    CONSOLE: 'off',
    JOBS: 'false',
  };
}

/** Starts the real composition root and returns the error it refused with. */
async function refusal(variables: Record<string, string>): Promise<DatabaseNotReadyError> {
  const { log } = createMemoryLogger('debug');
  const error: unknown = await startBot(loadConfig(variables), log).then(
    async (bot) => {
      await bot.stop();
      return null;
    },
    (failure: unknown) => failure,
  );
  if (!(error instanceof DatabaseNotReadyError)) throw new Error(`expected a DatabaseNotReadyError, got ${String(error)}`);
  return error;
}

async function scalar(db: Database, query: ReturnType<typeof sql>): Promise<unknown> {
  return rowsOf(await db.execute(query))[0]?.['value'];
}

/** What start-up could have written: the bot's schema, its migrations, audit rows, job elections. */
async function botFootprint(db: Database) {
  const schema = await scalar(db, sql`select to_regnamespace('atmobot') is not null as value`);
  if (schema !== true) return { schema: false };
  const count = async (table: string) => Number(await scalar(db, sql.raw(`select count(*) as value from atmobot.${table}`)));
  return {
    schema: true,
    migrations: await count('__drizzle_migrations'),
    audit: await count('audit_log'),
    jobRuns: await count('job_run'),
    decisions: await count('decision'),
  };
}

describe.skipIf(!adminUrl)('start-up against the wrong database or with too few rights (real Postgres)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function database(): Promise<TestDatabase> {
    const created = await createTestDatabase('postgres', { troposphere: true, demo: true });
    cleanups.push(() => created.drop());
    return created;
  }
  async function role(db: TestDatabase, keep?: (statement: string) => boolean): Promise<RuntimeRole> {
    const created = await createRuntimeRole(db, keep);
    // After the databases holding its grants are gone (cleanups run in reverse).
    cleanups.unshift(() => created.drop());
    return created;
  }

  it('refuses an empty database, naming the missing Atmosphere tables, and creates nothing in it', async () => {
    const empty = await createFreshDatabase(adminUrl!);
    cleanups.push(() => empty.drop());
    const error = await refusal(env(empty.url));
    expect(error.message).toContain("Atmosphere's database (DATABASE_URL) points at database");
    expect(error.message).toContain('which is not the one the bot maps');
    expect(error.message).toMatch(/public\.allocation_source, .* and \d+ more do not exist/);
    expect(error.message).toContain('nothing was written');
    const client = new pg.Client({ connectionString: empty.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ count: string }>("select count(*) from pg_namespace where nspname = 'atmobot'");
      expect(rows[0]!.count).toBe('0');
    } finally {
      await client.end();
    }
  });

  it('refuses a database that does not exist with the Postgres error', async () => {
    const url = new URL(adminUrl!);
    url.pathname = '/atmobot_no_such_database';
    const error = await refusal(env(url.toString()));
    expect(error.message).toBe(`Cannot use Atmosphere's database (DATABASE_URL): database "atmobot_no_such_database" does not exist`);
  });

  it('refuses Troposphere\'s database given as Atmosphere\'s, and Atmosphere\'s as Troposphere\'s', async () => {
    const db = await database();
    await migrateBotSchema(db.atmosphere);
    const swapped = await refusal(env(db.troposphereUrl!, db.url));
    expect(swapped.message).toMatch(/Atmosphere's database \(DATABASE_URL\) points at database "atmobot_t_\w+_tropo", which is not the one the bot maps/);
    expect(swapped.message).toMatch(/Troposphere's database \(TROPOSPHERE_DATABASE_URL\) points at database "atmobot_t_\w+", which is not the one the bot maps: public\.api_maintenancerecord, public\.maintenance_notice, public\.api_maintenancerecord_id_seq do not exist\./);
  });

  it('refuses an Atmosphere database whose bot schema was never migrated, and does not migrate it', async () => {
    const db = await database();
    const error = await refusal(env(db.url!, db.troposphereUrl));
    expect(error.message).toContain('The bot\'s schema atmobot has no migrations applied: run `npm run db:migrate` with an owner role');
    expect(await botFootprint(db.atmosphere.db)).toEqual({ schema: false });
  });

  it('refuses a schema one migration behind this release, naming it, and applies nothing', async () => {
    const db = await database();
    await migrateBotSchema(db.atmosphere);
    await db.atmosphere.db.execute(sql`delete from atmobot.__drizzle_migrations where created_at = (select max(created_at) from atmobot.__drizzle_migrations)`);
    const before = await botFootprint(db.atmosphere.db);
    const error = await refusal(env(db.url!, db.troposphereUrl));
    expect(error.message).toMatch(/lacks 1 migration\(s\) of this release \(0\d{3}_[\w-]+\): run `npm run db:migrate`/);
    expect(await botFootprint(db.atmosphere.db)).toEqual(before);
  });

  it('refuses a role with too few rights, listing each missing grant, before writing anything', async () => {
    const db = await database();
    await migrateBotSchema(db.atmosphere);
    const limited = await role(
      db,
      (statement) =>
        !statement.startsWith('GRANT SELECT ON TABLE public.resource_request ') &&
        !statement.includes('public.maintenance_record_id_seq') &&
        !statement.includes('atmobot.audit_log ') &&
        !statement.includes('public.api_maintenancerecord '),
    );
    const before = await botFootprint(db.atmosphere.db);
    const error = await refusal(env(limited.atmosphereUrl, limited.troposphereUrl));
    expect(error.message).toContain(
      `The role "${limited.name}" on Atmosphere's database (DATABASE_URL) lacks SELECT on public.resource_request, SELECT on atmobot.audit_log, INSERT on atmobot.audit_log, UPDATE on atmobot.audit_log, DELETE on atmobot.audit_log, USAGE on sequence public.maintenance_record_id_seq. Grant what \`npm run db:grants\` prints.`,
    );
    expect(error.message).toContain(
      `The role "${limited.name}" on Troposphere's database (TROPOSPHERE_DATABASE_URL) lacks SELECT on public.api_maintenancerecord, INSERT on public.api_maintenancerecord, UPDATE (end_date) on public.api_maintenancerecord, UPDATE (modified_date) on public.api_maintenancerecord, DELETE on public.api_maintenancerecord. Grant what \`npm run db:grants\` prints.`,
    );
    expect(await botFootprint(db.atmosphere.db)).toEqual(before);
    expect(before).toMatchObject({ audit: 0, jobRuns: 0, decisions: 0 });
  });

  it('starts with exactly the printed grants', async () => {
    const db = await database();
    await migrateBotSchema(db.atmosphere);
    const exact = await role(db);
    const { log } = createMemoryLogger('debug');
    const bot = await startBot(loadConfig(env(exact.atmosphereUrl, exact.troposphereUrl)), log);
    try {
      expect(await scalar(bot.deps.db, sql`select current_user as value`)).toBe(exact.name);
    } finally {
      await bot.stop();
    }
  });
});
