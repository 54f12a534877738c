import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, desc, eq, getTableColumns, is, isNull, sql } from 'drizzle-orm';
import { PgTable, getTableConfig, integer, numeric, pgTable, serial, text, timestamp, uuid, varchar, type PgColumn } from 'drizzle-orm/pg-core';
import * as atmosphereSchema from '../../src/db/atmosphere-schema.js';
import * as troposphereSchema from '../../src/db/troposphere-schema.js';
import { apiMaintenanceRecord } from '../../src/db/troposphere-schema.js';
import {
  atmosphereUser,
  instance,
  instanceStatus,
  instanceStatusHistory,
  machineRequest,
  quota,
  resourceRequest,
  statusType,
} from '../../src/db/atmosphere-schema.js';
import type { Database } from '../../src/db/client.js';
import { DEMO_ERRORS, demoUuid, seedDemoData } from '../../src/db/demo-data.js';
import { loadAtmosphereSchema, loadTroposphereSchema, neutraliseSearchPath } from '../../src/db/load-schema.js';
import { TEST_NOW, createTestDatabase, dbKinds, type TestDatabase } from '../support/databases.js';

const HOUR = 3_600_000;

/** Both drivers' raw results carry `rows`; the shared Database type cannot say so. */
function rowsOf(result: unknown): Record<string, unknown>[] {
  if (typeof result !== 'object' || result === null || !('rows' in result) || !Array.isArray(result.rows)) throw new Error('no rows in result');
  return result.rows.filter((row): row is Record<string, unknown> => typeof row === 'object' && row !== null);
}

function tablesOf(module: Record<string, unknown>): PgTable[] {
  return Object.values(module).filter((value): value is PgTable => is(value, PgTable));
}

const atmosphereTables = tablesOf(atmosphereSchema);
const troposphereTables = tablesOf(troposphereSchema);

interface ActualColumn {
  type: string;
  nullable: boolean;
  hasDefault: boolean;
}

/** `information_schema.columns` of schema `public`, as `table -> column -> type`. */
async function describePublic(db: Database): Promise<Map<string, Map<string, ActualColumn>>> {
  const rows = rowsOf(await db.execute(sql`
    select table_name, column_name, data_type, character_maximum_length::int as length,
           numeric_precision::int as precision, numeric_scale::int as scale, is_nullable, column_default
    from information_schema.columns where table_schema = 'public'`));
  const tables = new Map<string, Map<string, ActualColumn>>();
  for (const row of rows) {
    const table = String(row.table_name);
    let type = String(row.data_type);
    if (type === 'character varying') type += `(${String(row.length)})`;
    if (type === 'numeric') type += `(${String(row.precision)},${String(row.scale)})`;
    const columns = tables.get(table) ?? new Map<string, ActualColumn>();
    columns.set(String(row.column_name), { type, nullable: row.is_nullable === 'YES', hasDefault: row.column_default !== null });
    tables.set(table, columns);
  }
  return tables;
}

/** The Postgres type a mapped column stands for, spelt as information_schema spells it. */
function mappedType(column: PgColumn): string {
  const type = column.getSQLType();
  if (type === 'serial') return 'integer';
  return type.replace(/^varchar/, 'character varying').replace(/,\s+/g, ',');
}

/** Every difference between the mapping and the real tables; empty when they agree. */
function mappingMismatches(tables: PgTable[], actual: Map<string, Map<string, ActualColumn>>): string[] {
  const problems: string[] = [];
  for (const table of tables) {
    const config = getTableConfig(table);
    const real = actual.get(config.name);
    if (!real) {
      problems.push(`${config.name}: no such table`);
      continue;
    }
    for (const column of config.columns) {
      const where = `${config.name}.${column.name}`;
      const found = real.get(column.name);
      if (!found) {
        problems.push(`${where}: no such column`);
        continue;
      }
      if (mappedType(column) !== found.type) problems.push(`${where}: mapped ${mappedType(column)}, real ${found.type}`);
      if (column.notNull === found.nullable) problems.push(`${where}: mapped ${column.notNull ? 'NOT NULL' : 'NULL'}, real ${found.nullable ? 'NULL' : 'NOT NULL'}`);
      // Django puts no DEFAULT in the database: only serial ids have one, and only they may be mapped as serial.
      const isSerial = column.getSQLType() === 'serial';
      if (isSerial !== found.hasDefault) problems.push(`${where}: mapped ${isSerial ? 'serial' : 'without default'}, real ${found.hasDefault ? 'has a default' : 'has no default'}`);
    }
    const mapped = new Set(config.columns.map((column) => column.name));
    for (const name of real.keys()) if (!mapped.has(name)) problems.push(`${config.name}.${name}: not mapped`);
  }
  return problems;
}

describe('the Drizzle mapping of Atmosphere and Troposphere', () => {
  it('maps exactly the agreed tables, with camelCase keys and date-mode timestamps', () => {
    expect(atmosphereTables.map((table) => getTableConfig(table).name).sort()).toEqual(
      [
        'allocation_source', 'allocation_source_snapshot', 'application', 'application_version', 'atmosphere_user', 'atmosphere_user_groups', 'auth_group', 'cloud_administrator', 'group',
        'group_members', 'identity', 'identity_membership', 'instance', 'instance_source', 'instance_status', 'instance_status_history',
        'machine_request', 'maintenance_record', 'platform_type', 'project', 'provider', 'provider_machine', 'provider_type', 'quota',
        'resource_request', 'size', 'status_type', 'user_allocation_snapshot', 'user_allocation_source', 'volume',
      ].sort(),
    );
    expect(troposphereTables.map((table) => getTableConfig(table).name).sort()).toEqual(['api_maintenancerecord', 'maintenance_notice']);
    const camel = (name: string) => name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
    for (const [exportName, value] of Object.entries({ ...atmosphereSchema, ...troposphereSchema })) {
      if (!is(value, PgTable)) continue;
      const config = getTableConfig(value);
      if (config.name !== 'api_maintenancerecord') expect(exportName).toBe(camel(config.name));
      for (const column of config.columns) {
        const key = Object.entries(getTableColumns(value)).find(([, c]) => c === column)?.[0];
        expect(key, `${config.name}.${column.name}`).toBe(camel(column.name));
        if (column.getSQLType().startsWith('timestamp')) expect(column.columnType, `${config.name}.${column.name}`).toBe('PgTimestamp');
      }
    }
  });

  it('keeps the Django-owned tables out of the bot migrations', () => {
    const folder = new URL('../../drizzle/', import.meta.url);
    const migrations = readdirSync(folder).filter((file) => file.endsWith('.sql')).map((file) => readFileSync(new URL(file, folder), 'utf8'));
    for (const table of [...atmosphereTables, ...troposphereTables]) {
      const name = getTableConfig(table).name;
      for (const migration of migrations) expect(migration).not.toMatch(new RegExp(`CREATE TABLE (IF NOT EXISTS )?("public"\\.)?"${name}"`, 'i'));
    }
  });

  it('drops the search_path reset of pg_dump scripts and nothing else', () => {
    const script = "SELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE public.t (id integer);\nSET search_path = '';\n";
    expect(neutraliseSearchPath(script)).toBe('CREATE TABLE public.t (id integer);\n');
  });
});

describe.each(dbKinds())('the real schema on %s', (kind) => {
  let test: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    test = await createTestDatabase(kind, { troposphere: true, demo: true, now: TEST_NOW });
    db = test.atmosphere.db;
  });
  afterAll(async () => {
    await test?.drop();
  });

  it('matches every mapped Atmosphere table and column: type, length, precision, nullability', async () => {
    expect(mappingMismatches(atmosphereTables, await describePublic(db))).toEqual([]);
  });

  it('matches every mapped Troposphere table and column', async () => {
    expect(mappingMismatches(troposphereTables, await describePublic(test.troposphere!.db))).toEqual([]);
  });

  it('catches a table mapped with wrong types, lengths, nullability and missing columns', async () => {
    const wrongUser = pgTable('atmosphere_user', {
      id: serial('id').primaryKey(),
      username: varchar('username', { length: 255 }).notNull(),
      email: text('email').notNull(),
      endDate: timestamp('end_date', { withTimezone: false }),
      uuid: uuid('uuid'),
      nickname: text('nickname'),
    });
    const wrongSource = pgTable('instance_source', { id: integer('id').primaryKey(), sizeBytes: numeric('size_bytes', { precision: 12, scale: 2 }).notNull() });
    const problems = mappingMismatches([wrongUser, wrongSource, pgTable('no_such_table', { id: serial('id') })], await describePublic(db));
    expect(problems).toEqual(
      expect.arrayContaining([
        'atmosphere_user.username: mapped character varying(255), real character varying(256)',
        'atmosphere_user.email: mapped text, real character varying(254)',
        'atmosphere_user.end_date: mapped timestamp, real timestamp with time zone',
        'atmosphere_user.uuid: mapped NULL, real NOT NULL',
        'atmosphere_user.nickname: no such column',
        'atmosphere_user.is_staff: not mapped',
        'instance_source.id: mapped without default, real has a default',
        'instance_source.size_bytes: mapped numeric(12,2), real numeric(14,0)',
        'no_such_table: no such table',
      ]),
    );
  });

  it('loads each schema once: a second load is a no-op', async () => {
    await loadAtmosphereSchema(test.atmosphere);
    await loadTroposphereSchema(test.troposphere!);
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(atmosphereUser);
    expect(row?.n).toBe(10);
  });

  it('joins resource requests to their status and requester by status name', async () => {
    const pending = await db
      .select({ username: atmosphereUser.username, request: resourceRequest.request, startDate: resourceRequest.startDate, endDate: resourceRequest.endDate })
      .from(resourceRequest)
      .innerJoin(statusType, eq(statusType.id, resourceRequest.statusId))
      .innerJoin(atmosphereUser, eq(atmosphereUser.id, resourceRequest.createdById))
      .where(eq(statusType.name, 'pending'))
      .orderBy(desc(resourceRequest.startDate));
    expect(pending.map((row) => row.username)).toEqual(['jsmith', 'alee2', 'alee', 'rnguyen', 'tgarcia']);
    expect(pending[0]).toMatchObject({ request: 'cpu: 32, memory: 128 GB for a genomics workshop', startDate: new Date(TEST_NOW.getTime() - 3 * HOUR), endDate: null });
    expect(pending.every((row) => row.endDate === null)).toBe(true);

    const closedWithoutEnd = await db
      .select({ id: resourceRequest.id })
      .from(resourceRequest)
      .innerJoin(statusType, eq(statusType.id, resourceRequest.statusId))
      .where(and(sql`${statusType.name} in ('denied', 'closed')`, isNull(resourceRequest.endDate)));
    expect(closedWithoutEnd).toEqual([]);
  });

  it('has one status_type row per name, with ids that do not follow the alphabet', async () => {
    const rows = await db.select({ id: statusType.id, name: statusType.name }).from(statusType).orderBy(asc(statusType.id));
    const names = rows.map((row) => row.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['pending', 'approved', 'denied', 'closed', 'started', 'processing', 'validating', 'completed', 'failed', 'created']));
    expect(names).not.toEqual([...names].sort());
  });

  it('gives every instance exactly one open history row, which is its newest', async () => {
    const open = await db
      .select({ instanceId: instanceStatusHistory.instanceId, n: sql<number>`count(*)::int` })
      .from(instanceStatusHistory)
      .where(isNull(instanceStatusHistory.endDate))
      .groupBy(instanceStatusHistory.instanceId);
    const instances = await db.select({ id: instance.id }).from(instance);
    expect(open.length).toBe(instances.length);
    expect(open.every((row) => row.n === 1)).toBe(true);

    const newest = await db
      .selectDistinctOn([instanceStatusHistory.instanceId], {
        name: instance.name,
        status: instanceStatus.name,
        activity: instanceStatusHistory.activity,
        startDate: instanceStatusHistory.startDate,
        endDate: instanceStatusHistory.endDate,
        extra: instanceStatusHistory.extra,
        ipAddress: instance.ipAddress,
      })
      .from(instanceStatusHistory)
      .innerJoin(instance, eq(instance.id, instanceStatusHistory.instanceId))
      .innerJoin(instanceStatus, eq(instanceStatus.id, instanceStatusHistory.statusId))
      .orderBy(instanceStatusHistory.instanceId, desc(instanceStatusHistory.startDate));
    const byName = new Map(newest.map((row) => [row.name, row]));
    expect(newest.every((row) => row.endDate === null)).toBe(true);
    expect(byName.get('blast-runner')).toMatchObject({ status: 'networking', activity: 'networking', ipAddress: '128.196.64.88' });
    expect(TEST_NOW.getTime() - byName.get('blast-runner')!.startDate.getTime()).toBeGreaterThan(4 * HOUR);
    expect(TEST_NOW.getTime() - byName.get('intro-to-linux')!.startDate.getTime()).toBeLessThan(20 * 60_000);
    expect(byName.get('thesis-sim-02')).toMatchObject({ status: 'deploying' });
    expect(byName.get('docker-dev')).toMatchObject({ status: 'deploy_error', activity: 'deploy_error' });
    expect(byName.get('docker-dev')!.extra).toEqual({ display_error: expect.stringContaining('Deployment failed'), traceback: expect.stringContaining('Traceback') });
    expect(byName.get('gpu-test')).toMatchObject({ status: 'error', ipAddress: null, extra: null });
    expect(byName.get('staff-test-18.04')).toMatchObject({ status: 'active', activity: null });
    expect(new Set(newest.map((row) => row.status))).toEqual(new Set(['active', 'networking', 'deploying', 'deploy_error', 'suspended', 'shutoff', 'error']));
  });

  it('has exactly two active accounts whose e-mails collide ignoring case, and jsmith alone on his', async () => {
    const rows = rowsOf(await db.execute(sql`
      select lower(${atmosphereUser.email}) as email, array_agg(${atmosphereUser.username} order by ${atmosphereUser.username}) as usernames
      from ${atmosphereUser}
      where ${atmosphereUser.isActive} and ${atmosphereUser.endDate} is null
      group by lower(${atmosphereUser.email}) having count(*) > 1`));
    expect(rows).toEqual([{ email: 'a.lee@example.edu', usernames: ['alee', 'alee2'] }]);
    const jsmith = await db.select().from(atmosphereUser).where(sql`lower(${atmosphereUser.email}) = 'jsmith@example.edu'`);
    expect(jsmith.map((row) => row.username)).toEqual(['jsmith']);
    expect(jsmith[0]!.uuid).toBe(demoUuid('user:jsmith'));
    const staff = await db.select({ username: atmosphereUser.username, isSuperuser: atmosphereUser.isSuperuser }).from(atmosphereUser).where(eq(atmosphereUser.isStaff, true)).orderBy(atmosphereUser.username);
    expect(staff).toEqual([{ username: 'kpatel', isSuperuser: true }, { username: 'mdelgado', isSuperuser: false }]);
    const disabled = await db.select({ username: atmosphereUser.username }).from(atmosphereUser).where(sql`${atmosphereUser.endDate} is not null`);
    expect(disabled).toEqual([{ username: 'bokafor' }]);
  });

  it('has imaging requests in every state, the errored ones recognisable by Troposphere\'s rule', async () => {
    const rows = await db
      .select({ name: machineRequest.newApplicationName, status: statusType.name, oldStatus: machineRequest.oldStatus, startDate: machineRequest.startDate, endDate: machineRequest.endDate, newMachineId: machineRequest.newMachineId })
      .from(machineRequest)
      .innerJoin(statusType, eq(statusType.id, machineRequest.statusId));
    const errored = rows.filter((row) => /ERROR|Traceback|Exception/.test(row.oldStatus ?? ''));
    expect(errored.map((row) => row.oldStatus).sort()).toEqual(Object.values(DEMO_ERRORS).sort());
    expect(errored.find((row) => row.oldStatus === DEMO_ERRORS.maxInstances)?.status).toBe('validating');
    expect(DEMO_ERRORS.maxInstances).toMatch(/^\(validating\) - ERROR - .*Maximum number of instances exceeded/);
    expect(DEMO_ERRORS.noneTypeId).toMatch(/^\(processing - [0-9a-f-]{36}\) - ERROR - AttributeError\("'NoneType' object has no attribute 'id'",\) Exception:'Traceback/);
    expect(DEMO_ERRORS.serverRef).toMatch(/^\(processing - [0-9a-f-]{36}\) - ERROR - .*serverRef.*does not exist/);
    expect(DEMO_ERRORS.nbdMissing).toMatch(/^\(pending\) - ERROR - .*\/dev\/nbd/);
    expect(DEMO_ERRORS.legacyImaging).toMatch(/^\(imaging\) Exception/);

    const healthy = rows.filter((row) => !errored.includes(row));
    const started = healthy.filter((row) => row.status === 'started');
    expect(started.map((row) => [row.oldStatus, (TEST_NOW.getTime() - row.startDate.getTime()) / HOUR]).sort()).toEqual([
      ['pending', 50 / 60],
      ['pending', 30],
    ]);
    expect(healthy.find((row) => row.status === 'processing')?.oldStatus).toMatch(/^processing - [0-9a-f-]{36}$/);
    expect(healthy.filter((row) => row.status === 'pending').length).toBe(3);
    const completed = healthy.filter((row) => row.status === 'completed');
    expect(completed.length).toBe(2);
    expect(completed.every((row) => row.endDate !== null && row.newMachineId !== null)).toBe(true);
  });

  it('takes inserts through the mapping with only what a user supplies, on the sequences the seed left', async () => {
    const [user] = await db.insert(atmosphereUser).values({ username: 'newcomer', password: '!unusable' }).returning();
    expect(user).toMatchObject({ username: 'newcomer', email: '', isStaff: false, isActive: true, endDate: null });
    const pending = await db.select({ id: statusType.id }).from(statusType).where(eq(statusType.name, 'pending'));
    const [request] = await db
      .insert(resourceRequest)
      .values({ request: 'cpu: 4', description: 'first instance', createdById: user!.id, statusId: pending[0]!.id })
      .returning();
    expect(request).toMatchObject({ adminMessage: '', endDate: null });
    const [shared] = await db.insert(quota).values({ cpu: 8, memory: 32 }).returning();
    expect(shared?.uuid).toMatch(/^[0-9a-f-]{36}$/);

    const [record] = await test.troposphere!.db.insert(apiMaintenanceRecord).values({ startDate: TEST_NOW, title: 'v37-5 Deployment', message: 'Atmosphere is down for a Scheduled Maintenance' }).returning();
    expect(record).toMatchObject({ disableLogin: true, endDate: null });
    expect(record!.createdDate).toBeInstanceOf(Date);
  });

  it('seeds only an empty database', async () => {
    const count = async () => (await db.select({ n: sql<number>`count(*)::int` }).from(machineRequest))[0]?.n;
    const before = await count();
    await seedDemoData(db, new Date(TEST_NOW.getTime() + 24 * HOUR));
    expect(await count()).toBe(before);
  });
});
