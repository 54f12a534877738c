import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { checkBotSchema } from '../../src/db/check-bot-schema.js';
import { migrateBotSchema } from '../../src/db/migrate.js';
import { DatabaseNotReadyError, verifyDatabases } from '../../src/db/verify-databases.js';
import { createMemoryLogger } from '../../src/logger.js';
import { createTestDatabase, dbKinds, type TestDatabase } from '../support/databases.js';

const journal = JSON.parse(readFileSync(new URL('../../drizzle/meta/_journal.json', import.meta.url), 'utf8')) as { entries: { tag: string; when: number }[] };
const lastTag = journal.entries.at(-1)!.tag;

describe.each(dbKinds())('checking the bot schema against the shipped migrations on %s', (kind) => {
  let database: TestDatabase;
  // The first PGlite database of a process builds its template (initdb, schema load): on a busy
  // machine that alone can take most of the default hook timeout.
  beforeEach(async () => {
    database = await createTestDatabase(kind);
  }, 180_000);
  afterEach(async () => {
    await database?.drop();
  });
  const db = () => database.atmosphere.db;
  const verify = () => {
    const { log, lines } = createMemoryLogger('debug');
    return { run: () => verifyDatabases({ atmosphere: db(), troposphere: null }, log), lines };
  };

  it('sees a schema never migrated, then a current one after migrating, and start-up passes only then', async () => {
    expect(await checkBotSchema(db())).toEqual({ state: 'absent' });
    await expect(verify().run()).rejects.toThrow(/has no migrations applied: run `npm run db:migrate`/);
    await migrateBotSchema(database.atmosphere);
    expect(await checkBotSchema(db())).toEqual({ state: 'current', applied: journal.entries.length });
    await expect(verify().run()).resolves.toBeUndefined();
  });

  it('names the pending migrations when the newest is not applied', async () => {
    await migrateBotSchema(database.atmosphere);
    await db().execute(sql`delete from atmobot.__drizzle_migrations where created_at = ${journal.entries.at(-1)!.when}`);
    expect(await checkBotSchema(db())).toEqual({ state: 'behind', pending: [lastTag] });
  });

  it('refuses a migration recorded with other contents than the shipped file', async () => {
    await migrateBotSchema(database.atmosphere);
    await db().execute(sql`update atmobot.__drizzle_migrations set hash = 'edited' where created_at = ${journal.entries[0]!.when}`);
    expect(await checkBotSchema(db())).toEqual({ state: 'differs', tags: [journal.entries[0]!.tag] });
    const check = verify();
    const error = await check.run().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(DatabaseNotReadyError);
    expect((error as Error).message).toContain(`recorded migration(s) ${journal.entries[0]!.tag} with contents other than this release's files`);
  });

  it('runs on a schema a later release already migrated, with a warning', async () => {
    await migrateBotSchema(database.atmosphere);
    await db().execute(sql`insert into atmobot.__drizzle_migrations (hash, created_at) values ('from-a-later-release', ${journal.entries.at(-1)!.when + 1000})`);
    expect(await checkBotSchema(db())).toEqual({ state: 'ahead', applied: journal.entries.length, newer: 1 });
    const check = verify();
    await expect(check.run()).resolves.toBeUndefined();
    expect(check.lines.some((line) => line['level'] === 40 && String(line['msg']).includes('newer than this release'))).toBe(true);
  });
});
