import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openPostgres, type DatabaseHandle } from '../../../src/db/client.js';
import { machineRequest, statusType } from '../../../src/db/atmosphere-schema.js';
import { createDispatcher } from '../../../src/bot/chat/create-dispatcher.js';
import type { Deps } from '../../../src/deps.js';
import { createEmbeddedGateway } from '../../../src/integrations/atmosphere/embedded-gateway.js';
import { createRestGateway } from '../../../src/integrations/atmosphere/rest-gateway.js';
import { findStatusTypeId } from '../../../src/db/queries/statuses.js';
import { listImagingQueue } from '../../../src/db/queries/imaging-queue.js';
import { advanceImagingQueue } from '../../../src/handlers/imaging/advance-imaging-queue.js';
import { startFakeAtmosphereApi, type FakeAtmosphereApi } from '../../fakes/atmosphere-api.js';
import { actionEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { actionDefinitions, commandDefinitions } from '../../../src/handlers/index.js';
import { freeImagingSlot, requestId, setStatus, statusOf } from './imaging-support.js';

const url = process.env.TEST_DATABASE_URL;
const REPLICAS = 20;

describe.skipIf(!url)('the imaging slot across replicas (real Postgres)', () => {
  let t: TestContext;
  let pools: DatabaseHandle[] = [];
  let fake: FakeAtmosphereApi | null = null;

  beforeEach(async () => {
    t = await createTestContext('postgres');
    await freeImagingSlot(t.deps.db);
  });
  afterEach(async () => {
    await fake?.close();
    fake = null;
    await Promise.all(pools.map((p) => p.close()));
    pools = [];
    await t.database.drop();
  });

  /** Twenty new pending requests copied from a demo one (owned by a non-staff user). */
  async function createPending(): Promise<number[]> {
    const template = await requestId(t.deps.db, 'Trinity 2.11 RNA-Seq');
    const [row] = await t.deps.db.select().from(machineRequest).where(eq(machineRequest.id, template));
    const { id: _id, uuid: _uuid, ...rest } = row!;
    const ids: number[] = [];
    for (let i = 0; i < REPLICAS; i++) {
      const [created] = await t.deps.db.insert(machineRequest).values({ ...rest, newApplicationName: `Concurrent ${i}` }).returning({ id: machineRequest.id });
      ids.push(created!.id);
    }
    return ids;
  }

  /** One replica: its own pool, gateway and dispatcher over the same database. */
  function replica(gateway: (db: DatabaseHandle) => Deps['gateway']): { deps: Deps; dispatcher: ReturnType<typeof createDispatcher> } {
    const handle = openPostgres(t.database.url!, { max: 2 });
    pools.push(handle);
    const deps: Deps = { ...t.deps, db: handle.db, gateway: gateway(handle) };
    return { deps, dispatcher: createDispatcher(deps, commandDefinitions, actionDefinitions) };
  }

  async function startedAmong(ids: number[]): Promise<number[]> {
    const statuses = await Promise.all(ids.map(async (id) => [id, await statusOf(t.deps.db, id)] as const));
    return statuses.filter(([, s]) => s === 'started').map(([id]) => id);
  }

  async function runScenario(gateway: (db: DatabaseHandle) => Deps['gateway']): Promise<{ first: number; second: number }> {
    const ids = await createPending();
    const replicas = Array.from({ length: REPLICAS }, () => replica(gateway));
    const results = await Promise.all(
      ids.map((id, i) => dispatch(replicas[i]!.dispatcher, actionEvent('mr:approve', `${id}:pending`, { id: `c-kpatel-${i}`, actingAs: i % 2 ? 'kpatel' : 'mdelgado' }))),
    );
    const started = await startedAmong(ids);
    expect(started).toHaveLength(1);
    const queue = await listImagingQueue(t.deps.db);
    expect(queue).toHaveLength(REPLICAS - 1);
    expect(new Set(queue.map((q) => q.requestId))).toEqual(new Set(ids.filter((id) => id !== started[0])));
    expect(results.filter((r) => r.replies[0]!.text.includes('starts imaging now'))).toHaveLength(1);
    expect(results.filter((r) => /queued at place \d+/.test(r.replies[0]!.text))).toHaveLength(REPLICAS - 1);

    // Atmosphere finishes the first; every replica's queue job fires at once.
    await setStatus(t.deps.db, [started[0]!], 'completed');
    const advanced = await Promise.all(replicas.slice(0, 6).map((r) => advanceImagingQueue(r.deps)));
    const approved = advanced.map((a) => a.approved).filter((a) => a !== null);
    expect(approved).toEqual([queue[0]!.requestId]);
    expect(await startedAmong(ids)).toEqual([queue[0]!.requestId]);
    expect(await listImagingQueue(t.deps.db)).toHaveLength(REPLICAS - 2);
    return { first: started[0]!, second: queue[0]!.requestId };
  }

  it('20 simultaneous approvals on 20 replicas start exactly one; the queue advances exactly once (embedded gateway)', async () => {
    await runScenario((handle) => createEmbeddedGateway(handle.db, () => new Date()));
  });

  it('does the same through the REST gateway, with one approving PATCH per started request', async () => {
    const statuses = await t.deps.db.select({ id: statusType.id, name: statusType.name }).from(statusType);
    fake = await startFakeAtmosphereApi({ statusNames: Object.fromEntries(statuses.map((s) => [s.id, s.name])) });
    const api = fake;
    // Real Atmosphere saves the status before answering and starts the chain at once: approved → started.
    api.onChange = async (call) => {
      if (call.change?.kind !== 'machine_request_status') return;
      await setStatus(t.deps.db, [call.change.id], call.change.statusName === 'approved' ? 'started' : call.change.statusName);
    };
    const { first, second } = await runScenario((handle) =>
      createRestGateway({ baseUrl: api.url, token: api.token, statusId: async (name) => (await findStatusTypeId(handle.db, name))!, log: t.deps.log }),
    );
    const approvedId = (await findStatusTypeId(t.deps.db, 'approved'))!;
    const approvals = api.calls.filter((c) => c.method === 'PATCH' && (c.body as { status?: unknown }).status === approvedId);
    expect(approvals.map((c) => c.path).sort()).toEqual([`/api/v2/machine_requests/${first}`, `/api/v2/machine_requests/${second}`].sort());
  });
});
