import { sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { rowsOf } from '../rows-of.js';
import type { DatabaseName, RuntimePrivileges } from './runtime-privileges.js';

/** One privilege the plan asks for, as has_*_privilege checks it. */
interface Wanted {
  kind: 'schema' | 'table' | 'column' | 'sequence';
  schema: string;
  relation: string | null;
  column: string | null;
  privilege: string;
  /** How the operator reads it: `SELECT on public.resource_request`. */
  label: string;
}

/** A relation the plan names that the database does not hold, or a privilege the role lacks. */
export interface PrivilegeReport {
  missingRelations: string[];
  missingPrivileges: string[];
}

function wantedFor(plan: RuntimePrivileges, database: DatabaseName): Wanted[] {
  const wanted: Wanted[] = [];
  for (const { schema } of plan.schemas.filter((entry) => entry.database === database)) {
    wanted.push({ kind: 'schema', schema, relation: null, column: null, privilege: 'USAGE', label: `USAGE on schema ${schema}` });
  }
  for (const grant of plan.tables.filter((entry) => entry.database === database)) {
    const name = `${grant.schema}.${grant.table}`;
    const table = (privilege: string) => wanted.push({ kind: 'table', schema: grant.schema, relation: grant.table, column: null, privilege, label: `${privilege} on ${name}` });
    const columns = (privilege: string, list: readonly string[]) => {
      for (const column of list) wanted.push({ kind: 'column', schema: grant.schema, relation: grant.table, column, privilege, label: `${privilege} (${column}) on ${name}` });
    };
    if (grant.select === 'table') table('SELECT');
    else columns('SELECT', grant.select);
    if (grant.insert) table('INSERT');
    if (grant.update === 'table') table('UPDATE');
    else columns('UPDATE', grant.update);
    if (grant.delete) table('DELETE');
  }
  for (const sequence of plan.sequences.filter((entry) => entry.database === database)) {
    wanted.push({ kind: 'sequence', schema: sequence.schema, relation: sequence.sequence, column: null, privilege: 'USAGE', label: `USAGE on sequence ${sequence.schema}.${sequence.sequence}` });
  }
  return wanted;
}

/**
 * Checks, without writing anything, that the connected role holds every privilege of `plan` on
 * `database` (has_schema/table/column/sequence_privilege for current_user), and that every table,
 * column and sequence the plan names exists. One round trip.
 */
export async function findMissingPrivileges(db: Database, plan: RuntimePrivileges, database: DatabaseName): Promise<PrivilegeReport> {
  const wanted = wantedFor(plan, database);
  const values = sql.join(
    wanted.map((item, index) => sql`(${index}::int, ${item.kind}::text, ${item.schema}::text, ${item.relation}::text, ${item.column}::text, ${item.privilege}::text)`),
    sql`, `,
  );
  // Catalog lookups instead of regclass casts: a missing name must be reported, not raise an error.
  const result = await db.execute(sql`
    with wanted(idx, kind, schema_name, relation, column_name, privilege) as (values ${values})
    select w.idx,
      case
        when w.kind = 'schema' then n.oid is not null
        when w.kind = 'column' then a.attnum is not null
        else c.oid is not null
      end as present,
      c.oid is not null as relation_present,
      case
        when w.kind = 'schema' then n.oid is not null and has_schema_privilege(n.oid, w.privilege)
        when c.oid is null then false
        when w.kind = 'table' then has_table_privilege(c.oid, w.privilege)
        when w.kind = 'sequence' then has_sequence_privilege(c.oid, w.privilege)
        when a.attnum is null then false
        else has_column_privilege(c.oid, a.attnum, w.privilege)
      end as granted
    from wanted w
    left join pg_catalog.pg_namespace n on n.nspname = w.schema_name
    left join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = w.relation
    left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attname = w.column_name and not a.attisdropped and a.attnum > 0
    order by w.idx`);
  const missingRelations = new Set<string>();
  const missingPrivileges: string[] = [];
  for (const row of rowsOf(result)) {
    const item = wanted[Number(row['idx'])];
    if (!item) continue;
    if (row['present'] !== true) {
      const name = item.relation ? `${item.schema}.${item.relation}` : `schema ${item.schema}`;
      missingRelations.add(item.kind === 'column' && row['relation_present'] === true ? `${name}.${item.column}` : name);
    } else if (row['granted'] !== true) {
      missingPrivileges.push(item.label);
    }
  }
  return { missingRelations: [...missingRelations], missingPrivileges };
}
