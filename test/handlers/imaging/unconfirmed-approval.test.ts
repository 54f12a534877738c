import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { IntegrationError } from '../../../src/errors.js';
import { createEmbeddedGateway } from '../../../src/integrations/atmosphere/embedded-gateway.js';
import type { AtmosphereGateway } from '../../../src/integrations/atmosphere/gateway.js';
import { listImagingQueue } from '../../../src/db/queries/imaging-queue.js';
import { listRequestEvents } from '../../../src/db/queries/request-events.js';
import { TEST_NOW } from '../../support/databases.js';
import { commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { freeImagingSlot, requestId, statusOf } from './imaging-support.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };

describe('an approval whose API call gives no clear answer', () => {
  let t: TestContext;
  let dispatcher: Dispatcher;
  let failNextApproval: IntegrationError | null = null;

  beforeEach(async () => {
    t = await createTestContext('pglite');
    const embedded = createEmbeddedGateway(t.deps.db, () => t.deps.now());
    // Atmosphere behind a gateway whose next approval times out without being applied.
    const gateway: AtmosphereGateway = {
      ...embedded,
      async setMachineRequestStatus(input) {
        if (input.status === 'approved' && failNextApproval) {
          const error = failNextApproval;
          failNextApproval = null;
          throw error;
        }
        return embedded.setMachineRequestStatus(input);
      },
    };
    t.deps.gateway = gateway;
    dispatcher = t.dispatcher;
    await freeImagingSlot(t.deps.db);
  });
  afterEach(async () => {
    await t.database.drop();
  });

  it('holds the imaging slot for the unconfirmed request, then frees it if Atmosphere never applied it', async () => {
    const trinity = await requestId(t.deps.db, 'Trinity 2.11 RNA-Seq');
    const rstudio = await requestId(t.deps.db, 'RStudio 4.0 Bioconductor Workshop');

    failNextApproval = new IntegrationError('atmosphere', 'the Atmosphere API did not answer in time', { cause: new DOMException('timed out', 'TimeoutError') });
    const first = await dispatch(dispatcher, commandEvent(`imaging approve ${trinity}`, kpatel));
    expect(first.replies[0]!.text).toMatch(/did not answer|in time/i);
    expect(await statusOf(t.deps.db, trinity)).toBe('pending');
    const history = await listRequestEvents(t.deps.db, 'machine_request', [trinity]);
    expect(history.map((e) => e.action)).toContain('approval-unconfirmed');

    // Atmosphere may still start #trinity: a second approval must queue, not start beside it.
    const second = await dispatch(dispatcher, commandEvent(`imaging approve ${rstudio}`, kpatel));
    expect(second.replies[0]!.text).toContain('queue');
    expect(await statusOf(t.deps.db, rstudio)).toBe('pending');
    expect((await listImagingQueue(t.deps.db)).map((q) => q.requestId)).toEqual([rstudio]);

    // Half an hour later #trinity still reads pending: the approval never landed, so the slot is free.
    t.setNow(new Date(TEST_NOW.getTime() + 31 * 60_000));
    const third = await dispatch(dispatcher, commandEvent(`imaging approve ${trinity}`, kpatel));
    expect(third.replies[0]!.text).not.toContain('queue');
    expect(await statusOf(t.deps.db, trinity)).toBe('started');
  });

  it('does not hold the slot after a plain refusal (4xx): nothing can have been applied', async () => {
    const trinity = await requestId(t.deps.db, 'Trinity 2.11 RNA-Seq');
    const rstudio = await requestId(t.deps.db, 'RStudio 4.0 Bioconductor Workshop');
    failNextApproval = new IntegrationError('atmosphere', 'the Atmosphere API rejected the request', { status: 400, detail: 'status: bad' });
    await dispatch(dispatcher, commandEvent(`imaging approve ${trinity}`, kpatel));
    const history = await listRequestEvents(t.deps.db, 'machine_request', [trinity]);
    expect(history.map((e) => e.action)).not.toContain('approval-unconfirmed');
    await dispatch(dispatcher, commandEvent(`imaging approve ${rstudio}`, kpatel));
    expect(await statusOf(t.deps.db, rstudio)).toBe('started');
  });
});
