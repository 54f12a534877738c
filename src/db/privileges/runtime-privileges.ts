import { getTableConfig, PgTable, type PgColumn } from 'drizzle-orm/pg-core';
import * as atmosphereTables from '../atmosphere-schema.js';
import * as troposphereTables from '../troposphere-schema.js';
import * as botTables from '../bot-schema/index.js';
import { MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from '../migrations-location.js';
import { SECRET_COLUMNS } from './secret-columns.js';

/** The two databases the bot connects to: DATABASE_URL and TROPOSPHERE_DATABASE_URL. */
export type DatabaseName = 'atmosphere' | 'troposphere';

/** Every privilege the runtime role needs on one table. Column lists make a privilege column-level. */
export interface TableGrant {
  database: DatabaseName;
  schema: string;
  table: string;
  /** `table` for the whole table; otherwise SELECT on exactly these columns (the rest hold secrets). */
  select: 'table' | readonly string[];
  insert: boolean;
  /** `table` for every column, a column list, or none. */
  update: 'table' | readonly string[];
  delete: boolean;
}

/** USAGE on a sequence behind a serial column the bot inserts into (nextval needs it). */
export interface SequenceGrant {
  database: DatabaseName;
  schema: string;
  table: string;
  column: string;
  /** Postgres's name for a serial column's sequence: `<table>_<column>_seq`. */
  sequence: string;
}

export interface RuntimePrivileges {
  schemas: readonly { database: DatabaseName; schema: string }[];
  tables: readonly TableGrant[];
  sequences: readonly SequenceGrant[];
}

/**
 * What the bot writes in Atmosphere's and Troposphere's own tables, and nothing else: the maintenance
 * records `manage.py maintenance` writes (src/db/queries/maintenance.ts). Atmosphere's side is only
 * inserted and its end date moved (a failed start rolls back in its transaction); Troposphere's side is
 * also deleted and restored, to put it back when Atmosphere's side fails after it committed
 * (src/handlers/maintenance/apply-maintenance.ts).
 */
const DJANGO_TABLE_WRITES: readonly { database: DatabaseName; table: PgTable; update: readonly PgColumn[]; delete: boolean }[] = [
  { database: 'atmosphere', table: atmosphereTables.maintenanceRecord, update: [atmosphereTables.maintenanceRecord.endDate], delete: false },
  {
    database: 'troposphere',
    table: troposphereTables.apiMaintenanceRecord,
    update: [troposphereTables.apiMaintenanceRecord.endDate, troposphereTables.apiMaintenanceRecord.modifiedDate],
    delete: true,
  },
];

const SERIAL_TYPES = new Set(['PgSerial', 'PgSmallSerial', 'PgBigSerial53', 'PgBigSerial64']);

/** The tables a schema module exports, by name: the printed order must not depend on the module loader. */
function tablesOf(module: Record<string, unknown>): PgTable[] {
  return Object.values(module)
    .filter((value): value is PgTable => value instanceof PgTable)
    .map((table) => ({ table, name: getTableConfig(table).name }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((entry) => entry.table);
}

function serialSequences(database: DatabaseName, table: PgTable): SequenceGrant[] {
  const config = getTableConfig(table);
  const schema = config.schema ?? 'public';
  return config.columns
    .filter((column) => SERIAL_TYPES.has(column.columnType))
    .map((column) => ({ database, schema, table: config.name, column: column.name, sequence: `${config.name}_${column.name}_seq` }));
}

/** Django's tables: SELECT on each mapped table, column-level where the table holds a secret. */
function djangoTableGrant(database: DatabaseName, table: PgTable): TableGrant {
  const config = getTableConfig(table);
  const secrets = new Set(SECRET_COLUMNS.filter((column) => column.table === table).map((column) => column.name));
  const writes = DJANGO_TABLE_WRITES.find((entry) => entry.table === table);
  return {
    database,
    schema: config.schema ?? 'public',
    table: config.name,
    select: secrets.size === 0 ? 'table' : config.columns.map((column) => column.name).filter((name) => !secrets.has(name)),
    insert: writes !== undefined,
    update: writes ? writes.update.map((column) => column.name) : [],
    delete: writes?.delete ?? false,
  };
}

/**
 * The exact privileges of the bot's runtime role, derived from the Drizzle mapping: SELECT on the
 * tables the bot maps (never the credential and token tables, which are not mapped, and never the
 * secret columns of mapped ones), the maintenance writes, and the bot's own `atmobot` schema, whose
 * migrations table it only reads to check that the schema is current. `npm run db:grants` prints
 * these as GRANT statements; start-up checks them with has_*_privilege before anything is written.
 */
export function runtimePrivileges(): RuntimePrivileges {
  const tables: TableGrant[] = [
    ...tablesOf(atmosphereTables).map((table) => djangoTableGrant('atmosphere', table)),
    ...tablesOf(troposphereTables).map((table) => djangoTableGrant('troposphere', table)),
    ...tablesOf(botTables).map((table): TableGrant => {
      const config = getTableConfig(table);
      return { database: 'atmosphere', schema: config.schema ?? 'public', table: config.name, select: 'table', insert: true, update: 'table', delete: true };
    }),
    { database: 'atmosphere', schema: MIGRATIONS_SCHEMA, table: MIGRATIONS_TABLE, select: 'table', insert: false, update: [], delete: false },
  ];
  const sequences = [
    ...DJANGO_TABLE_WRITES.map((entry) => serialSequences(entry.database, entry.table)),
    ...tablesOf(botTables).map((table) => serialSequences('atmosphere', table)),
  ].flat();
  const schemas = [
    { database: 'atmosphere' as const, schema: 'public' },
    { database: 'atmosphere' as const, schema: MIGRATIONS_SCHEMA },
    { database: 'troposphere' as const, schema: 'public' },
  ];
  return { schemas, tables, sequences };
}
