import { loadConfig } from '../../src/config.js';
import { createMemoryLogger } from '../../src/logger.js';
import type { Deps } from '../../src/deps.js';
import { openPostgres, type DatabaseHandle } from '../../src/db/client.js';
import { migrateBotSchema } from '../../src/db/migrate.js';
import { requireStatusTypeId } from '../../src/db/queries/statuses.js';
import { createRestGateway } from '../../src/integrations/atmosphere/rest-gateway.js';
import { createDispatcher } from '../../src/bot/chat/create-dispatcher.js';
import type { Dispatcher } from '../../src/bot/chat/command.js';
import { commandDefinitions, actionDefinitions } from '../../src/handlers/index.js';
import { createTestDatabase, TEST_NOW, type TestDatabase } from '../support/databases.js';
import { offlineDeps } from '../support/test-deps.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { startMirroredAtmosphereApi } from '../e2e/mirrored-atmosphere-api.js';
import type { FakeAtmosphereApi } from '../fakes/atmosphere-api.js';

/** The gateway's timeout in these suites: long enough for a loaded machine, short enough for a test. */
export const TEST_API_TIMEOUT_MS = 1_500;

export interface FaultBot {
  database: TestDatabase;
  /** The fake Atmosphere API; it writes every accepted change into the database directly, never through the proxy. */
  atmosphere: FakeAtmosphereApi;
  /** Sits between the bot and Postgres: cut or hang it to take the bot's database link away. */
  proxy: TcpProxy;
  /** The bot's own pool, through the proxy. */
  botDb: DatabaseHandle;
  deps: Deps;
  dispatcher: Dispatcher;
  logLines: Record<string, unknown>[];
  setNow(at: Date): void;
  close(): Promise<void>;
}

/**
 * A bot as production builds it, minus the chat platforms: the real REST gateway against the fake
 * Atmosphere API, and a pool to the real Postgres that goes through a TCP proxy the test controls.
 * Atmosphere's side (the fake API's writes, the test's checks) uses the database directly, as the
 * real Atmosphere has its own connection that the bot's outage does not touch.
 */
export async function startFaultBot(): Promise<FaultBot> {
  const database = await createTestDatabase('postgres', { troposphere: false, demo: true });
  await migrateBotSchema(database.atmosphere);
  const atmosphere = await startMirroredAtmosphereApi(database.atmosphere.db);
  const target = new URL(database.url!);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const { log, lines } = createMemoryLogger('debug');
  const botDb = openPostgres(proxy.rewrite(database.url!), { max: 5, onError: (error) => log.warn({ err: error }, 'idle connection lost') });
  let now = TEST_NOW;
  const deps: Deps = offlineDeps({
    config: loadConfig({ DATABASE_URL: database.url!, ATMOSPHERE_API_URL: atmosphere.url, ATMOSPHERE_API_TOKEN: atmosphere.token }),
    log,
    db: botDb.db,
    gateway: createRestGateway({
      baseUrl: atmosphere.url,
      token: atmosphere.token,
      statusId: (name) => requireStatusTypeId(botDb.db, name),
      timeoutMs: TEST_API_TIMEOUT_MS,
      log,
    }),
    now: () => now,
  });
  const dispatcher = createDispatcher(deps, commandDefinitions, actionDefinitions);
  return {
    database,
    atmosphere,
    proxy,
    botDb,
    deps,
    dispatcher,
    logLines: lines,
    setNow: (at) => (now = at),
    async close() {
      await atmosphere.close();
      await proxy.close();
      await botDb.close().catch(() => {});
      await database.drop();
    },
  };
}

/** The PATCHes the bot sent for one resource request's status. */
export function statusPatches(atmosphere: FakeAtmosphereApi, id: number) {
  return atmosphere.calls.filter((call) => call.method === 'PATCH' && call.path.endsWith(`/admin/resource_requests/${id}`));
}
