import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import { machineRequest } from '../../src/db/atmosphere-schema.js';
import { auditLog, decision, requestEvent } from '../../src/db/bot-schema/index.js';
import { drainAudit } from '../../src/db/queries/audit.js';
import { DECISION_CLAIM_LEASE_MS } from '../../src/db/queries/decisions.js';
import { listImagingQueue, removeQueuedRequest } from '../../src/db/queries/imaging-queue.js';
import { reconcileDecisions } from '../../src/handlers/decisions/reconcile-decisions.js';
import { advanceImagingQueue } from '../../src/handlers/imaging/advance-imaging-queue.js';
import { TEST_NOW } from '../support/databases.js';
import { commandEvent, dispatch } from '../support/test-deps.js';
import { freeImagingSlot, requestId, setStatus, statusOf } from '../handlers/imaging/imaging-support.js';
import { startFaultBot, type FaultBot } from './decision-harness.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };

/**
 * The imaging-queue job's own approval, journalled like a staff one: claimed in the bot's name before
 * the PATCH, its outcome written after, and finished by the reconciler when the answer or the bot's
 * database was lost in between. Real Postgres behind a TCP proxy, the real REST gateway against the
 * fake Atmosphere API (which writes every accepted change into the database itself).
 */
describe.runIf(Boolean(process.env.TEST_DATABASE_URL))('the imaging queue job under faults (real Postgres, fake Atmosphere)', () => {
  let f: FaultBot;
  let afterApply: (() => Promise<void> | void) | null = null;
  let trinity: number;
  let occupant: number;

  beforeAll(async () => {
    f = await startFaultBot();
    const mirror = f.atmosphere.onChange;
    f.atmosphere.onChange = async (call) => {
      await mirror?.(call);
      const fault = afterApply;
      afterApply = null;
      await fault?.();
    };
    trinity = await requestId(f.database.atmosphere.db, 'Trinity 2.11 RNA-Seq');
    occupant = await requestId(f.database.atmosphere.db, 'Genomics Workshop 2021');
  }, 120_000);
  afterAll(async () => {
    await f?.close();
  });

  /**
   * Trinity pending and queued by kpatel behind Genomics (imaging), then Genomics finished: the job's
   * next tick has Trinity to approve. Each case starts over from a fresh copy of the request.
   */
  beforeEach(async () => {
    const db = f.database.atmosphere.db;
    for (const queued of await listImagingQueue(db)) await removeQueuedRequest(db, queued.requestId);
    await freeImagingSlot(db);
    const [row] = await db.select().from(machineRequest).where(eq(machineRequest.id, trinity));
    const { id: _id, uuid: _uuid, ...rest } = row!;
    const [copy] = await db.insert(machineRequest).values({ ...rest, newApplicationName: `Queued copy ${Date.now()}` }).returning({ id: machineRequest.id });
    trinity = copy!.id;
    await setStatus(db, [trinity], 'pending');
    await setStatus(db, [occupant], 'started');
    const queued = await dispatch(f.dispatcher, commandEvent(`imaging approve ${trinity}`, kpatel));
    expect(queued.replies[0]!.text).toContain('queued at place 1');
    await setStatus(db, [occupant], 'completed');
  });

  const patches = () => f.atmosphere.calls.filter((call) => call.method === 'PATCH' && call.path.endsWith(`/machine_requests/${trinity}`));

  async function records() {
    const db = f.database.atmosphere.db;
    const decisions = await db
      .select()
      .from(decision)
      .where(and(eq(decision.subject, 'machine_request'), eq(decision.recordId, trinity)))
      .orderBy(asc(decision.round));
    const history = await db
      .select()
      .from(requestEvent)
      .where(and(eq(requestEvent.subject, 'machine_request'), eq(requestEvent.recordId, trinity)))
      .orderBy(asc(requestEvent.id));
    const audit = (await db.select().from(auditLog)).filter((row) => row.input === `machine_request ${trinity} approve`);
    return { decisions, history, audit, queue: (await listImagingQueue(db)).map((row) => row.requestId) };
  }

  it('claims in the bot\'s name before the PATCH and records the outcome after it', async () => {
    let claimAtPatch: unknown;
    afterApply = async () => {
      claimAtPatch = (await records()).decisions.at(-1);
    };
    expect(await advanceImagingQueue(f.deps)).toEqual({ approved: trinity });
    // While Atmosphere handled the PATCH, the claim was already there, marked as sent.
    expect(claimAtPatch).toMatchObject({ round: 1, action: 'approve', state: 'in_progress', decidedBy: 'atmo-bot', platform: 'job', plan: { from: 'pending', status: 'approved', event: 'auto-approved' } });
    expect((claimAtPatch as { sentAt: unknown }).sentAt).toBeInstanceOf(Date);

    const rows = await records();
    expect(rows.decisions).toMatchObject([
      { round: 0, decidedBy: 'kpatel', state: 'done', detail: { outcome: 'queued' } },
      { round: 1, decidedBy: 'atmo-bot', state: 'done', detail: { outcome: 'approved', queuedBy: 'kpatel' } },
    ]);
    expect(rows.history.map((event) => [event.action, event.actor])).toEqual([['queued', 'kpatel'], ['auto-approved', 'atmo-bot']]);
    expect(rows.history[1]!.note).toMatch(/^from the imaging queue; approved by kpatel at /);
    expect(rows.audit).toMatchObject([{ name: 'imaging-queue:approve', outcome: 'ok', kind: 'job', atmosphereUsername: 'atmo-bot' }]);
    expect(rows.queue).toEqual([]);
    expect(patches()).toHaveLength(1);
  }, 60_000);

  it.each([
    ['a 500 after applying', 500],
    ['no answer (timeout) after applying', 'hang'],
  ] as const)('%s: the claim is held, no replica sends a second PATCH, and the reconciler records the bot\'s approval', async (_name, outcome) => {
    f.atmosphere.failAfterApplying({ method: 'PATCH', pathPrefix: `/machine_requests/${trinity}` }, outcome);
    await expect(advanceImagingQueue(f.deps)).rejects.toMatchObject({ unclear: true, notes: [expect.stringMatching(/holds this decision as atmo-bot's and will not send it again/)] });
    expect(await statusOf(f.database.atmosphere.db, trinity)).toBe('approved');
    let rows = await records();
    expect(rows.decisions.at(-1)).toMatchObject({ decidedBy: 'atmo-bot', state: 'held' });
    expect(rows.audit).toMatchObject([{ outcome: 'held' }]);

    // The next tick (this or another replica) finds the held approval in the slot: nothing more is sent.
    expect(await advanceImagingQueue(f.deps)).toEqual({ approved: null });
    expect(patches()).toHaveLength(1);

    expect(await reconcileDecisions(f.deps)).toMatchObject({ completed: 1, failed: 0 });
    rows = await records();
    expect(rows.decisions.at(-1)).toMatchObject({ decidedBy: 'atmo-bot', state: 'done', detail: { reconciled: true } });
    expect(rows.history.filter((event) => event.action === 'auto-approved')).toMatchObject([{ actor: 'atmo-bot', platform: 'job' }]);
    expect(rows.history.find((event) => event.action === 'auto-approved')!.note).toMatch(/^from the imaging queue; approved by kpatel at .*recorded this afterwards/);
    expect(rows.audit.map((row) => [row.name, row.outcome])).toEqual([['imaging-queue:approve', 'held'], ['decision:reconcile', 'ok']]);
    expect(rows.queue).toEqual([]);
    expect(patches()).toHaveLength(1);
  }, 60_000);

  it('the bot\'s database link cut after the PATCH landed (a crash mid-way): completed by the reconciler after the lease, with one PATCH', async () => {
    afterApply = () => {
      f.proxy.refuse();
      f.proxy.cut();
    };
    expect(await advanceImagingQueue(f.deps)).toEqual({ approved: trinity });
    f.proxy.heal();
    expect(await statusOf(f.database.atmosphere.db, trinity)).toBe('approved');
    expect((await records()).decisions.at(-1)).toMatchObject({ decidedBy: 'atmo-bot', state: 'in_progress' });

    f.setNow(new Date(TEST_NOW.getTime() + DECISION_CLAIM_LEASE_MS + 60_000));
    try {
      expect(await reconcileDecisions(f.deps)).toMatchObject({ completed: 1 });
      await drainAudit(f.deps.db);
      const rows = await records();
      expect(rows.decisions.at(-1)).toMatchObject({ decidedBy: 'atmo-bot', state: 'done' });
      expect(rows.history.filter((event) => event.action === 'auto-approved')).toHaveLength(1);
      expect(rows.queue).toEqual([]);
      expect(rows.audit.map((row) => row.name)).toContain('decision:reconcile');
      expect(patches()).toHaveLength(1);
      expect(await reconcileDecisions(f.deps)).toMatchObject({ completed: 0 });
    } finally {
      f.setNow(TEST_NOW);
    }
  }, 90_000);

  it('a claim a stopped replica left before sending is given back, and the request stays queued for the next tick', async () => {
    // The claim a replica writes before its PATCH, as it was when that replica stopped.
    const db = f.database.atmosphere.db;
    await db.insert(decision).values({
      subject: 'machine_request',
      recordId: trinity,
      round: 1,
      action: 'approve',
      state: 'in_progress',
      decidedBy: 'atmo-bot',
      platform: 'job',
      chatUserId: 'atmo-bot',
      decidedAt: new Date(TEST_NOW.getTime() - DECISION_CLAIM_LEASE_MS - 60_000),
      plan: { from: 'pending', status: 'approved', event: 'auto-approved' },
      eventId: `imaging-queue:${trinity}`,
    });
    expect(await reconcileDecisions(f.deps)).toMatchObject({ released: 1 });
    expect((await records()).queue).toEqual([trinity]);
    expect(patches()).toHaveLength(0);

    expect(await advanceImagingQueue(f.deps)).toEqual({ approved: trinity });
    expect((await records()).decisions.at(-1)).toMatchObject({ round: 1, decidedBy: 'atmo-bot', state: 'done' });
    expect(patches()).toHaveLength(1);
  }, 60_000);
});
