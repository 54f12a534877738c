import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBotSchema } from '../../src/db/check-bot-schema.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { createRuntimeRole, type RuntimeRole } from '../support/runtime-role.js';

const PROGRAM = fileURLToPath(new URL('../../src/migrate-database.ts', import.meta.url));

/** Runs `npm run db:migrate`'s program in a process of its own with only these variables. */
function migrateProgram(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', PROGRAM], { env: { PATH: process.env.PATH ?? '', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('npm run db:migrate (real Postgres)', () => {
  let database: TestDatabase;
  let role: RuntimeRole | undefined;
  beforeAll(async () => {
    database = await createTestDatabase('postgres', { troposphere: false });
  });
  afterAll(async () => {
    await database?.drop();
    await role?.drop();
  });

  it('applies the migrations with the owner URL, then finds nothing to do', async () => {
    const first = await migrateProgram({ MIGRATION_DATABASE_URL: database.url!, DATABASE_URL: 'postgres://runtime-role-unused@127.0.0.1:1/none' });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain('The atmobot schema is current; migrations applied now: all.');
    expect(await checkBotSchema(database.atmosphere.db)).toMatchObject({ state: 'current' });
    const second = await migrateProgram({ DATABASE_URL: database.url! });
    expect(second.stdout).toContain('migrations applied now: 0.');
  });

  it('fails with the Postgres error as the runtime role, which holds no DDL right', async () => {
    role = await createRuntimeRole(database);
    const result = await migrateProgram({ DATABASE_URL: role.atmosphereUrl });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Migration failed: permission denied for database atmobot_t_\w+\n$/);
  });

  it('says what to set when no database is configured', async () => {
    const result = await migrateProgram({});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Nothing to migrate: set MIGRATION_DATABASE_URL');
  });
});
