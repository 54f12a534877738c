import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { migrateBotSchema } from '../../src/db/migrate.js';
import { SECRET_COLUMNS } from '../../src/db/privileges/secret-columns.js';
import { findUserByUsername } from '../../src/db/queries/users.js';
import { openPostgres, type DatabaseHandle } from '../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { createRuntimeRole, type RuntimeRole } from '../support/runtime-role.js';

const CREDENTIAL_TABLES = [
  'credential',
  'provider_credential',
  'access_token',
  'django_cyverse_auth_token',
  'django_cyverse_auth_accesstoken',
  'django_cyverse_auth_userproxy',
  'ssh_key',
];

/** The Postgres error of a query, or null when it succeeded. */
async function failure(client: pg.Client, query: string): Promise<string | null> {
  return client.query(query).then(
    () => null,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('what the runtime role cannot read (real Postgres)', () => {
  let database: TestDatabase;
  let role: RuntimeRole;
  let client: pg.Client;
  let roleHandle: DatabaseHandle;

  beforeAll(async () => {
    database = await createTestDatabase('postgres', { troposphere: true, demo: true });
    await migrateBotSchema(database.atmosphere);
    role = await createRuntimeRole(database);
    client = new pg.Client({ connectionString: role.atmosphereUrl });
    await client.connect();
    roleHandle = openPostgres(role.atmosphereUrl, { max: 1 });
  });
  afterAll(async () => {
    await client?.end();
    await roleHandle?.close();
    await database?.drop();
    await role?.drop();
  });

  it('cannot read any credential or token table', async () => {
    for (const table of CREDENTIAL_TABLES) {
      expect(await failure(client, `select * from public.${table} limit 1`), table).toBe(`permission denied for table ${table}`);
    }
  });

  it('cannot read any table of Atmosphere\'s schema that the bot does not map', async () => {
    const { rows } = await client.query<{ table: string; readable: boolean }>(
      `select c.relname as table, has_table_privilege(c.oid, 'SELECT') or exists (
         select 1 from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and has_column_privilege(c.oid, a.attnum, 'SELECT')
       ) as readable
       from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r' order by 1`,
    );
    const readable = rows.filter((row) => row.readable).map((row) => row.table);
    expect(rows.length).toBeGreaterThan(80);
    expect(readable).toEqual([
      'allocation_source', 'allocation_source_snapshot', 'application', 'application_version', 'atmosphere_user', 'atmosphere_user_groups', 'auth_group', 'cloud_administrator', 'group',
      'group_members', 'identity', 'identity_membership', 'instance', 'instance_source', 'instance_status', 'instance_status_history',
      'machine_request', 'maintenance_record', 'platform_type', 'project', 'provider', 'provider_machine', 'provider_type', 'quota',
      'resource_request', 'size', 'status_type', 'user_allocation_snapshot', 'user_allocation_source', 'volume',
    ]);
  });

  it('cannot read the secret columns, not even through select *, yet reads the rest of those tables', async () => {
    for (const column of SECRET_COLUMNS) {
      const table = getTableConfig(column.table).name;
      expect(await failure(client, `select ${column.name} from public.${table} limit 1`), `${table}.${column.name}`).toBe(`permission denied for table ${table}`);
      expect(await failure(client, `select * from public.${table} limit 1`)).toBe(`permission denied for table ${table}`);
    }
    const { rows } = await client.query<{ username: string }>('select username, email, is_staff from public.atmosphere_user order by id limit 1');
    expect(rows).toHaveLength(1);
    // The bot's own user lookup names its columns, so it works as the role.
    expect(await findUserByUsername(roleHandle.db, 'kpatel')).toMatchObject({ username: 'kpatel', isStaff: true });
  });

  it('cannot change Atmosphere\'s tables beyond the maintenance records, nor create anything', async () => {
    expect(await failure(client, `update public.resource_request set admin_message = 'x'`)).toBe('permission denied for table resource_request');
    expect(await failure(client, `delete from public.maintenance_record`)).toBe('permission denied for table maintenance_record');
    expect(await failure(client, `update public.maintenance_record set title = 'x'`)).toBe('permission denied for table maintenance_record');
    expect(await failure(client, `create table public.bot_was_here (id int)`)).toBe('permission denied for schema public');
    expect(await failure(client, `create table atmobot.bot_was_here (id int)`)).toBe('permission denied for schema atmobot');
    expect(await failure(client, `create schema bot_was_here`)).toMatch(/permission denied for database/);
  });
});
