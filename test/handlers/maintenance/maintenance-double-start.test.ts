import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maintenanceRecord } from '../../../src/db/atmosphere-schema.js';
import { apiMaintenanceRecord } from '../../../src/db/troposphere-schema.js';
import { listMaintenanceWindows } from '../../../src/db/queries/maintenance-windows.js';
import { createStatusIo } from '../../../src/integrations/statusio/statusio-client.js';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { startFakeStatusIo, type FakeStatusIo } from '../../fakes/statusio.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { dbKinds } from '../../support/databases.js';
import { otherStaff, staff } from './maintenance-harness.js';

const credentials = { apiId: 'test-api-id', apiKey: 'test-api-key', pageId: 'page123' };
const START = 'maintenance start --title "Emergency patch" --message "Back soon" --until +2h --statusio';

describe.each(dbKinds())('two start requests confirmed one after the other on %s', (kind) => {
  let t: TestContext;
  let dispatcher: Dispatcher;
  let fake: FakeStatusIo;

  beforeEach(async () => {
    fake = await startFakeStatusIo(credentials);
    t = await createTestContext(kind);
    t.deps.statusPage = createStatusIo({ baseUrl: fake.url, ...credentials, components: [], retries: 1, backoffMs: 1, sleep: async () => {}, log: t.deps.log });
    dispatcher = t.dispatcher;
  });
  afterEach(async () => {
    await t.database.drop();
    await fake.close();
  });

  it('the second confirmation finds maintenance on and neither opens a window nor notifies status.io subscribers again', async () => {
    // Both asked before either is confirmed, so the command's "already on" check passes for both.
    const first = (await dispatch(dispatcher, commandEvent(START, staff))).replies[0]!;
    const second = (await dispatch(dispatcher, commandEvent(START, otherStaff))).replies[0]!;
    await dispatch(dispatcher, actionEvent('mt:confirm-start', first.buttons![0]!.value, otherStaff));
    const again = (await dispatch(dispatcher, actionEvent('mt:confirm-start', second.buttons![0]!.value, staff))).replies[0]!;

    expect(again.text).toContain('already on');
    expect(await t.deps.db.select().from(maintenanceRecord)).toHaveLength(1);
    expect(await t.deps.troposphereDb!.select().from(apiMaintenanceRecord)).toHaveLength(1);
    expect(await listMaintenanceWindows(t.deps.db, ['started'])).toHaveLength(1);
    expect(fake.state.maintenances.filter((m) => m.name === 'Emergency patch')).toHaveLength(1);
    expect(fake.requests.filter((r) => r.route === 'maintenance/start')).toHaveLength(1);
  });
});
