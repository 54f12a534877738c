import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { dbKinds } from '../../support/databases.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { auditLog, decision } from '../../../src/db/bot-schema/index.js';
import { identity, quota, resourceRequest } from '../../../src/db/atmosphere-schema.js';
import { getResourceRequest } from '../../../src/db/queries/resource-requests.js';
import { requireStatusTypeId } from '../../../src/db/queries/statuses.js';
import { findUserByUsername } from '../../../src/db/queries/users.js';
import { requestEvent } from '../../../src/db/bot-schema/index.js';
import { TEST_NOW } from '../../support/databases.js';

/**
 * The demo's pending requests by requester. The demo inserts requests in submission order, as
 * Atmosphere assigns ids, so the oldest pending one (tgarcia's) has the lowest id.
 */
const RR = { tgarcia: 6, rnguyen: 7, alee: 8, alee2: 9, jsmith: 10 } as const;

const kpatel = { id: 'op', actingAs: 'kpatel' };
const mdelgado = { id: 'op2', actingAs: 'mdelgado' };
const jsmith = { id: 'op3', actingAs: 'jsmith' };

describe.each(dbKinds())('resource requests on %s', (kind) => {
  let t: TestContext;

  beforeAll(async () => {
    t = await createTestContext(kind);
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  async function lastAudit() {
    const rows = await t.deps.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1);
    return rows[0]!;
  }

  async function statusOf(id: number) {
    return (await getResourceRequest(t.deps.db, id))?.status;
  }

  it('lists pending requests oldest first with quotas and Approve/Deny buttons on each', async () => {
    const { replies } = await dispatch(t.dispatcher, commandEvent('requests', kpatel));
    const reply = replies[0]!;
    expect(reply.text).toMatch(/^5 pending resource requests, oldest first/);
    expect(reply.sections?.map((s) => s.text.split(' ')[0])).toEqual(['#6', '#7', '#8', '#9', '#10']);
    const jsmithSection = reply.sections!.find((s) => s.text.startsWith('#10 '))!;
    expect(jsmithSection.text).toContain('jsmith (jsmith@example.edu)');
    expect(jsmithSection.text).toContain('CyVerse Cloud - Tucson: cpu 16');
    // What the text asks, the quota and the allocation side by side.
    expect(jsmithSection.text).toContain('Read as: quota cpu 32 · memory 128 GB | allocation none named');
    expect(reply.sections!.find((s) => s.text.startsWith(`#${RR.alee} `))!.text).toContain('Read as: quota none named | allocation 1,000 AU');
    expect(reply.sections!.find((s) => s.text.startsWith(`#${RR.rnguyen} `))!.text).toContain('Read as: quota storage 2 TB · volumes 4 | allocation none named');
    expect(jsmithSection.buttons).toEqual([
      { label: 'Approve', action: 'rr:approve', value: '10:list', style: 'primary' },
      { label: 'Deny', action: 'rr:deny', value: '10:list', style: 'danger' },
    ]);
    expect((await lastAudit()).outcome).toBe('ok');
  });

  it('shows one request with its history', async () => {
    const { replies } = await dispatch(t.dispatcher, commandEvent(`request ${RR.rnguyen}`, kpatel));
    const fields = Object.fromEntries(replies[0]!.fields!.map((f) => [f.label, f.value]));
    expect(fields.Requester).toContain('rnguyen');
    expect(fields.Status).toBe('pending');
    expect(fields['On Jetstream - TACC']).toContain('Quota: cpu 16');
    expect(replies[0]!.buttons?.map((b) => `${b.action}:${b.value}`)).toEqual([`rr:approve:${RR.rnguyen}`, `rr:deny:${RR.rnguyen}`, `rr:close:${RR.rnguyen}`]);
    expect(fields.Allocation).toContain('rnguyen: 336 AU allowed');
    expect(fields.Allocation).toContain('TG-BIO210056: 100,000 AU allowed, shared by 2 users');
  });

  it('asks for the approve form first, then approves with a new quota through the gateway', async () => {
    const first = await dispatch(t.dispatcher, actionEvent('rr:approve', `${RR.jsmith}`, kpatel));
    expect(first.outcome).toMatchObject({ kind: 'form', action: 'rr:approve', value: String(RR.jsmith) });
    expect(await statusOf(RR.jsmith)).toBe('pending');

    const beforeQuotas = await t.deps.db.select().from(quota);
    const done = await dispatch(t.dispatcher, actionEvent('rr:approve', `${RR.jsmith}`, kpatel, { message: 'Enjoy the workshop', quota: 'cpu=48 memory=192' }));
    expect(done.replies[0]!.text).toContain(`Approved request #${RR.jsmith} from jsmith`);
    expect(await statusOf(RR.jsmith)).toBe('approved');
    const request = await t.deps.db.select().from(resourceRequest).where(eq(resourceRequest.id, RR.jsmith));
    expect(request[0]!.adminMessage).toBe('Enjoy the workshop');

    // A new quota row was created (never an edit) and assigned to jsmith's only identity.
    const afterQuotas = await t.deps.db.select().from(quota);
    expect(afterQuotas.length).toBe(beforeQuotas.length + 1);
    for (const old of beforeQuotas) expect(afterQuotas.find((q) => q.id === old.id)).toEqual(old);
    const user = await findUserByUsername(t.deps.db, 'jsmith');
    const [ident] = await t.deps.db.select().from(identity).where(eq(identity.createdById, user!.id));
    const [assigned] = await t.deps.db.select().from(quota).where(eq(quota.id, ident!.quotaId));
    expect(assigned).toMatchObject({ cpu: 48, memory: 192, storage: 10 });

    // The single-request message the button sat on now shows the decision and has no buttons.
    expect(done.updates[0]!.text).toBe(`Resource request #${RR.jsmith} from jsmith: approved`);
    expect(done.updates[0]!.buttons).toBeUndefined();
    expect(done.updates[0]!.footer).toMatch(/^Request was approved by kpatel at /);
  });

  it('tells a second clicker who decided, does nothing, and refreshes their stale message', async () => {
    const { outcome, replies, updates } = await dispatch(t.dispatcher, actionEvent('rr:approve', `${RR.jsmith}`, mdelgado));
    expect(outcome.kind).toBe('done');
    expect(replies[0]!.text).toMatch(new RegExp(`^Request #${RR.jsmith} was approved by kpatel at .* \\(on console\\)\\. Nothing more was done\\.$`));
    expect(updates).toHaveLength(1);
    const claims = await t.deps.db.select().from(decision).where(eq(decision.recordId, RR.jsmith));
    expect(claims).toHaveLength(1);
    expect(await lastAudit()).toMatchObject({ outcome: 'refused', name: 'rr:approve', atmosphereUsername: 'mdelgado' });
  });

  it('needs a quota to pick a provider when the requester has several identities', async () => {
    const { replies } = await dispatch(t.dispatcher, actionEvent('rr:approve', `${RR.alee}`, kpatel, { quota: 'cpu=8' }));
    expect(replies[0]!.text).toContain('several providers');
    expect(await statusOf(RR.alee)).toBe('pending');
    expect(await t.deps.db.select().from(decision).where(eq(decision.recordId, RR.alee))).toHaveLength(0);
    const ok = await dispatch(t.dispatcher, commandEvent(`approve ${RR.alee} --quota "cpu=8" --provider tucson`, kpatel));
    expect(ok.replies[0]!.text).toContain('New quota on CyVerse Cloud - Tucson: cpu 8');
    expect(await statusOf(RR.alee)).toBe('approved');
  });

  it('denies with a required reason, and end-dates the request as Atmosphere does', async () => {
    const missing = await dispatch(t.dispatcher, actionEvent('rr:deny', `${RR.alee2}:list`, kpatel, { reason: '   ' }));
    expect(missing.replies[0]!.text).toContain('a denial needs a reason');
    expect(await statusOf(RR.alee2)).toBe('pending');
    const done = await dispatch(t.dispatcher, actionEvent('rr:deny', `${RR.alee2}:list`, kpatel, { reason: `Duplicate of #${RR.alee}` }));
    expect(done.replies[0]!.text).toContain(`Denied request #${RR.alee2}`);
    // The list the button sat on is redrawn without that request, with a note of the decision.
    expect(done.updates[0]!.text).toContain(`Request #${RR.alee2} (alee2) was denied by kpatel`);
    expect(done.updates[0]!.sections?.some((s) => s.text.startsWith(`#${RR.alee2} `))).toBe(false);
    expect(done.updates[0]!.sections?.some((s) => s.text.startsWith(`#${RR.rnguyen} `))).toBe(true);
    const [row] = await t.deps.db.select().from(resourceRequest).where(eq(resourceRequest.id, RR.alee2));
    expect(row!.endDate).not.toBeNull();
    expect(await statusOf(RR.alee2)).toBe('denied');
  });

  it('records each decision in the request history', async () => {
    const events = await t.deps.db.select().from(requestEvent).where(eq(requestEvent.subject, 'resource_request'));
    expect(events.map((e) => [e.recordId, e.action, e.actor])).toEqual(expect.arrayContaining([[RR.jsmith, 'approved', 'kpatel'], [RR.alee2, 'denied', 'kpatel']]));
    expect(events.find((e) => e.recordId === RR.alee2)?.note).toBe(`Duplicate of #${RR.alee}`);
  });

  it('waits for a claim in progress, but takes over one abandoned by a replica that died mid-call', async () => {
    const claim = { subject: 'resource_request', recordId: RR.tgarcia, round: 0, action: 'approve', state: 'in_progress', decidedBy: 'mdelgado', platform: 'slack', chatUserId: 'UM' };
    await t.deps.db.insert(decision).values({ ...claim, decidedAt: new Date(TEST_NOW.getTime() - 60_000) });
    const busy = await dispatch(t.dispatcher, actionEvent('rr:approve', `${RR.tgarcia}`, kpatel, { message: '' }));
    expect(busy.replies[0]!.text).toMatch(new RegExp(`^Request #${RR.tgarcia} is being approved by mdelgado right now`));
    expect(await statusOf(RR.tgarcia)).toBe('pending');

    await t.deps.db.update(decision).set({ decidedAt: new Date(TEST_NOW.getTime() - 10 * 60_000) }).where(eq(decision.recordId, RR.tgarcia));
    const taken = await dispatch(t.dispatcher, actionEvent('rr:approve', `${RR.tgarcia}`, kpatel, { message: '' }));
    expect(taken.replies[0]!.text).toContain(`Approved request #${RR.tgarcia} from tgarcia`);
    expect(await statusOf(RR.tgarcia)).toBe('approved');
    const rows = await t.deps.db.select().from(decision).where(eq(decision.recordId, RR.tgarcia));
    expect(rows).toMatchObject([{ decidedBy: 'kpatel', state: 'done' }]);
  });

  it('refuses a non-staff click before any form and audits it', async () => {
    const { outcome, replies } = await dispatch(t.dispatcher, actionEvent('rr:approve', `${RR.rnguyen}`, jsmith));
    expect(outcome.kind).toBe('done');
    expect(replies[0]!.text).toBe('Only Atmosphere staff can do that, and jsmith is not staff.');
    expect(await statusOf(RR.rnguyen)).toBe('pending');
    expect(await lastAudit()).toMatchObject({ outcome: 'refused', name: 'rr:approve', input: String(RR.rnguyen) });
  });

  it('refuses self-approval', async () => {
    const staff = await findUserByUsername(t.deps.db, 'mdelgado');
    const [own] = await t.deps.db
      .insert(resourceRequest)
      .values({ request: 'cpu: 64', description: 'load test', createdById: staff!.id, statusId: await requireStatusTypeId(t.deps.db, 'pending') })
      .returning({ id: resourceRequest.id });
    const { replies } = await dispatch(t.dispatcher, actionEvent('rr:approve', String(own!.id), mdelgado, { message: 'ok' }));
    expect(replies[0]!.text).toBe(`Request #${own!.id} is your own; another staff member has to decide it.`);
    expect(await statusOf(own!.id)).toBe('pending');
    expect(await lastAudit()).toMatchObject({ outcome: 'refused' });
  });

  it('refuses an unknown request id', async () => {
    const { replies } = await dispatch(t.dispatcher, actionEvent('rr:approve', '424242', kpatel, { message: '' }));
    expect(replies[0]!.text).toBe('There is no resource request #424242. /atmo requests lists the pending ones.');
    expect(await lastAudit()).toMatchObject({ outcome: 'refused', input: '424242' });
  });

  it.each([['4; drop table quota'], ['-4'], ['4:list:again'], [''], ['99999999999']])('refuses a tampered button value %j', async (value) => {
    const before = await t.deps.db.select().from(decision);
    const { replies } = await dispatch(t.dispatcher, actionEvent('rr:approve', value, kpatel, { message: 'x' }));
    expect(replies[0]!.text).toBe('That button carries a value I cannot accept, so I did nothing. Run the command again for fresh buttons.');
    expect(await t.deps.db.select().from(decision)).toEqual(before);
    expect(await lastAudit()).toMatchObject({ outcome: 'usage', name: 'rr:approve', input: value });
  });

  it('refuses a button for an action it does not know', async () => {
    const { replies } = await dispatch(t.dispatcher, actionEvent('rr:delete', '4', kpatel));
    expect(replies[0]!.text).toContain('That button is not one I know');
    expect(await lastAudit()).toMatchObject({ outcome: 'usage', name: 'rr:delete' });
  });

  it.each([
    ['request', 'Usage: /atmo request <id>'],
    ['request four', 'the resource request id must be a number'],
    ['approve 4 --quota "cpu=many"', 'cpu must be a whole number'],
    ['approve 4 --force', 'unknown option --force'],
    ['deny 4', 'a denial needs a reason'],
    ['frobnicate everything', 'I don\'t know the command "frobnicate"'],
    ['deny 4 "unclosed', 'a double quote is not closed'],
  ])('answers garbage %j with what was wrong and how to do it right', async (text, expected) => {
    const { replies } = await dispatch(t.dispatcher, commandEvent(text, kpatel));
    expect(replies[0]!.text.toLowerCase()).toContain(expected.toLowerCase());
    expect(await statusOf(RR.rnguyen)).toBe('pending');
    expect(await lastAudit()).toMatchObject({ outcome: 'usage', input: text });
  });

  it('shows in help only what the caller may run', async () => {
    const shown = (reply: { text: string; sections?: { text: string }[] }) => [reply.text, ...(reply.sections ?? []).map((section) => section.text)].join('\n');
    const staffHelp = shown((await dispatch(t.dispatcher, commandEvent('help', kpatel))).replies[0]!);
    const userHelp = shown((await dispatch(t.dispatcher, commandEvent('help', { platform: 'slack', id: 'UNOBODY' }))).replies[0]!);
    expect(staffHelp).toContain('/atmo requests');
    expect(userHelp).not.toContain('/atmo requests');
    expect(userHelp).toContain('/atmo whoami');
    expect(userHelp).not.toContain('/atmo link');
  });
});
