import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { grantScript, quoteIdentifier } from '../../src/db/privileges/grant-script.js';
import { runtimePrivileges } from '../../src/db/privileges/runtime-privileges.js';
import { SECRET_COLUMNS } from '../../src/db/privileges/secret-columns.js';

const privileges = runtimePrivileges();
const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const tablesOf = (database: 'atmosphere' | 'troposphere', schema = 'public') =>
  privileges.tables.filter((grant) => grant.database === database && grant.schema === schema);

/** Every `CREATE TABLE public.x (` of a pg_dump script with its column names. */
function dumpedTables(script: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  for (const match of script.matchAll(/^CREATE TABLE public\.("?[\w]+"?) \(\n([\s\S]*?)\n\);/gm)) {
    const columns = match[2]!.split('\n').map((line) => line.trim().split(/\s+/)[0]!.replaceAll('"', ''));
    tables.set(match[1]!.replaceAll('"', ''), columns);
  }
  return tables;
}

describe('the runtime role\'s privileges, from the Drizzle mapping', () => {
  it('the README shows exactly what `npm run db:grants` prints', () => {
    const block = /<!-- db:grants -->\n```sql\n([\s\S]*?)```\n<!-- \/db:grants -->/.exec(read('../../README.md'));
    expect(block, 'README.md needs the db:grants block').not.toBeNull();
    expect(block![1]).toBe(grantScript(privileges, 'atmo_app'));
  });

  it('grants nothing on the credential and token tables of the real schema, and nothing on any table it does not map', () => {
    const real = dumpedTables(read('../../src/db/fixtures/atmosphere-schema.sql'));
    const granted = new Set(tablesOf('atmosphere').map((grant) => grant.table));
    for (const secret of ['credential', 'provider_credential', 'access_token', 'django_cyverse_auth_token', 'django_cyverse_auth_accesstoken', 'ssh_key']) {
      expect(real.has(secret), `${secret} is in the real schema`).toBe(true);
      expect(granted.has(secret), `${secret} must get no grant`).toBe(false);
    }
    // Every granted table exists in the real schema with every column the grant names.
    for (const grant of tablesOf('atmosphere')) {
      const columns = real.get(grant.table);
      expect(columns, `public.${grant.table} exists in Atmosphere's schema`).toBeDefined();
      if (grant.select !== 'table') for (const column of grant.select) expect(columns).toContain(column);
    }
    const script = grantScript(privileges, 'atmo_app');
    for (const table of real.keys()) {
      if (!granted.has(table)) expect(script).not.toMatch(new RegExp(`ON TABLE public\\.("?)${table}\\1 `));
    }
  });

  it('never grants SELECT on a secret column, and every column that looks secret in a mapped table is listed as secret', () => {
    const secretNames = SECRET_COLUMNS.map((column) => `${getTableConfig(column.table).name}.${column.name}`).sort();
    expect(secretNames).toEqual(['atmosphere_user.password', 'instance.password', 'instance.token', 'provider.cloud_config']);
    for (const column of SECRET_COLUMNS) {
      const table = getTableConfig(column.table).name;
      const grant = tablesOf('atmosphere').find((entry) => entry.table === table)!;
      expect(grant.select).not.toBe('table');
      expect(grant.select).not.toContain(column.name);
      // The rest of the table stays readable.
      expect(grant.select.length).toBe(getTableConfig(column.table).columns.length - SECRET_COLUMNS.filter((c) => c.table === column.table).length);
    }
    const real = dumpedTables(read('../../src/db/fixtures/atmosphere-schema.sql'));
    for (const grant of tablesOf('atmosphere')) {
      const readable = grant.select === 'table' ? real.get(grant.table)! : grant.select;
      for (const column of readable) expect(`${grant.table}.${column}`).not.toMatch(/password|token|secret|credential|cloud_config|private_key/);
    }
  });

  it('writes only the maintenance records: Atmosphere insert and end date, Troposphere also delete, with their id sequences', () => {
    const writers = privileges.tables.filter((grant) => grant.schema === 'public' && (grant.insert || grant.delete || grant.update === 'table' || grant.update.length > 0));
    expect(writers.map(({ database, table, insert, update, delete: remove }) => ({ database, table, insert, update, delete: remove }))).toEqual([
      { database: 'atmosphere', table: 'maintenance_record', insert: true, update: ['end_date'], delete: false },
      { database: 'troposphere', table: 'api_maintenancerecord', insert: true, update: ['end_date', 'modified_date'], delete: true },
    ]);
    const publicSequences = privileges.sequences.filter((sequence) => sequence.schema === 'public').map((s) => `${s.database}:${s.sequence}`);
    expect(publicSequences).toEqual(['atmosphere:maintenance_record_id_seq', 'troposphere:api_maintenancerecord_id_seq']);
    // The sequences have these names in the real schemas.
    expect(read('../../src/db/fixtures/atmosphere-schema.sql')).toContain('CREATE SEQUENCE public.maintenance_record_id_seq');
    expect(read('../../src/db/fixtures/troposphere-schema.sql')).toContain('CREATE SEQUENCE public.api_maintenancerecord_id_seq');
  });

  it('covers every table and serial sequence the bot\'s migrations create, and the migrations table read-only', () => {
    const migrations = readdirSync(new URL('../../drizzle/', import.meta.url)).filter((file) => file.endsWith('.sql'));
    const created = migrations.flatMap((file) => [...read(`../../drizzle/${file}`).matchAll(/CREATE TABLE "atmobot"\."(\w+)" \(([\s\S]*?)\n\);/g)]);
    const bot = tablesOf('atmosphere', 'atmobot');
    expect(bot.filter((grant) => grant.table !== '__drizzle_migrations').map((grant) => grant.table).sort()).toEqual(created.map((match) => match[1]).sort());
    for (const grant of bot.filter((entry) => entry.table !== '__drizzle_migrations')) {
      expect(grant).toMatchObject({ select: 'table', insert: true, update: 'table', delete: true });
    }
    expect(bot.find((grant) => grant.table === '__drizzle_migrations')).toMatchObject({ select: 'table', insert: false, update: [], delete: false });
    const serials = created.flatMap((match) => [...match[2]!.matchAll(/"(\w+)" (?:big)?serial/g)].map((column) => `${match[1]}_${column[1]}_seq`));
    expect(privileges.sequences.filter((sequence) => sequence.schema === 'atmobot').map((s) => s.sequence).sort()).toEqual(serials.sort());
  });

  it('quotes reserved and unusual names, so `group` and any role name are valid SQL', () => {
    expect(quoteIdentifier('group')).toBe('"group"');
    expect(quoteIdentifier('resource_request')).toBe('resource_request');
    expect(quoteIdentifier('Atmo-App')).toBe('"Atmo-App"');
    expect(quoteIdentifier('we"ird')).toBe('"we""ird"');
    expect(grantScript(privileges, 'Atmo-App')).toContain('GRANT SELECT ON TABLE public."group" TO "Atmo-App";');
    expect(() => grantScript(privileges, '  ')).toThrow('the role name is empty');
  });
});
