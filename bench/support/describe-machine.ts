import os from 'node:os';
import pg from 'pg';

/** The Postgres server's `version()`, or null when it cannot be reached. */
export async function postgresVersion(url: string | undefined): Promise<string | null> {
  if (!url) return null;
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string }>('select version()');
    return rows[0]?.version ?? null;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The machine the numbers were measured on, as a markdown list; numbers mean little without it. */
export async function describeMachine(databaseUrl: string | undefined, at: Date): Promise<string> {
  const cpus = os.cpus();
  const version = await postgresVersion(databaseUrl);
  return [
    `- Date: ${at.toISOString()}`,
    `- CPU: ${cpus[0]?.model.trim() ?? 'unknown'}, ${cpus.length} cores (${os.arch()})`,
    `- Memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()}`,
    `- Node: ${process.version}`,
    // Other work on the machine shows up in the tails; the load average says how busy it was.
    `- Load average at start (1, 5, 15 min): ${os.loadavg().map((n) => n.toFixed(2)).join(', ')}`,
    `- PostgreSQL: ${version ?? (databaseUrl ? 'unreachable' : 'not used (TEST_DATABASE_URL unset)')}`,
  ].join('\n');
}
