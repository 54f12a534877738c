import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog, decision, requestEvent } from '../../src/db/bot-schema/index.js';
import { migrateBotSchema } from '../../src/db/migrate.js';
import { DECISION_CLAIM_LEASE_MS } from '../../src/db/queries/decisions.js';
import { buildJobs } from '../../src/jobs/index.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { commandEvent, dispatch } from '../support/test-deps.js';
import { startMirroredAtmosphereApi } from '../e2e/mirrored-atmosphere-api.js';
import { productionEnv, requestIdOf, requestState, startE2eBot, waitFor, type E2eBot } from '../e2e/e2e-support.js';
import type { FakeAtmosphereApi } from '../fakes/atmosphere-api.js';
import { statusPatches } from './decision-harness.js';

const mdelgado = { id: 'c-mdelgado', actingAs: 'mdelgado' };

describe.runIf(Boolean(process.env.TEST_DATABASE_URL))('two replicas, one killed mid-approval', () => {
  let database: TestDatabase;
  let atmosphere: FakeAtmosphereApi;
  let child: ChildProcess | undefined;
  let survivor: E2eBot | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('postgres', { troposphere: false, demo: true });
    await migrateBotSchema(database.atmosphere);
    atmosphere = await startMirroredAtmosphereApi(database.atmosphere.db);
  }, 120_000);
  afterAll(async () => {
    child?.kill('SIGKILL');
    await survivor?.bot.stop();
    await atmosphere?.close();
    await database?.drop();
  });

  it('leaves its claim in progress; the other replica refuses to act on it, then completes it after the lease', async () => {
    const id = await requestIdOf(database.atmosphere.db, 'tgarcia');
    const env = productionEnv(database, atmosphere, {});
    // Atmosphere applies the approval and then never answers: replica A is killed while it waits.
    atmosphere.failAfterApplying({ method: 'PATCH', pathPrefix: `/admin/resource_requests/${id}` }, 'hang');
    child = fork(fileURLToPath(new URL('./approving-replica.ts', import.meta.url)), [JSON.stringify(env)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const replica = child;
    await new Promise<void>((resolve, reject) => {
      replica.once('message', () => resolve());
      replica.once('exit', (code) => reject(new Error(`replica A exited (${code}) before it was ready`)));
    });
    replica.send({ approve: id });
    await waitFor('Atmosphere to apply replica A\'s approval', async () => (await requestState(database.atmosphere.db, id)).status === 'approved', 60_000);
    const exited = new Promise((resolve) => replica.once('exit', resolve));
    replica.kill('SIGKILL');
    await exited;

    const claims = () => database.atmosphere.db.select().from(decision).where(and(eq(decision.subject, 'resource_request'), eq(decision.recordId, id)));
    const [left] = await claims();
    expect(left).toMatchObject({ state: 'in_progress', decidedBy: 'kpatel' });
    expect(left!.sentAt).not.toBeNull();

    // Replica B, inside the claim's lease: it does not act on it.
    let clock = new Date(left!.decidedAt.getTime() + 30_000);
    survivor = await startE2eBot(env, { now: () => clock });
    const busy = await dispatch(survivor.bot.dispatcher, commandEvent(`approve ${id}`, mdelgado));
    expect(busy.replies[0]!.text).toMatch(new RegExp(`^Request #${id} is being approved by kpatel right now`));
    expect(statusPatches(atmosphere, id)).toHaveLength(1);

    // After the lease, B's scheduled reconcile job reads Atmosphere and completes kpatel's decision.
    clock = new Date(left!.decidedAt.getTime() + DECISION_CLAIM_LEASE_MS + 60_000);
    const job = buildJobs(survivor.bot.deps).find((candidate) => candidate.name === 'decision-reconcile');
    await job!.run({ now: clock, slot: clock.toISOString() });
    expect(await claims()).toMatchObject([{ state: 'done', decidedBy: 'kpatel', detail: expect.objectContaining({ reconciled: true }) }]);
    const history = await database.atmosphere.db.select().from(requestEvent).where(and(eq(requestEvent.subject, 'resource_request'), eq(requestEvent.recordId, id)));
    expect(history).toMatchObject([{ action: 'approved', actor: 'kpatel' }]);
    const audit = await database.atmosphere.db.select().from(auditLog).where(eq(auditLog.name, 'decision:reconcile'));
    expect(audit).toMatchObject([{ outcome: 'ok', atmosphereUsername: 'kpatel', input: `resource_request ${id} approve` }]);

    const after = await dispatch(survivor.bot.dispatcher, commandEvent(`approve ${id}`, mdelgado));
    expect(after.replies[0]!.text).toMatch(new RegExp(`^Request #${id} was approved by kpatel .*recorded it afterwards`));
    expect(statusPatches(atmosphere, id)).toHaveLength(1);
  }, 180_000);
});
