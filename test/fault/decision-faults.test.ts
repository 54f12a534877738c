import { drainAudit } from '../../src/db/queries/audit.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { resourceRequest } from '../../src/db/atmosphere-schema.js';
import { auditLog, decision, requestEvent } from '../../src/db/bot-schema/index.js';
import { requireStatusTypeId } from '../../src/db/queries/statuses.js';
import { findUserByUsername } from '../../src/db/queries/users.js';
import { DECISION_CLAIM_LEASE_MS } from '../../src/db/queries/decisions.js';
import { reconcileDecisions } from '../../src/handlers/decisions/reconcile-decisions.js';
import type { Reply } from '../../src/bot/chat/reply.js';
import { TEST_NOW } from '../support/databases.js';
import { commandEvent, recordingIO } from '../support/test-deps.js';
import { requestState, waitFor } from '../e2e/e2e-support.js';
import { freeImagingSlot, requestId as imagingRequestId } from '../handlers/imaging/imaging-support.js';
import { startFaultBot, statusPatches, TEST_API_TIMEOUT_MS, type FaultBot } from './decision-harness.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };
const mdelgado = { id: 'c-mdelgado', actingAs: 'mdelgado' };
/** Untrue of a decision that Atmosphere applied, whoever reads about it. */
const UNTRUTHFUL = /something went wrong|outside the bot/i;
/** Untrue, in addition, for the person whose decision it was. */
const NOTHING_DONE = /nothing (more )?was (done|changed)/i;

// Fault injection needs a real Postgres behind a TCP proxy, and real sockets to the fake Atmosphere.
describe.runIf(Boolean(process.env.TEST_DATABASE_URL))('decisions under faults (real Postgres, fake Atmosphere)', () => {
  let f: FaultBot;
  /** Runs after the fake Atmosphere applied a change and before it answers: a fault in the bot's database link. */
  let afterApply: (() => void) | null = null;

  beforeAll(async () => {
    f = await startFaultBot();
    const mirror = f.atmosphere.onChange;
    f.atmosphere.onChange = async (call) => {
      await mirror?.(call);
      const fault = afterApply;
      afterApply = null;
      fault?.();
    };
  }, 120_000);
  afterAll(async () => {
    await f?.close();
  });

  /** A fresh pending request from jsmith, so every case starts from its own record. */
  async function newRequest(): Promise<number> {
    const owner = await findUserByUsername(f.database.atmosphere.db, 'jsmith');
    const [row] = await f.database.atmosphere.db
      .insert(resourceRequest)
      .values({ request: 'cpu: 32', description: 'fault case', createdById: owner!.id, statusId: await requireStatusTypeId(f.database.atmosphere.db, 'pending') })
      .returning({ id: resourceRequest.id });
    return row!.id;
  }

  /** Starts one event and resolves with its first reply, without waiting for the audit row after it. */
  async function firstReply(text: string, user: typeof kpatel): Promise<{ reply: Reply; done: Promise<unknown> }> {
    const { io, replies } = recordingIO();
    const done = f.dispatcher.handle(commandEvent(text, user), io);
    const reply = await waitFor('a reply', () => replies[0], 60_000);
    return { reply, done };
  }

  /** What the journal, the history and the audit log hold for a request (read directly, not through the proxy). */
  async function records(id: number) {
    const db = f.database.atmosphere.db;
    const decisions = await db.select().from(decision).where(and(eq(decision.subject, 'resource_request'), eq(decision.recordId, id)));
    const history = await db.select().from(requestEvent).where(and(eq(requestEvent.subject, 'resource_request'), eq(requestEvent.recordId, id)));
    const audit = (await db.select().from(auditLog)).filter((row) => row.input.includes(String(id)));
    return { decisions, history, audit };
  }

  function expectCompleteAsKpatels(rows: Awaited<ReturnType<typeof records>>) {
    expect(rows.decisions).toMatchObject([{ state: 'done', decidedBy: 'kpatel', action: 'approve' }]);
    expect(rows.history).toMatchObject([{ action: 'approved', actor: 'kpatel' }]);
    expect(rows.audit.some((row) => row.outcome === 'ok')).toBe(true);
  }

  it.each([
    ['a 500 after applying', 500],
    ['a 502 after applying', 502],
    ['a reset connection after applying', 'reset'],
    ['no answer (timeout) after applying', 'hang'],
  ] as const)('%s: held, never sent twice, recorded as the first person\'s after recovery', async (_name, outcome) => {
    const id = await newRequest();
    f.atmosphere.failAfterApplying({ method: 'PATCH', pathPrefix: `/admin/resource_requests/${id}` }, outcome);
    const first = await firstReply(`approve ${id}`, kpatel);
    await first.done;
    expect(first.reply.text).not.toMatch(UNTRUTHFUL);
    expect(first.reply.text).not.toMatch(NOTHING_DONE);
    expect(first.reply.text).toMatch(/holds this decision as kpatel's and will not send it again/);
    expect((await records(id)).decisions).toMatchObject([{ state: 'held' }]);
    expect((await requestState(f.database.atmosphere.db, id)).status).toBe('approved');

    // Someone else tries: the bot re-reads Atmosphere, sees the approval and credits kpatel.
    const second = await firstReply(`approve ${id}`, mdelgado);
    await second.done;
    expect(second.reply.text).toMatch(new RegExp(`^Request #${id} was approved by kpatel .*recorded it afterwards`));
    expect(second.reply.text).not.toMatch(UNTRUTHFUL);
    expect(statusPatches(f.atmosphere, id)).toHaveLength(1);
    expectCompleteAsKpatels(await records(id));
    const reconciled = (await records(id)).audit.filter((row) => row.name === 'decision:reconcile');
    expect(reconciled).toMatchObject([{ outcome: 'ok', atmosphereUsername: 'kpatel' }]);

    const view = await firstReply(`request ${id}`, mdelgado);
    const history = view.reply.fields?.find((field) => field.label === 'History')?.value ?? '';
    expect(history).toMatch(/Bot: was approved by kpatel/);
    expect(JSON.stringify(view.reply)).not.toMatch(UNTRUTHFUL);
  }, 60_000);

  it('an imaging approval answered 500 after applying: held, never sent twice, recorded as the first person\'s', async () => {
    const db = f.database.atmosphere.db;
    await freeImagingSlot(db);
    const trinity = await imagingRequestId(db, 'Trinity 2.11 RNA-Seq');
    const patches = () => f.atmosphere.calls.filter((call) => call.method === 'PATCH' && call.path.endsWith(`/machine_requests/${trinity}`));
    f.atmosphere.failAfterApplying({ method: 'PATCH', pathPrefix: `/machine_requests/${trinity}` }, 500);
    const first = await firstReply(`imaging approve ${trinity}`, kpatel);
    await first.done;
    expect(first.reply.text).toMatch(/holds this decision as kpatel's.*holds the imaging slot/s);
    expect(first.reply.text).not.toMatch(UNTRUTHFUL);

    const second = await firstReply(`imaging approve ${trinity}`, mdelgado);
    await second.done;
    expect(second.reply.text).toMatch(new RegExp(`^Imaging request #${trinity} was approved by kpatel .*recorded it afterwards`));
    expect(patches()).toHaveLength(1);
    const rows = await db.select().from(decision).where(and(eq(decision.subject, 'machine_request'), eq(decision.recordId, trinity)));
    expect(rows).toMatchObject([{ state: 'done', decidedBy: 'kpatel' }]);
    const history = await db.select().from(requestEvent).where(and(eq(requestEvent.subject, 'machine_request'), eq(requestEvent.recordId, trinity)));
    expect(history.filter((event) => event.action === 'approved')).toMatchObject([{ actor: 'kpatel' }]);
  }, 60_000);

  it('a timed-out approval that lands after the retry: exactly one PATCH, credit to the first person', async () => {
    const id = await newRequest();
    // Atmosphere is slow: it applies the change well after the bot gave up waiting.
    f.atmosphere.delay(TEST_API_TIMEOUT_MS + 4_000);
    const first = await firstReply(`approve ${id}`, kpatel);
    f.atmosphere.delay(0);
    await first.done;
    expect(first.reply.text).toMatch(/did not answer in time.*holds this decision as kpatel's/s);

    // The retry comes while Atmosphere still shows pending: nothing is sent, the claim stays kpatel's.
    const retry = await firstReply(`approve ${id}`, mdelgado);
    await retry.done;
    expect(retry.reply.text).toMatch(new RegExp(`^Request #${id} was approved by kpatel through the bot .*no clear answer.*Nothing was sent again\\.$`, 's'));
    expect(statusPatches(f.atmosphere, id)).toHaveLength(1);

    await waitFor('Atmosphere to apply the late approval', async () => (await requestState(f.database.atmosphere.db, id)).status === 'approved', 30_000);
    const late = await firstReply(`approve ${id}`, mdelgado);
    await late.done;
    expect(late.reply.text).toMatch(new RegExp(`^Request #${id} was approved by kpatel .*recorded it afterwards`));
    expect(statusPatches(f.atmosphere, id)).toHaveLength(1);
    expectCompleteAsKpatels(await records(id));
  }, 60_000);

  it('a 500 that did not apply: held for the hold time, then released by the reconciler', async () => {
    const id = await newRequest();
    f.atmosphere.failNext({ method: 'PATCH', pathPrefix: `/admin/resource_requests/${id}` }, 500);
    const first = await firstReply(`approve ${id}`, kpatel);
    await first.done;
    expect(first.reply.text).toMatch(/holds this decision as kpatel's/);
    expect(await reconcileDecisions(f.deps)).toMatchObject({ held: 1 });
    expect((await records(id)).decisions).toMatchObject([{ state: 'held' }]);

    f.setNow(new Date(TEST_NOW.getTime() + 31 * 60_000));
    try {
      expect(await reconcileDecisions(f.deps)).toMatchObject({ released: 1 });
      expect((await records(id)).decisions).toEqual([]);
      expect((await records(id)).audit.filter((row) => row.name === 'decision:reconcile')).toMatchObject([{ outcome: 'released' }]);
      // Only now, with Atmosphere still showing pending after the hold, may a second PATCH go out.
      const again = await firstReply(`approve ${id}`, mdelgado);
      await again.done;
      expect(again.reply.text).toMatch(new RegExp(`^Request #${id} \\(jsmith\\) was approved by mdelgado`));
      expect(statusPatches(f.atmosphere, id)).toHaveLength(2);
    } finally {
      f.setNow(TEST_NOW);
    }
  }, 60_000);

  it.each([
    ['cut', () => {
      f.proxy.refuse();
      f.proxy.cut();
    }],
    ['hung', () => f.proxy.hang()],
  ] as const)('the bot\'s database link %s after the PATCH succeeded: a truthful reply, and complete rows after recovery', async (_name, fault) => {
    const id = await newRequest();
    afterApply = fault;
    const first = await firstReply(`approve ${id}`, kpatel);
    expect(first.reply.text).toMatch(new RegExp(`^Request #${id} \\(jsmith\\) was approved by kpatel`));
    expect(first.reply.text).toMatch(/Atmosphere has applied it, but the bot's database did not answer/);
    expect(first.reply.text).not.toMatch(UNTRUTHFUL);
    expect(first.reply.text).not.toMatch(NOTHING_DONE);
    expect((await requestState(f.database.atmosphere.db, id)).status).toBe('approved');

    f.proxy.heal();
    await first.done;
    // After the lease the reconciler completes whatever the bot could not write.
    f.setNow(new Date(TEST_NOW.getTime() + DECISION_CLAIM_LEASE_MS + 60_000));
    try {
      await reconcileDecisions(f.deps);
      expect(statusPatches(f.atmosphere, id)).toHaveLength(1);
      // Audit rows written while the link was down wait in the bot's backlog until it is flushed.
      await drainAudit(f.deps.db);
      expectCompleteAsKpatels(await records(id));
      // A second run finds nothing more to do: no second history row.
      await reconcileDecisions(f.deps);
      expect((await records(id)).history).toHaveLength(1);
    } finally {
      f.setNow(TEST_NOW);
    }
  }, 90_000);
});
