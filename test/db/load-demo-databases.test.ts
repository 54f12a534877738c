import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const adminUrl = process.env.TEST_DATABASE_URL;

/** Runs `npm run db:demo`'s program as an operator would, with only the given environment. */
async function dbDemo(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/load-demo-databases-cli.ts'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('npm run db:demo', () => {
  it('says what to set when DATABASE_URL is missing', async () => {
    const result = await dbDemo({});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Set DATABASE_URL');
  });

  it('names the failure without the password of an unreachable database', async () => {
    const result = await dbDemo({ DATABASE_URL: 'postgres://bot:s3cret-pw@127.0.0.1:1/atmo' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Could not fill the demo databases');
    expect(result.stderr + result.stdout).not.toContain('s3cret-pw');
  });
});

describe.skipIf(!adminUrl)('npm run db:demo on the real PostgreSQL', () => {
  const base = `atmobot_demo_${randomBytes(5).toString('hex')}`;
  const names = [base, `${base}_tropo`];
  const urlOf = (name: string) => {
    const url = new URL(adminUrl!);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  const count = async (name: string, text: string): Promise<number> => {
    const client = new pg.Client({ connectionString: urlOf(name) });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(text);
      return rows[0]!.n;
    } finally {
      await client.end();
    }
  };
  beforeAll(async () => {
    for (const name of names) await admin(`create database "${name}"`);
  });
  afterAll(async () => {
    for (const name of names) await admin(`drop database if exists "${name}" with (force)`);
  });

  it('fills empty databases once and leaves them alone the second time', async () => {
    const env = { DATABASE_URL: urlOf(names[0]!), TROPOSPHERE_DATABASE_URL: urlOf(names[1]!) };
    const first = await dbDemo(env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Atmosphere schema: loaded.');
    expect(first.stdout).toContain('Demo data: seeded.');
    expect(first.stdout).toContain('Troposphere schema: loaded.');
    const users = await count(names[0]!, 'select count(*)::int as n from atmosphere_user');
    expect(users).toBeGreaterThan(3);
    expect(await count(names[0]!, "select count(*)::int as n from information_schema.tables where table_schema = 'atmobot'")).toBeGreaterThan(3);
    expect(await count(names[1]!, 'select count(*)::int as n from api_maintenancerecord')).toBe(0);

    const second = await dbDemo(env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Atmosphere schema: already there, left alone.');
    expect(second.stdout).toContain('Demo data: the database already has users, so none was added.');
    expect(second.stdout).toContain('Troposphere schema: already there, left alone.');
    expect(await count(names[0]!, 'select count(*)::int as n from atmosphere_user')).toBe(users);
  });
});
