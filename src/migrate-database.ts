import { loadProgramConfig } from './config.js';
import { openPostgres } from './db/client.js';
import { migrateBotSchema } from './db/migrate.js';
import { checkBotSchema } from './db/check-bot-schema.js';
import { driverMessage } from './db/driver-message.js';

/**
 * `npm run db:migrate`: applies the bot's own migrations (schema `atmobot`, never Atmosphere's
 * tables) once per release, before the new release starts. It connects with MIGRATION_DATABASE_URL,
 * an owner role with CREATE on Atmosphere's database, or with DATABASE_URL when that is unset. The
 * running bot needs no such right: it only checks that the schema is current. Plain sentences for an
 * operator at a terminal, no log lines.
 */

async function main(): Promise<number> {
  const config = loadProgramConfig();
  if (!config) return 1;
  const url = config.MIGRATION_DATABASE_URL ?? config.DATABASE_URL;
  if (!url) {
    process.stderr.write(
      'Nothing to migrate: set MIGRATION_DATABASE_URL (an owner role on Atmosphere\'s database) or DATABASE_URL.\n' +
        'The embedded database (no DATABASE_URL) migrates itself at start-up.\n',
    );
    return 1;
  }
  const handle = openPostgres(url, { max: 1 });
  try {
    const before = await checkBotSchema(handle.db);
    await migrateBotSchema(handle);
    const after = await checkBotSchema(handle.db);
    const applied = before.state === 'absent' ? 'all' : before.state === 'behind' ? String(before.pending.length) : '0';
    process.stdout.write(`The atmobot schema is ${after.state === 'ahead' ? 'newer than this release' : after.state}; migrations applied now: ${applied}.\n`);
    if (after.state !== 'current' && after.state !== 'ahead') return 1;
    process.stdout.write('If this release added tables, run the statements `npm run db:grants` prints for the runtime role.\n');
    return 0;
  } finally {
    await handle.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`Migration failed: ${driverMessage(error)}\n`);
    process.exitCode = 1;
  },
);
