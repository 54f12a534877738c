import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dbKinds } from '../../support/databases.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { allocationSource } from '../../../src/db/atmosphere-schema.js';
import { getResourceRequest } from '../../../src/db/queries/resource-requests.js';
import { requestIdOf } from '../../e2e/e2e-support.js';

const kpatel = { id: 'op', actingAs: 'kpatel' };

describe.each(dbKinds())('allocation grants on %s (embedded gateway)', (kind) => {
  let t: TestContext;

  beforeAll(async () => {
    t = await createTestContext(kind);
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  const allowance = async (name: string) => (await t.deps.db.select().from(allocationSource).where(eq(allocationSource.name, name)))[0]!.computeAllowed;

  it('opens the Approve form with what the request asks for and what the user has now', async () => {
    const id = await requestIdOf(t.deps.db, 'alee');
    const { outcome } = await dispatch(t.dispatcher, actionEvent('rr:approve', String(id), kpatel));
    expect(outcome.kind).toBe('form');
    if (outcome.kind !== 'form') return;
    const field = (name: string) => outcome.form.fields.find((candidate) => candidate.name === name);
    expect(field('allocation')).toMatchObject({ initial: '1000 AU', hint: 'Now: alee 336 AU' });
    expect(field('quota')?.hint).toContain('CyVerse Cloud - Tucson: cpu');
  });

  it('refuses an unknown source and a source-less grant for a user with several, naming them, and changes nothing', async () => {
    const id = await requestIdOf(t.deps.db, 'rnguyen');
    const several = await dispatch(t.dispatcher, commandEvent(`approve ${id} --allocation 5000`, kpatel));
    expect(several.replies[0]!.text).toContain('rnguyen draws on several allocation sources: "TG-BIO210056" (100000 AU, shared by 2 users), "rnguyen" (336 AU). Say which one gets it');
    const unknown = await dispatch(t.dispatcher, commandEvent(`approve ${id} --allocation "5000 AU on TG-NOPE"`, kpatel));
    expect(unknown.replies[0]!.text).toContain('rnguyen draws on no allocation source named "TG-NOPE"');
    const garbage = await dispatch(t.dispatcher, commandEvent(`approve ${id} --allocation lots`, kpatel));
    expect(garbage.replies[0]!.text).toContain('"lots" is not an allocation');
    expect(await allowance('TG-BIO210056')).toBe(100_000);
    expect((await getResourceRequest(t.deps.db, id))?.status).toBe('pending');
  });

  it('a lower allowance needs --confirm like a quota cut, then grants it and approves', async () => {
    const id = await requestIdOf(t.deps.db, 'rnguyen');
    const refused = await dispatch(t.dispatcher, commandEvent(`approve ${id} --allocation "50000 on TG-BIO210056"`, kpatel));
    expect(refused.replies[0]!.text).toContain("LOWERS rnguyen's allocation TG-BIO210056 100000 → 50000 AU (DOWN)");
    expect(await allowance('TG-BIO210056')).toBe(100_000);
    const done = await dispatch(t.dispatcher, commandEvent(`approve ${id} --allocation "50000 on TG-BIO210056" --confirm`, kpatel));
    expect(done.replies[0]!.text).toMatch(new RegExp(`^Request #${id} \\(rnguyen\\) was approved by kpatel`));
    expect(done.replies[0]!.text).toContain('Allocation: allocation TG-BIO210056 100000 → 50000 AU (DOWN) (shared by 2 users)');
    expect(await allowance('TG-BIO210056')).toBe(50_000);
    expect(await allowance('rnguyen')).toBe(336);
    expect((await getResourceRequest(t.deps.db, id))?.status).toBe('approved');
  });
});
