import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withMaintenanceGuard } from '../../../src/integrations/atmosphere/maintenance-guard.js';
import { insertAtmosphereMaintenance } from '../../../src/db/queries/maintenance.js';
import { listPendingResourceRequests } from '../../../src/db/queries/resource-requests.js';
import { maintenanceRecord } from '../../../src/db/atmosphere-schema.js';
import { commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { staff } from './maintenance-harness.js';
import { isNull } from 'drizzle-orm';

describe.each(dbKinds())('withMaintenanceGuard on %s', (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
    t.deps.gateway = withMaintenanceGuard(t.deps.gateway, t.deps.db, t.deps.now);
  });
  afterAll(() => t.database.drop());

  it('refuses an approval during global maintenance, naming it, and lets it through afterwards', async () => {
    const dispatcher = t.dispatcher;
    const { rows } = await listPendingResourceRequests(t.deps.db, { limit: 1 });
    const id = rows[0]!.id;
    await insertAtmosphereMaintenance(t.deps.db, { title: 'v37-0 deployment', message: 'Down until 4pm MST', start: TEST_NOW, end: null });

    const refused = (await dispatch(dispatcher, commandEvent(`approve ${id}`, staff))).replies[0]!.text;
    expect(refused).toContain('Atmosphere is in maintenance ("v37-0 deployment": Down until 4pm MST)');
    expect(refused).toContain('/atmo maintenance stop');
    expect(refused).toContain('MAINTENANCE_EXEMPT_USERNAMES');
    expect((await listPendingResourceRequests(t.deps.db, { limit: 50 })).rows.map((r) => r.id)).toContain(id);

    await t.deps.db.update(maintenanceRecord).set({ endDate: TEST_NOW }).where(isNull(maintenanceRecord.endDate));
    const approved = (await dispatch(dispatcher, commandEvent(`approve ${id}`, staff))).replies[0]!.text;
    expect(approved).not.toContain('maintenance');
    expect((await listPendingResourceRequests(t.deps.db, { limit: 50 })).rows.map((r) => r.id)).not.toContain(id);
  });
});
