import { grantScript } from './db/privileges/grant-script.js';
import { runtimePrivileges } from './db/privileges/runtime-privileges.js';

/**
 * `npm run db:grants [-- <role>]`: prints the GRANT statements for the bot's runtime role (default
 * `atmo_app`), derived from the Drizzle mapping. It connects to nothing; pipe the sections to psql
 * as the owners named in each heading.
 */

const DEFAULT_ROLE = 'atmo_app';
const role = process.argv[2] ?? DEFAULT_ROLE;
try {
  process.stdout.write(grantScript(runtimePrivileges(), role));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\nUsage: npm run db:grants -- <role name>\n`);
  process.exitCode = 1;
}
