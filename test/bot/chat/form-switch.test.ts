import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKinds } from '../../support/databases.js';
import { actionEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { getResourceRequest } from '../../../src/db/queries/resource-requests.js';
import { requestIdOf } from '../../e2e/e2e-support.js';



/**
 * On Discord a modal submission names its action itself (the custom id), so a modified client can
 * send a Deny form's values under the Approve action. The dispatcher refuses a form that is not the
 * one its action shows, before anything runs.
 */
describe.each(dbKinds())('a submitted form switched to another action, on %s', (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind);
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  it('refuses a Deny form sent as an approval, and changes nothing', async () => {
    const id = await requestIdOf(t.deps.db, 'alee2');
    const before = await getResourceRequest(t.deps.db, id);
    expect(before?.status).toBe('pending');
    const { replies } = await dispatch(t.dispatcher, actionEvent('rr:approve', String(id), { platform: 'console', id: 'op', actingAs: 'kpatel' }, { reason: 'forged' }));
    expect(replies[0]?.text).toMatch(/form does not belong to this button, so I did nothing/);
    expect((await getResourceRequest(t.deps.db, id))?.status).toBe('pending');
  });

  it('refuses form values sent to an action that shows no form', async () => {
    const { replies } = await dispatch(t.dispatcher, actionEvent('mr:approve', '1', { platform: 'console', id: 'op', actingAs: 'kpatel' }, { reason: 'forged' }));
    expect(replies[0]?.text).toMatch(/form does not belong to this button/);
  });
});
