import { join } from 'node:path';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { openPglite, openPostgres, type DatabaseHandle } from './db/client.js';
import { lockDataDir } from './db/data-dir-lock.js';
import { loadAtmosphereSchema, loadTroposphereSchema } from './db/load-schema.js';
import { seedDemoData } from './db/demo-data.js';
import { migrateBotSchema } from './db/migrate.js';
import { verifyDatabases } from './db/verify-databases.js';
import { recordDemoObservations } from './handlers/imaging/observe-machine-requests.js';

export interface Databases {
  atmosphere: DatabaseHandle;
  troposphere: DatabaseHandle | null;
  close(): Promise<void>;
}

/**
 * Opens the Atmosphere and Troposphere databases. With DATABASE_URL they are the real ones, never
 * altered at all: `npm run db:migrate` keeps the bot's own `atmobot` schema current, and start-up only
 * checks it, the tables and the role's privileges (read-only), so a wrong database or a role with too
 * few rights fails here, before anything is written. Without DATABASE_URL they are PGlite under
 * DATA_DIR, created from the real schemas, migrated and filled with demo data on first start.
 */
export async function buildDatabases(config: Config, log: Logger, now: () => Date): Promise<Databases> {
  const opened: DatabaseHandle[] = [];
  const open = <H extends DatabaseHandle>(handle: H): H => {
    opened.push(handle);
    return handle;
  };
  const onError = (database: string) => (error: Error) => log.warn({ err: error, database }, 'a database connection failed; the pool replaces it');
  const timeouts = { connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS, statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS };
  let atmosphere: DatabaseHandle;
  let troposphere: DatabaseHandle | null = null;
  // PGlite is one process's database: a second bot on the same folder refuses here, before opening it.
  let unlock = (): void => {};
  if (!config.DATABASE_URL) unlock = lockDataDir(config.DATA_DIR);
  try {
    if (config.DATABASE_URL) {
      atmosphere = open(openPostgres(config.DATABASE_URL, { ...timeouts, onError: onError('atmosphere') }));
      if (config.TROPOSPHERE_DATABASE_URL) troposphere = open(openPostgres(config.TROPOSPHERE_DATABASE_URL, { ...timeouts, max: 4, onError: onError('troposphere') }));
    } else {
      const started = Date.now();
      atmosphere = open(await openPglite(join(config.DATA_DIR, 'atmosphere')));
      await loadAtmosphereSchema(atmosphere);
      const seeded = config.DEMO_DATA && (await seedDemoData(atmosphere.db, now()));
      troposphere = open(await openPglite(join(config.DATA_DIR, 'troposphere')));
      await loadTroposphereSchema(troposphere);
      // The embedded database is the bot's own: it migrates itself. Production runs `npm run db:migrate`.
      await migrateBotSchema(atmosphere);
      if (seeded) await recordDemoObservations(atmosphere.db, now());
      log.info({ dataDir: config.DATA_DIR, ms: Date.now() - started }, 'embedded databases ready');
    }
    await verifyDatabases({ atmosphere: atmosphere.db, troposphere: troposphere?.db ?? null }, log);
  } catch (error) {
    // A failed start must not leave pools or PGlite instances open behind it.
    await Promise.allSettled(opened.map((handle) => handle.close()));
    unlock();
    throw error;
  }
  return {
    atmosphere,
    troposphere,
    async close() {
      await Promise.allSettled([atmosphere.close(), troposphere?.close()]);
      unlock();
    },
  };
}
