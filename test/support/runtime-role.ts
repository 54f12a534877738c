import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { grantSections } from '../../src/db/privileges/grant-script.js';
import { runtimePrivileges } from '../../src/db/privileges/runtime-privileges.js';
import type { TestDatabase } from './databases.js';

export interface RuntimeRole {
  name: string;
  /** The test databases' URLs with this role as the user. */
  atmosphereUrl: string;
  troposphereUrl: string | null;
  /** Drops the role; call after the databases that hold its grants are dropped. */
  drop(): Promise<void>;
}

function withUser(url: string, user: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = '';
  return parsed.toString();
}

async function runAs(url: string, statements: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * A login role, unique to this run, holding exactly what `npm run db:grants` prints (the statements
 * run as the test's owner role). `keep` drops statements, to make a role with too few rights.
 */
export async function createRuntimeRole(database: TestDatabase, keep: (statement: string) => boolean = () => true): Promise<RuntimeRole> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl || !database.url) throw new Error('a runtime role needs the real Postgres (TEST_DATABASE_URL)');
  const name = `atmobot_rt_${randomBytes(5).toString('hex')}`;
  await runAs(adminUrl, [`create role ${name} login`]);
  const drop = () => runAs(adminUrl, [`drop role if exists ${name}`]);
  try {
    for (const section of grantSections(runtimePrivileges(), name)) {
      const url = section.database === 'atmosphere' ? database.url : database.troposphereUrl;
      if (url) await runAs(url, section.statements.filter(keep));
    }
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
  return {
    name,
    atmosphereUrl: withUser(database.url, name),
    troposphereUrl: database.troposphereUrl ? withUser(database.troposphereUrl, name) : null,
    drop,
  };
}
