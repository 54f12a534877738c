import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, extname, join } from 'node:path';
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
/** Whether `dir` already holds a Postgres cluster (initdb writes PG_VERSION first). */
function hasCluster(dir: string): boolean {
  return existsSync(join(dir, 'PG_VERSION'));
}

/**
 * Makes the PGlite clusters that do not exist yet in a child process (create-embedded-clusters.ts):
 * initdb's memory, most of a first start's, then leaves with it. The child runs as this process does
 * (`tsx` from a checkout, plain Node from the build), so it is this file's sibling with this file's
 * extension, started with this process's Node flags.
 */
async function createMissingClusters(dirs: readonly string[]): Promise<void> {
  const missing = dirs.filter((dir) => !hasCluster(dir));
  if (missing.length === 0) return;
  const here = fileURLToPath(import.meta.url);
  const program = join(dirname(here), `create-embedded-clusters${extname(here)}`);
  // From a checkout the program is TypeScript: a process not started through tsx (a test runner's
  // worker) must load it for the child.
  const loadsTypeScript = process.execArgv.some((flag) => flag.includes('tsx'));
  const execArgv = extname(here) === '.ts' && !loadsTypeScript ? [...process.execArgv, '--import', 'tsx'] : process.execArgv;
  const child = fork(program, missing, { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`could not create the embedded databases in ${missing.join(', ')} (exit ${code}): ${stderr.trim() || 'no message'}`);
}

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
      await createMissingClusters([join(config.DATA_DIR, 'atmosphere'), join(config.DATA_DIR, 'troposphere')]);
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
