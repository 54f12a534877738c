import { loadProgramConfig } from './config.js';
import { openPostgres, type DatabaseHandle } from './db/client.js';
import { loadDemoDatabases } from './db/load-demo-databases.js';
import { recordDemoObservations } from './handlers/imaging/observe-machine-requests.js';

/**
 * `npm run db:demo`: fills the empty PostgreSQL databases of a trial deployment (DATABASE_URL and
 * TROPOSPHERE_DATABASE_URL) with the real schemas and the demo cloud, so the bot can run against
 * PostgreSQL and Redis as in production. It talks to an operator, so it writes sentences.
 */
async function main(): Promise<number> {
  const config = loadProgramConfig();
  if (!config) return 1;
  if (!config.DATABASE_URL) {
    process.stderr.write('Set DATABASE_URL (and TROPOSPHERE_DATABASE_URL) to the empty trial databases to fill. Without them, npm start already runs on embedded demo databases.\n');
    return 1;
  }
  const handles: DatabaseHandle[] = [];
  try {
    const atmosphere = openPostgres(config.DATABASE_URL, { max: 2 });
    handles.push(atmosphere);
    const troposphere = config.TROPOSPHERE_DATABASE_URL ? openPostgres(config.TROPOSPHERE_DATABASE_URL, { max: 2 }) : null;
    if (troposphere) handles.push(troposphere);
    const now = new Date();
    const report = await loadDemoDatabases(atmosphere, troposphere, now);
    if (report.demoData === 'seeded') await recordDemoObservations(atmosphere.db, now);
    process.stdout.write(
      [
        `Atmosphere schema: ${report.atmosphereSchema === 'loaded' ? 'loaded' : 'already there, left alone'}.`,
        `Demo data: ${report.demoData === 'seeded' ? 'seeded' : 'the database already has users, so none was added'}.`,
        `Troposphere schema: ${report.troposphereSchema === 'not configured' ? 'TROPOSPHERE_DATABASE_URL is not set, skipped' : report.troposphereSchema === 'loaded' ? 'loaded' : 'already there, left alone'}.`,
        "The bot's own tables (schema atmobot) are up to date.",
      ].join('\n') + '\n',
    );
    return 0;
  } catch (error) {
    // The connection string may hold a password: name the failure, not the URL.
    process.stderr.write(`Could not fill the demo databases: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await Promise.allSettled(handles.map((handle) => handle.close()));
  }
}

process.exitCode = await main();
