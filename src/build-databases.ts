import { join } from 'node:path';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { openPglite, openPostgres, type DatabaseHandle } from './db/client.js';
import { loadAtmosphereSchema, loadTroposphereSchema } from './db/load-schema.js';
import { seedDemoData } from './db/demo-data.js';
import { migrateBotSchema } from './db/migrate.js';

export interface Databases {
  atmosphere: DatabaseHandle;
  troposphere: DatabaseHandle | null;
  close(): Promise<void>;
}

/**
 * Opens the Atmosphere and Troposphere databases. With DATABASE_URL they are the real ones, never
 * altered beyond the bot's own `atmobot` schema; without it they are PGlite under DATA_DIR, created
 * from the real schemas and filled with demo data on first start.
 */
export async function buildDatabases(config: Config, log: Logger, now: () => Date): Promise<Databases> {
  let atmosphere: DatabaseHandle;
  let troposphere: DatabaseHandle | null = null;
  if (config.DATABASE_URL) {
    atmosphere = openPostgres(config.DATABASE_URL);
    if (config.TROPOSPHERE_DATABASE_URL) troposphere = openPostgres(config.TROPOSPHERE_DATABASE_URL, { max: 4 });
  } else {
    const started = Date.now();
    atmosphere = await openPglite(join(config.DATA_DIR, 'atmosphere'));
    await loadAtmosphereSchema(atmosphere);
    if (config.DEMO_DATA) await seedDemoData(atmosphere.db, now());
    troposphere = await openPglite(join(config.DATA_DIR, 'troposphere'));
    await loadTroposphereSchema(troposphere);
    log.info({ dataDir: config.DATA_DIR, ms: Date.now() - started }, 'embedded databases ready');
  }
  await migrateBotSchema(atmosphere);
  return {
    atmosphere,
    troposphere,
    async close() {
      await Promise.allSettled([atmosphere.close(), troposphere?.close()]);
    },
  };
}
