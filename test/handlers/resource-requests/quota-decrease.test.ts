import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dbKinds } from '../../support/databases.js';
import { commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { atmosphereUser, identity, quota, resourceRequest } from '../../../src/db/atmosphere-schema.js';
import { getResourceRequest } from '../../../src/db/queries/resource-requests.js';
import { requireStatusTypeId } from '../../../src/db/queries/statuses.js';

const kpatel = { id: 'op', actingAs: 'kpatel' };

describe.each(dbKinds())('no silent quota cuts with /atmo approve on %s', (kind) => {
  let t: TestContext;
  let id: number;

  beforeAll(async () => {
    t = await createTestContext(kind);
    const [user] = await t.deps.db.select({ id: atmosphereUser.id }).from(atmosphereUser).where(eq(atmosphereUser.username, 'pwright'));
    const [row] = await t.deps.db
      .insert(resourceRequest)
      .values({ request: 'instances: 2 is plenty', description: 'Small course', createdById: user!.id, statusId: await requireStatusTypeId(t.deps.db, 'pending') })
      .returning({ id: resourceRequest.id });
    id = row!.id;
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  async function pwrightQuota() {
    const [row] = await t.deps.db
      .select({ quota })
      .from(identity)
      .innerJoin(atmosphereUser, eq(atmosphereUser.id, identity.createdById))
      .innerJoin(quota, eq(quota.id, identity.quotaId))
      .where(eq(atmosphereUser.username, 'pwright'));
    return row!.quota;
  }

  it('refuses a decrease without --confirm, naming every value current -> new, and changes nothing', async () => {
    const before = await pwrightQuota();
    const { replies } = await dispatch(t.dispatcher, commandEvent(`approve ${id} --quota "instances=2 memory=256GB"`, kpatel));
    const text = replies[0]!.text;
    expect(text).toContain(`LOWERS pwright's instances ${before.instanceCount} → 2 (DOWN)`);
    expect(text).toContain(`memory ${before.memory} → 256 GB`);
    expect(text).toContain(`cpu ${before.cpu} (unchanged)`);
    expect(text).toContain('--confirm');
    expect((await getResourceRequest(t.deps.db, id))?.status).toBe('pending');
    expect(await pwrightQuota()).toEqual(before);
  });

  it('applies it with --confirm and shows what changed', async () => {
    const before = await pwrightQuota();
    const { replies } = await dispatch(t.dispatcher, commandEvent(`approve ${id} --quota "instances=2 memory=256GB" --confirm`, kpatel));
    expect(replies[0]!.text).toMatch(new RegExp(`^Request #${id} \\(pwright\\) was approved by kpatel`));
    expect(replies[0]!.text).toContain(`instances ${before.instanceCount} → 2 (DOWN)`);
    expect(await pwrightQuota()).toMatchObject({ instanceCount: 2, memory: 256, cpu: before.cpu });
    expect((await getResourceRequest(t.deps.db, id))?.status).toBe('approved');
  });
});
