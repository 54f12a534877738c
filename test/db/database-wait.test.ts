import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createWorkQueue } from '../../src/bot/chat/work-queue.js';
import { openPostgres, type DatabaseHandle } from '../../src/db/client.js';
import { statusCatalog } from '../../src/db/queries/statuses.js';
import { createTestDatabase, dbKinds, type TestDatabase } from '../support/databases.js';

/**
 * An event waiting on Postgres gives its work slot up, as one waiting on another service does: with a
 * single slot, a second event runs to the end while the first one's statement is still out. The waits
 * for a connection go the same way, or an exhausted pool would deadlock against the slots.
 */
describe.each(dbKinds().filter((kind) => kind === 'postgres'))('database waits outside the work slot on %s', (kind) => {
  let database: TestDatabase | undefined;
  let extra: DatabaseHandle | undefined;
  afterEach(async () => {
    await extra?.close();
    await database?.drop();
  });

  it('lets another event run while a statement is out', async () => {
    database = await createTestDatabase(kind);
    const queue = createWorkQueue(1);
    database.atmosphere.waitThrough((wait) => queue.waitOnDatabase(wait));
    const { db } = database.atmosphere;
    const order: string[] = [];
    const slow = queue.run({ eventId: 'slow', run: async () => {
      await db.execute(sql`select pg_sleep(0.3)`);
      order.push('slow');
    } });
    // The slow event holds the only slot until its statement is sent.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const quick = queue.run({ eventId: 'quick', run: async () => {
      await db.execute(sql`select 1`);
      order.push('quick');
    } });
    await Promise.all([slow, quick]);
    expect(order).toEqual(['quick', 'slow']);
  });

  it("does not deadlock when a transaction holds the only connection and another event's transaction waits for one", async () => {
    database = await createTestDatabase(kind);
    extra = openPostgres(database.url!, { max: 1 });
    const queue = createWorkQueue(1);
    extra.waitThrough((wait) => queue.waitOnDatabase(wait));
    const { db } = extra;
    const order: string[] = [];
    const inTransaction = queue.run({ eventId: 'tx', run: async () => {
      await db.transaction(async (tx) => {
        await tx.execute(sql`select pg_sleep(0.2)`);
        await tx.execute(sql`select 1`);
      });
      order.push('tx');
    } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Its transaction needs the pool's one connection, which the first transaction holds; that one's
    // next statement then needs the slot. Waiting for the connection inside the slot would hang both.
    const other = queue.run({ eventId: 'other', run: async () => {
      await db.transaction(async (tx) => void (await tx.execute(sql`select 2`)));
      order.push('other');
    } });
    const settled = await Promise.race([
      Promise.all([inTransaction, other]).then(() => 'done'),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 5_000)),
    ]);
    expect(settled).toBe('done');
    expect(order).toEqual(['tx', 'other']);
  });

  it('does not deadlock when the events awaiting the status catalogue hold every slot while its first reader waits for one', async () => {
    database = await createTestDatabase(kind);
    const queue = createWorkQueue(1);
    database.atmosphere.waitThrough((wait) => queue.waitOnDatabase(wait));
    const { db } = database.atmosphere;
    // Holds the catalogue's read back long enough for the second event to take the slot it gave up.
    extra = openPostgres(database.url!, { max: 1 });
    const lock = await extra.pool!.connect();
    await lock.query('begin');
    await lock.query('lock table status_type in access exclusive mode');
    const read = (eventId: string) => queue.run({ eventId, run: async () => void (await statusCatalog(db)) });
    const both = Promise.all([read('first'), read('second')]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await lock.query('commit');
    lock.release();
    const settled = await Promise.race([both.then(() => 'done'), new Promise((resolve) => setTimeout(() => resolve('hung'), 3_000))]);
    expect(settled).toBe('done');
  });
});

describe.each(dbKinds().filter((kind) => kind === 'postgres'))('a burst of events on a small pool on %s', (kind) => {
  let database: TestDatabase | undefined;
  let extra: DatabaseHandle | undefined;
  afterEach(async () => {
    await extra?.close();
    await database?.drop();
  });

  it('waits its turn in the queue, not in the pool, so no event fails on the connection timeout', async () => {
    database = await createTestDatabase(kind);
    // Three connections, a connection wait of 300 ms, and 60 events of 50 ms statements: in the pool's
    // own queue most would wait longer than that and fail.
    extra = openPostgres(database.url!, { max: 3, connectTimeoutMs: 300 });
    const queue = createWorkQueue(1, undefined, { maxInProgress: 3 });
    extra.waitThrough((wait) => queue.waitOnDatabase(wait));
    const { db } = extra;
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) => queue.run({ eventId: `e${i}`, run: async () => void (await db.execute(sql`select pg_sleep(0.05)`)) })),
    );
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
  });
});

describe('PGlite keeps the slot for its statements', () => {
  let database: TestDatabase | undefined;
  afterEach(async () => database?.drop());

  it('runs an event to the end before the next one starts', async () => {
    database = await createTestDatabase('pglite');
    const queue = createWorkQueue(1);
    database.atmosphere.waitThrough((wait) => queue.waitOnDatabase(wait));
    const { db } = database.atmosphere;
    const order: string[] = [];
    const first = queue.run({ eventId: 'first', run: async () => {
      order.push('first started');
      await db.execute(sql`select count(*) from generate_series(1, 20000)`);
      order.push('first done');
    } });
    const second = queue.run({ eventId: 'second', run: async () => {
      order.push('second started');
      await db.execute(sql`select 1`);
    } });
    await Promise.all([first, second]);
    expect(order).toEqual(['first started', 'first done', 'second started']);
  });
});
