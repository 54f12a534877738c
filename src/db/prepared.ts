import { sql, type Column, type SQL } from 'drizzle-orm';
import type { Database } from './client.js';

/**
 * A statement drizzle builds once per database handle instead of once per call, for the lookups
 * every chat event makes. Its name makes node-postgres send the text once per pooled connection, so
 * Postgres parses it once there and later calls send only the parameters. Built from `sql.placeholder`
 * values, never from a call's own values. A handle is usually the pool's; a transaction's handle gets
 * its own entry, which goes when the transaction object does.
 *
 * What it trades: a named statement lives on its connection, so a pooler in transaction mode (which
 * hands a connection's statements to other clients) would break it; the bot needs session pooling or
 * a direct connection, as its advisory locks already do. A statement's plan is re-made by Postgres
 * when a table it reads changes, and its explicit column lists keep an Atmosphere migration that adds
 * columns from changing the rows it returns.
 */
export function preparedPerDatabase<T>(build: (db: Database) => T): (db: Database) => T {
  const built = new WeakMap<Database, T>();
  return (db) => {
    let statement = built.get(db);
    if (statement === undefined) {
      statement = build(db);
      built.set(db, statement);
    }
    return statement;
  };
}

/**
 * `column = any($name)`: a prepared statement's filter on a list of values. drizzle's `inArray` needs
 * the values at build time (one parameter each), so a list given at each execution is passed as one
 * array parameter instead.
 */
export function anyOfPlaceholder(column: Column, name: string): SQL {
  return sql`${column} = any(${sql.placeholder(name)})`;
}

/**
 * `query` nested one level down. A select from one table writes the columns of its selected SQL
 * without their table (drizzle's buildSelection, for the top level of each field only), which makes
 * a subquery's `"id"` ambiguous; nested, they keep it.
 */
export function sqlKeepingTables(query: SQL): SQL {
  return sql`${query}`;
}
