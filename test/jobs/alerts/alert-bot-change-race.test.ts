import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../../src/deps.js';
import type { Who } from '../../../src/handlers/decisions/who.js';
import { resubmitMachineRequest } from '../../../src/handlers/imaging/decide-machine-request.js';
import { decideResourceRequest } from '../../../src/handlers/resource-requests/decide-resource-request.js';
import { listPendingResourceRequests } from '../../../src/db/queries/resource-requests.js';
import type { AtmosphereGateway } from '../../../src/integrations/atmosphere/gateway.js';
import { runAlertScan } from '../../../src/jobs/alert-scan-job.js';
import { runResourceReminders } from '../../../src/jobs/resource-reminder-job.js';
import { BOT_CHANGE_GRACE_MS } from '../../../src/jobs/alerts/sync-threads.js';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { createTestContext, type TestContext } from '../../support/test-deps.js';
import { machineRequestId, setMachineRequest } from './mutate-requests.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

const kpatel: Who = { username: 'kpatel', userId: null, platform: 'slack', chatUserId: 'UKPATEL', eventId: 'ev-race', channel: 'CSTAFF', messageId: null };

/**
 * The bot changes a status through the Atmosphere API and records its own event of it afterwards;
 * these ticks run between the two, as a scan on another replica (or the same one) may.
 */
describe.each(dbKinds())('alert threads when a tick runs between the bot’s change and its event, on %s', (kind) => {
  let t: TestContext;
  let clock = TEST_NOW;
  let slot = 0;

  beforeAll(async () => {
    t = await createTestContext(kind, { env: { ALERT_CHANNEL: 'console:alerts', IMAGING_STUCK_MINUTES: '120', RESOURCE_REQUEST_REMIND_HOURS: '72' } });
    await tick(0);
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  /** One tick of both request scans at `clock + ms`; returns what it posted in threads. */
  async function tick(ms = MINUTE) {
    clock = new Date(clock.getTime() + ms);
    t.setNow(clock);
    const posts = t.chat.posts.length;
    await runAlertScan(t.deps, { now: clock, slot: `scan-${++slot}` });
    await runResourceReminders(t.deps, { now: clock, slot: `remind-${slot}` });
    return t.chat.posts.slice(posts).filter((post) => post.thread).map((post) => post.reply.text);
  }

  /** The deps of a handler whose status call runs a tick right after Atmosphere applied it, then ends with `after`. */
  function racingDeps(ticks: string[][], after: () => void = () => {}): Deps {
    const gateway = t.deps.gateway;
    const racing: AtmosphereGateway = {
      ...gateway,
      setMachineRequestStatus: async (input) => {
        await gateway.setMachineRequestStatus(input);
        ticks.push(await tick(10 * SECOND));
        after();
      },
      setResourceRequestStatus: async (input) => {
        await gateway.setResourceRequestStatus(input);
        ticks.push(await tick(10 * SECOND));
        after();
      },
    };
    return { ...t.deps, gateway: racing };
  }

  function threadOf(title: string) {
    const parent = t.chat.posts.find((post) => !post.thread && post.reply.title?.startsWith(title));
    expect(parent, `a thread for ${title}`).toBeDefined();
    return () => t.chat.posts.filter((post) => post.thread?.id === parent!.ref.id).map((post) => post.reply.text);
  }

  it('tells a re-submission once, as the staff member’s, when a tick saw the status before the event', async () => {
    const id = await machineRequestId(t.deps.db, 'Jetstream Canary');
    const thread = threadOf(`Imaging request #${id}:`);
    const during: string[][] = [];
    await resubmitMachineRequest(racingDeps(during), kpatel, { id });
    expect(during).toEqual([[]]);
    expect(await tick()).toEqual([expect.stringMatching(/^kpatel re-submitted it on slack at .*\nRe-submitted: waiting for approval\.$/)]);
    expect(await tick()).toEqual([]);
    expect(thread()).toEqual([expect.stringMatching(/^kpatel re-submitted it on slack/)]);
  });

  it('tells a resource request’s denial once, as the staff member’s, when a tick saw the status before the event', async () => {
    const { rows } = await listPendingResourceRequests(t.deps.db, { limit: 50 });
    const id = rows.find((row) => row.requester.username === 'tgarcia')!.id;
    const thread = threadOf(`Resource request #${id}:`);
    const during: string[][] = [];
    await decideResourceRequest(racingDeps(during), kpatel, { id, decision: 'deny', message: 'no MPI quota this term' });
    expect(during).toEqual([[]]);
    expect(await tick()).toEqual([expect.stringMatching(/^kpatel denied it on slack at .*: no MPI quota this term\.\nDenied\. Resolved\.$/)]);
    expect(thread()).toHaveLength(1);
  });

  it('posts a change made outside the bot on the tick that sees it, event or not', async () => {
    const id = await machineRequestId(t.deps.db, 'GROMACS 2020 MD');
    const thread = threadOf(`Imaging request #${id}:`);
    await setMachineRequest(t.deps.db, id, 'closed');
    expect(await tick()).toEqual(['Closed. Resolved.']);
    expect(await tick()).toEqual([]);
    expect(thread()).toEqual(['Closed. Resolved.']);
  });

  it('posts the change without its event once the grace has passed, when the bot’s record of it never comes', async () => {
    const id = await machineRequestId(t.deps.db, 'Thesis MPI Environment');
    const thread = threadOf(`Imaging request #${id}:`);
    const during: string[][] = [];
    // Atmosphere applies it but the answer is lost: the claim is held and no event is written until
    // someone settles it.
    const lost = racingDeps(during, () => {
      throw new Error('socket hang up');
    });
    await expect(resubmitMachineRequest(lost, kpatel, { id })).rejects.toThrow(/socket hang up/);
    expect(during).toEqual([[]]);
    // Ten seconds into the change: still waiting for the bot's event.
    expect(await tick(10 * SECOND)).toEqual([]);
    expect(await tick(BOT_CHANGE_GRACE_MS)).toEqual(['Re-submitted: waiting for approval.']);
    expect(await tick()).toEqual([]);
    expect(thread()).toEqual(['Re-submitted: waiting for approval.']);
  });
});
