import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import { allocationSource, resourceRequest } from '../../src/db/atmosphere-schema.js';
import { auditLog, decision } from '../../src/db/bot-schema/index.js';
import { requireStatusTypeId } from '../../src/db/queries/statuses.js';
import { findUserByUsername } from '../../src/db/queries/users.js';
import { commandEvent, dispatch } from '../support/test-deps.js';
import { requestState } from '../e2e/e2e-support.js';
import { startFaultBot, statusPatches, type FaultBot } from './decision-harness.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };

// The allocation grant is the first write of an approval; what follows it must be told truthfully.
describe.runIf(Boolean(process.env.TEST_DATABASE_URL))('allocation grants under faults (real Postgres, fake Atmosphere)', () => {
  let f: FaultBot;

  beforeAll(async () => {
    f = await startFaultBot();
  }, 120_000);
  afterAll(async () => {
    await f?.close();
  });

  async function newRequest(): Promise<number> {
    const db = f.database.atmosphere.db;
    const owner = await findUserByUsername(db, 'jsmith');
    const [row] = await db
      .insert(resourceRequest)
      .values({ request: 'Allocation: 2000 AU', description: 'fault case', createdById: owner!.id, statusId: await requireStatusTypeId(db, 'pending') })
      .returning({ id: resourceRequest.id });
    return row!.id;
  }
  const allowance = async () => (await f.database.atmosphere.db.select().from(allocationSource).where(eq(allocationSource.name, 'jsmith')))[0]!.computeAllowed;
  const claims = (id: number) => f.database.atmosphere.db.select().from(decision).where(and(eq(decision.subject, 'resource_request'), eq(decision.recordId, id)));
  const grants = () => f.atmosphere.calls.filter((call) => call.method === 'PATCH' && call.path.startsWith('/api/v2/allocation_sources/'));

  it('an unclear answer to the grant: says it may have been set, gives the claim back, and a retry completes with the same value', async () => {
    const id = await newRequest();
    const grantsBefore = grants().length;
    f.atmosphere.failAfterApplying({ method: 'PATCH', pathPrefix: '/allocation_sources/' }, 502);
    const first = await dispatch(f.dispatcher, commandEvent(`approve ${id} --allocation 2000`, kpatel));
    const text = first.replies[0]!.text;
    expect(text).toContain('The allowance of jsmith may have been set to 2000 AU; approving again sends the same value, which is safe');
    expect(text).not.toMatch(/something went wrong/i);
    expect(await allowance()).toBe(2000);
    expect(await claims(id)).toEqual([]);
    expect(statusPatches(f.atmosphere, id)).toEqual([]);
    expect((await requestState(f.database.atmosphere.db, id)).status).toBe('pending');

    const second = await dispatch(f.dispatcher, commandEvent(`approve ${id} --allocation 2000`, kpatel));
    expect(second.replies[0]!.text).toMatch(new RegExp(`^Request #${id} \\(jsmith\\) was approved by kpatel`));
    expect(second.replies[0]!.text).toContain('allocation jsmith 2000 AU (unchanged)');
    expect(grants().slice(grantsBefore).map((call) => call.body)).toEqual([{ compute_allowed: 2000 }, { compute_allowed: 2000 }]);
    expect(statusPatches(f.atmosphere, id)).toHaveLength(1);
    expect(await claims(id)).toMatchObject([{ state: 'done', decidedBy: 'kpatel' }]);
  });

  it('a refused approval after the grant: says the grant WAS made, keeps the request pending, and changes nothing more', async () => {
    const id = await newRequest();
    f.atmosphere.failNext({ method: 'PATCH', pathPrefix: `/admin/resource_requests/${id}` }, 400, { status: ['Invalid pk "99" - object does not exist.'] });
    const result = await dispatch(f.dispatcher, commandEvent(`approve ${id} --allocation 3000`, kpatel));
    const text = result.replies[0]!.text;
    expect(text).toContain('jsmith\'s allowance WAS set to 3000 AU');
    expect(text).toContain('repeating the approval sends the same values, which is safe');
    expect(await allowance()).toBe(3000);
    expect(await claims(id)).toEqual([]);
    expect((await requestState(f.database.atmosphere.db, id)).status).toBe('pending');
    // The audit row of the failure still records the grant that reached Atmosphere before it.
    const [audit] = await f.database.atmosphere.db.select().from(auditLog).where(eq(auditLog.atmosphereUsername, 'kpatel')).orderBy(desc(auditLog.id)).limit(1);
    expect(audit).toMatchObject({ outcome: 'failed', detail: { requestId: id, computeAllowed: 3000 } });
    expect(audit!.detail).toHaveProperty('allocationSource');
    expect(audit!.detail).not.toHaveProperty('decision');
  });
});
