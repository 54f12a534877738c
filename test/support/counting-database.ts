import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import type { Database } from '../../src/db/client.js';

/**
 * A second drizzle database over the same driver client as `db` (pool or PGlite), with drizzle's
 * query logger recording every statement it sends: what a test counts to hold the bot to a number of
 * round trips per event. Drizzle logs no BEGIN or COMMIT, so a transaction is recorded as `begin` and
 * `commit` (or `rollback`) around its statements, each a round trip too. Statements run through `db`
 * itself are not recorded.
 */
export function countingDatabase(db: Database): { db: Database; statements: string[]; reset(): void } {
  const statements: string[] = [];
  const logger = { logQuery: (query: string) => void statements.push(query) };
  // drizzle documents `$client` as the driver client it wraps; the shared Database type hides it.
  const client: unknown = (db as { $client?: unknown }).$client;
  let counted: Database;
  if (client instanceof pg.Pool) counted = drizzleNodePg(client, { logger }) as unknown as Database;
  else if (client instanceof PGlite) counted = drizzlePglite(client, { logger }) as unknown as Database;
  else throw new Error('countingDatabase needs a node-postgres pool or a PGlite client');
  const transaction = counted.transaction.bind(counted);
  const recordingTransaction: Database['transaction'] = async (work, config) => {
    statements.push('begin');
    try {
      const result = await transaction(work, config);
      statements.push('commit');
      return result;
    } catch (error) {
      statements.push('rollback');
      throw error;
    }
  };
  counted.transaction = recordingTransaction;
  return { db: counted, statements, reset: () => void statements.splice(0) };
}
