import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inArray } from 'drizzle-orm';
import { loadConfig } from '../../src/config.js';
import { createMemoryLogger } from '../../src/logger.js';
import type { Deps } from '../../src/deps.js';
import { openPostgres, type DatabaseHandle } from '../../src/db/client.js';
import { migrateBotSchema } from '../../src/db/migrate.js';
import { auditLog } from '../../src/db/bot-schema/audit-log.js';
import { pendingAudit, flushAudit } from '../../src/db/queries/audit.js';
import { withImagingSlotLock } from '../../src/db/queries/imaging-queue.js';
import { createEmbeddedGateway } from '../../src/integrations/atmosphere/embedded-gateway.js';
import { createDispatcher } from '../../src/bot/chat/create-dispatcher.js';
import { createHealthCheck } from '../../src/bot/chat/health-check.js';
import { createHttpRouter, healthRoutes, startHealthServer, type HealthServer } from '../../src/bot/http-server.js';
import { commandDefinitions, actionDefinitions } from '../../src/handlers/index.js';
import { createTestDatabase, TEST_NOW, type TestDatabase } from '../support/databases.js';
import { commandEvent, dispatch, offlineDeps } from '../support/test-deps.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../e2e/e2e-support.js';

/** Short, so a hung database fails a command in a second rather than the production 15 s. */
const STATEMENT_TIMEOUT_MS = 1_000;
const STAFF = { id: 'ops-1', actingAs: 'kpatel' };

describe.skipIf(!process.env.TEST_DATABASE_URL)('the bot with its Postgres cut, hung or down (TCP proxy in front of the real server)', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let proxied: DatabaseHandle;
  let deps: Deps;
  let health: HealthServer;
  const memory = createMemoryLogger('debug');
  const poolErrors: Error[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres', { troposphere: false, demo: true });
    await migrateBotSchema(database.atmosphere);
    const target = new URL(database.url!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    proxied = openPostgres(proxy.rewrite(database.url!), {
      max: 4,
      connectTimeoutMs: STATEMENT_TIMEOUT_MS,
      statementTimeoutMs: STATEMENT_TIMEOUT_MS,
      onError: (error) => poolErrors.push(error),
    });
    deps = offlineDeps({
      config: loadConfig({}),
      log: memory.log,
      db: proxied.db,
      gateway: createEmbeddedGateway(proxied.db, () => TEST_NOW),
      now: () => TEST_NOW,
    });
    const healthCheck = createHealthCheck({ mode: 'production', db: proxied.db, troposphereDb: null, kv: deps.kv, gateway: 'embedded', connections: () => ({}) });
    const router = createHttpRouter({ log: memory.log });
    for (const route of healthRoutes({ healthCheck, log: memory.log })) router.add(route);
    health = await startHealthServer({ port: 0, host: '127.0.0.1', router, log: memory.log });
  });

  afterEach(() => {
    proxy.heal();
  });

  afterAll(async () => {
    await health?.close();
    await proxied?.close();
    await proxy?.close();
    await database?.drop();
  });

  const dispatcher = () => createDispatcher(deps, commandDefinitions, actionDefinitions);
  const auditOf = (eventIds: string[]) => database.atmosphere.db.select().from(auditLog).where(inArray(auditLog.eventId, eventIds));

  it('keeps running when the connection holding the imaging slot is cut, and the slot can be taken again', async () => {
    const result = await withImagingSlotLock(proxied.db, async () => {
      proxy.cut();
      // Give the dead socket time to be noticed while the slot is still held.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return 'approved';
    });
    expect(result).toBe('approved');
    expect(poolErrors.map((error) => error.message)).toContain('Connection terminated unexpectedly');
    await expect(withImagingSlotLock(proxied.db, async () => 'again')).resolves.toBe('again');
  });

  it('answers a command on a hung database with "not answering", and /readyz with 503 and the component state', async () => {
    proxy.hang();
    const event = commandEvent('requests', STAFF);
    const { replies } = await dispatch(dispatcher(), event);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toMatch(/^The bot's database is not answering \(no answer in time\)/);
    expect(replies[0]?.text).not.toContain('Something went wrong');

    const response = await fetch(`http://127.0.0.1:${health.port}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { ok: boolean; failing: string[]; components: Record<string, { state: string; detail?: string }> };
    expect(body.ok).toBe(false);
    expect(body.failing).toEqual(['atmosphereDb']);
    expect(body.components['atmosphereDb']).toEqual({ state: 'down', detail: 'no answer within 800 ms' });

    proxy.heal();
    // The failed command's audit row waited in memory; once the database answers it is written.
    await flushAudit(proxied.db);
    await waitFor('the kept audit row', async () => ((await auditOf([event.id])).length === 1 ? true : null));
    const [row] = await auditOf([event.id]);
    expect(row).toMatchObject({ outcome: 'failed', name: 'requests' });
    expect(row?.detail).toMatchObject({ service: 'database' });
    expect((await fetch(`http://127.0.0.1:${health.port}/readyz`)).status).toBe(200);
  });

  it('says the database is unreachable while it is down, keeps every audit row, and writes them all when it returns', async () => {
    proxy.cut();
    proxy.refuse();
    const events = ['requests', 'help', 'whoami', 'requests'].map((text) => commandEvent(text, STAFF));
    const answers = [];
    for (const event of events) answers.push(await dispatch(dispatcher(), event));
    expect(answers[0]?.replies[0]?.text).toMatch(/^The bot's database is unreachable/);
    expect(pendingAudit(proxied.db)).toBe(events.length);
    expect(await auditOf(events.map((event) => event.id))).toEqual([]);

    proxy.heal();
    const rows = await waitFor('every kept audit row', async () => {
      const found = await auditOf(events.map((event) => event.id));
      return found.length === events.length ? found : null;
    });
    // Kept in order: the ids follow the order the events happened in.
    expect([...rows].sort((a, b) => a.id - b.id).map((row) => row.eventId)).toEqual(events.map((event) => event.id));
    expect(pendingAudit(proxied.db)).toBe(0);
    const flushed = memory.lines.find((line) => line['msg'] === 'wrote audit rows kept while the database was unreachable');
    expect(flushed).toBeDefined();
  });

  it('never logs the database password or the connection string', () => {
    const text = JSON.stringify(memory.lines);
    expect(text).not.toContain(proxy.rewrite(database.url!));
    expect(text).not.toContain(database.url!);
  });
});
