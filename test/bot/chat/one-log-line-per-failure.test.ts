import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../src/bot/chat/create-dispatcher.js';
import { actionDefinitions, commandDefinitions } from '../../../src/handlers/index.js';
import { createRestGateway } from '../../../src/integrations/atmosphere/rest-gateway.js';
import { requireStatusTypeId } from '../../../src/db/queries/statuses.js';
import { createMemoryLogger } from '../../../src/logger.js';
import { dbKinds } from '../../support/databases.js';
import { commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { startFakeAtmosphereApi, type FakeAtmosphereApi } from '../../fakes/atmosphere-api.js';
import { requestIdOf } from '../../e2e/e2e-support.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };
const WARN = 40;

describe.each(dbKinds())('a failed Atmosphere call during a command, on %s', (kind) => {
  let t: TestContext;
  let api: FakeAtmosphereApi;

  beforeEach(async () => {
    t = await createTestContext(kind);
    api = await startFakeAtmosphereApi();
  });
  afterEach(async () => {
    await api.close();
    await t.database.drop();
  });

  it('is logged once, with its facts and without the token, and answered with the renderer sentence', async () => {
    const memory = createMemoryLogger();
    const deps = { ...t.deps, log: memory.log };
    const gateway = createRestGateway({ baseUrl: api.url, token: api.token, statusId: (name) => requireStatusTypeId(t.deps.db, name), log: memory.log });
    const dispatcher = createDispatcher({ ...deps, gateway }, commandDefinitions, actionDefinitions);
    const id = await requestIdOf(t.deps.db, 'alee');
    api.failNext({ method: 'PATCH' }, 403);

    const { replies } = await dispatch(dispatcher, commandEvent(`deny ${id} not this term`, kpatel));

    expect(replies.map((reply) => reply.text)).toEqual([
      'The Atmosphere API refused: You do not have permission to perform this action. The account behind ATMOSPHERE_API_TOKEN must be staff.',
    ]);
    const failures = memory.lines.filter((line) => (line.level as number) >= WARN);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      msg: 'integration failed',
      name: 'deny',
      err: { service: 'atmosphere', status: 403, operation: `PATCH /admin/resource_requests/${id}`, detail: 'You do not have permission to perform this action.' },
    });
    expect(JSON.stringify(memory.lines)).not.toContain(api.token);
  });
});
