import { MIGRATIONS_SCHEMA } from '../migrations-location.js';
import type { DatabaseName, RuntimePrivileges, TableGrant } from './runtime-privileges.js';

// PostgreSQL's reserved key words (https://www.postgresql.org/docs/current/sql-keywords-appendix.html,
// "reserved" and "reserved (can be function or type)"): as bare names they are syntax errors,
// e.g. Atmosphere's table "group".
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation column ' +
    'concurrently constraint create cross current_catalog current_date current_role current_schema current_time ' +
    'current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign freeze ' +
    'from full grant group having ilike in initially inner intersect into is isnull join lateral leading left like limit ' +
    'localtime localtimestamp natural not notnull null offset on only or order outer overlaps placing primary references ' +
    'returning right select session_user similar some symmetric system_user table tablesample then to trailing true union ' +
    'unique user using variadic verbose when where window with'
  ).split(' '),
);

/** A name as SQL needs it: bare when it is a plain lower-case word, double-quoted otherwise. */
export function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

function tablePrivileges(grant: TableGrant): string {
  const columns = (list: readonly string[]) => `(${list.map(quoteIdentifier).join(', ')})`;
  const parts: string[] = [grant.select === 'table' ? 'SELECT' : `SELECT ${columns(grant.select)}`];
  if (grant.insert) parts.push('INSERT');
  if (grant.update === 'table') parts.push('UPDATE');
  else if (grant.update.length > 0) parts.push(`UPDATE ${columns(grant.update)}`);
  if (grant.delete) parts.push('DELETE');
  return parts.join(', ');
}

interface Section {
  database: DatabaseName;
  /** Which schemas the section covers: Django's `public`, or the bot's own. */
  botSchema: boolean;
  heading: string;
}

const SECTIONS: readonly Section[] = [
  {
    database: 'atmosphere',
    botSchema: false,
    heading: "-- Atmosphere's database (DATABASE_URL), as the owner of Atmosphere's tables or a superuser.",
  },
  {
    database: 'atmosphere',
    botSchema: true,
    heading: `-- The bot's schema in the same database, as the role that ran \`npm run db:migrate\`, after each run.`,
  },
  {
    database: 'troposphere',
    botSchema: false,
    heading: "-- Troposphere's database (TROPOSPHERE_DATABASE_URL), as the owner of Troposphere's tables or a superuser.",
  },
];

/** The statements of one section: one database, run by one kind of owner. */
export interface GrantSection {
  database: DatabaseName;
  heading: string;
  statements: string[];
}

/** The GRANT statements that give `role` exactly `privileges`, by database and by who may run them. */
export function grantSections(privileges: RuntimePrivileges, role: string): GrantSection[] {
  if (role.trim() === '') throw new Error('the role name is empty');
  const to = quoteIdentifier(role);
  const name = (schema: string, relation: string) => `${quoteIdentifier(schema)}.${quoteIdentifier(relation)}`;
  return SECTIONS.map((section) => {
    const keep = (entry: { database: DatabaseName; schema: string }) =>
      entry.database === section.database && (entry.schema === MIGRATIONS_SCHEMA) === section.botSchema;
    return {
      database: section.database,
      heading: section.heading,
      statements: [
        ...privileges.schemas.filter(keep).map((entry) => `GRANT USAGE ON SCHEMA ${quoteIdentifier(entry.schema)} TO ${to};`),
        ...privileges.tables.filter(keep).map((grant) => `GRANT ${tablePrivileges(grant)} ON TABLE ${name(grant.schema, grant.table)} TO ${to};`),
        ...privileges.sequences.filter(keep).map((entry) => `GRANT USAGE ON SEQUENCE ${name(entry.schema, entry.sequence)} TO ${to};`),
      ],
    };
  });
}

/**
 * What `npm run db:grants` prints: every section under its heading. Idempotent: running it again
 * after a release adds only what is new.
 */
export function grantScript(privileges: RuntimePrivileges, role: string): string {
  return `${grantSections(privileges, role).map((section) => [section.heading, ...section.statements].join('\n')).join('\n\n')}\n`;
}
