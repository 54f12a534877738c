import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import { createDispatcher } from '../../../src/bot/chat/create-dispatcher.js';
import { actionDefinitions, commandDefinitions } from '../../../src/handlers/index.js';
import { createRestGateway } from '../../../src/integrations/atmosphere/rest-gateway.js';
import { requireStatusTypeId } from '../../../src/db/queries/statuses.js';
import { allocationSource, atmosphereUser, identity, quota, resourceRequest } from '../../../src/db/atmosphere-schema.js';
import { auditLog, firstApproval } from '../../../src/db/bot-schema/index.js';
import { findDecision } from '../../../src/db/queries/decisions.js';
import { listRequestEvents } from '../../../src/db/queries/request-events.js';
import { getResourceRequest } from '../../../src/db/queries/resource-requests.js';
import { loadConfig } from '../../../src/config.js';
import { describeRequestEvent } from '../../../src/jobs/alerts/request-event-line.js';
import type { Dispatcher } from '../../../src/bot/chat/command.js';
import { dbKinds } from '../../support/databases.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { startMirroredAtmosphereApi } from '../../e2e/mirrored-atmosphere-api.js';
import { requestIdOf } from '../../e2e/e2e-support.js';
import type { FakeAtmosphereApi } from '../../fakes/atmosphere-api.js';

const kpatel = { id: 'op-k', actingAs: 'kpatel' };
const mdelgado = { id: 'op-m', actingAs: 'mdelgado' };
const THRESHOLDS = { BOT_ADMINS: 'slack:UADMIN', SECOND_REVIEW_CPU: '64', SECOND_REVIEW_MEMORY_GB: '256', SECOND_REVIEW_AU: '10000' };

/**
 * Two replicas of the bot on one database, both with the REST gateway against a fake Atmosphere API
 * that writes what it accepts back into that database, so every PATCH is counted.
 */
describe.each(dbKinds())('a second reviewer for large grants on %s', (kind) => {
  let t: TestContext;
  let api: FakeAtmosphereApi;
  let replicas: Dispatcher[];
  const db = () => t.deps.db;

  beforeAll(async () => {
    t = await createTestContext(kind, { env: THRESHOLDS });
    api = await startMirroredAtmosphereApi(t.deps.db);
    const gateway = createRestGateway({ baseUrl: api.url, token: api.token, statusId: (name) => requireStatusTypeId(t.deps.db, name), log: t.deps.log });
    replicas = [0, 1].map(() => createDispatcher({ ...t.deps, gateway }, commandDefinitions, actionDefinitions));
  }, 600_000);
  afterAll(async () => {
    await api?.close();
    await t?.database.drop();
  });

  const writes = (id: number) => api.calls.filter((call) => call.method !== 'GET' && (call.path.includes(`/resource_requests/${id}`) || call.path.includes('/identities/') || call.path.includes('/allocation_sources/') || call.path.endsWith('/quotas')));
  const cpuOf = async (username: string) =>
    (
      await db()
        .select({ cpu: quota.cpu })
        .from(identity)
        .innerJoin(quota, eq(quota.id, identity.quotaId))
        .innerJoin(atmosphereUser, eq(atmosphereUser.id, identity.createdById))
        .where(eq(atmosphereUser.username, username))
    )[0]!.cpu;

  it('reads the thresholds, empty meaning none, and refuses nonsense', () => {
    expect(loadConfig(THRESHOLDS)).toMatchObject({ SECOND_REVIEW_CPU: 64, SECOND_REVIEW_MEMORY_GB: 256, SECOND_REVIEW_AU: 10_000 });
    expect(loadConfig({ SECOND_REVIEW_CPU: '' }).SECOND_REVIEW_CPU).toBeUndefined();
    expect(() => loadConfig({ SECOND_REVIEW_AU: 'lots' })).toThrow(/SECOND_REVIEW_AU.*whole number above 0, or empty/s);
  });

  it('records a large approval as the first, sends nothing, and lets neither the first approver nor other values through', async () => {
    const id = await requestIdOf(db(), 'tgarcia');
    api.calls.splice(0);
    const first = await dispatch(replicas[0]!, commandEvent(`approve ${id} --quota "cpu=128 memory=192GB" --message "For the paper"`, kpatel));
    const reply = first.replies[0]!;
    expect(reply.title).toBe(`Resource request #${id}: awaiting a second reviewer`);
    expect(reply.text).toMatch(new RegExp(`^Request #${id} \\(tgarcia\\) was approved first by kpatel at 2026-11-23 17:00 UTC \\(on console\\)\\. Nothing is sent`));
    expect(reply.text).toContain('cpu 16 → 128');
    expect(reply.text).toContain('Needs a second reviewer: cpu 128 is above SECOND_REVIEW_CPU (64).');
    expect(reply.buttons?.map((b) => `${b.action}:${b.value}`)).toEqual([`rr:confirm:${id}`, `rr:deny:${id}`]);
    expect(reply.visibility).toBe('channel');
    expect(writes(id)).toEqual([]);
    expect((await getResourceRequest(db(), id))?.status).toBe('pending');
    expect(await findDecision(db(), 'resource_request', id)).toBeNull();
    const events = await listRequestEvents(db(), 'resource_request', [id]);
    expect(events.map((e) => [e.action, e.actor])).toEqual([['first-approved', 'kpatel']]);
    // A reminder thread on the request says it in words.
    expect(describeRequestEvent(events[0]!)).toBe('kpatel approved it first, waiting for a second reviewer on console at 2026-11-23 17:00 UTC: cpu 128 is above SECOND_REVIEW_CPU (64)');
    const audit = await db().select().from(auditLog).where(eq(auditLog.atmosphereUsername, 'kpatel')).orderBy(asc(auditLog.id));
    expect(audit.at(-1)).toMatchObject({ outcome: 'ok', detail: expect.objectContaining({ decision: 'first_approval', requestId: id }) });

    const own = await dispatch(replicas[1]!, commandEvent(`confirm ${id}`, kpatel));
    expect(own.replies[0]!.text).toMatch(new RegExp(`^You approved request #${id} first .*a second staff member, not you, has to confirm it\\. Nothing was sent\\.`));
    const again = await dispatch(replicas[1]!, commandEvent(`approve ${id} --quota "cpu=128 memory=192GB"`, kpatel));
    expect(again.replies[0]!.text).toContain('a second staff member, not you, has to confirm it');
    const other = await dispatch(replicas[1]!, commandEvent(`approve ${id} --quota "cpu=100"`, mdelgado));
    expect(other.replies[0]!.text).toContain(`Request #${id} was approved first by kpatel at 2026-11-23 17:00 UTC (on console) with other values`);
    expect(other.replies[0]!.text).toContain(`/atmo confirm ${id}`);
    expect(writes(id)).toEqual([]);

    // The view says who approved first, and offers Confirm instead of Approve.
    const view = await dispatch(replicas[0]!, commandEvent(`request ${id}`, mdelgado));
    const waiting = view.replies[0]!.fields!.find((f) => f.label === 'Awaiting a second reviewer')!;
    expect(waiting.value).toMatch(/^Approved first by kpatel at 2026-11-23 17:00 UTC \(on console\); nothing is sent/);
    expect(view.replies[0]!.buttons?.map((b) => b.action)).toEqual(['rr:confirm', 'rr:deny', 'rr:close']);
  });

  it('twenty simultaneous confirmations on two replicas send the grant once, as the second reviewer\'s decision', async () => {
    const id = await requestIdOf(db(), 'tgarcia');
    api.calls.splice(0);
    const clicks = Array.from({ length: 20 }, (_, n) => dispatch(replicas[n % 2]!, n % 4 === 3 ? commandEvent(`confirm ${id}`, mdelgado) : actionEvent('rr:confirm', String(id), mdelgado)));
    const results = await Promise.all(clicks);
    const texts = results.map((r) => r.replies.map((reply) => reply.text).join('\n'));
    const approved = texts.filter((text) => /^(Approved request|Request #\d+ \(tgarcia\) was approved by mdelgado)/.test(text));
    expect(approved).toHaveLength(1);
    expect(approved[0]).toMatch(/second reviewer of kpatel's approval|confirming approved first by kpatel/);
    for (const text of texts.filter((x) => x !== approved[0])) expect(text).toMatch(/already approved|was approved by mdelgado|is being approved by mdelgado/);

    const patches = api.calls.filter((call) => call.method === 'PATCH' && call.path.endsWith(`/admin/resource_requests/${id}`));
    expect(patches).toHaveLength(1);
    expect(patches[0]!.body).toMatchObject({ admin_message: 'For the paper' });
    expect(api.calls.filter((call) => call.method === 'PATCH' && call.path.includes('/identities/'))).toHaveLength(1);
    expect(await cpuOf('tgarcia')).toBe(128);
    expect((await getResourceRequest(db(), id))?.status).toBe('approved');
    expect(await findDecision(db(), 'resource_request', id)).toMatchObject({ state: 'done', decidedBy: 'mdelgado', plan: expect.objectContaining({ firstApprovedBy: 'kpatel' }), detail: expect.objectContaining({ firstApprovedBy: 'kpatel' }) });
    const history = await listRequestEvents(db(), 'resource_request', [id]);
    expect(history.map((e) => [e.action, e.actor, e.note])).toEqual([
      ['first-approved', 'kpatel', 'cpu 128 is above SECOND_REVIEW_CPU (64)'],
      ['approved', 'mdelgado', "For the paper · second review of kpatel's approval"],
    ]);
    const view = await dispatch(replicas[0]!, commandEvent(`request ${id}`, kpatel));
    expect(view.replies[0]!.footer).toMatch(/^Request was approved by mdelgado at .*, as the second reviewer of kpatel's first approval\.$/);
    expect(view.replies[0]!.buttons).toBeUndefined();
  }, 120_000);

  it('an allocation above SECOND_REVIEW_AU waits too; a deny by anyone, the first approver included, ends it', async () => {
    const id = await requestIdOf(db(), 'alee');
    api.calls.splice(0);
    const first = await dispatch(replicas[0]!, actionEvent('rr:approve', String(id), kpatel, { message: '', quota: '', provider: '', allocation: '20000', confirm: '' }));
    expect(first.replies[0]!.text).toContain('Needs a second reviewer: alee 20,000 AU is above SECOND_REVIEW_AU (10,000 AU).');
    expect(first.updates[0]!.buttons?.map((b) => b.action)).toEqual(['rr:confirm', 'rr:deny', 'rr:close']);
    const denied = await dispatch(replicas[1]!, commandEvent(`deny ${id} Please apply through XSEDE for that much`, kpatel));
    expect(denied.replies[0]!.text).toMatch(new RegExp(`^Request #${id} \\(alee\\) was denied by kpatel`));
    const late = await dispatch(replicas[0]!, actionEvent('rr:confirm', String(id), mdelgado));
    expect(late.replies[0]!.text).toMatch(/was denied by kpatel/);
    expect(api.calls.filter((call) => call.path.includes('/allocation_sources/'))).toEqual([]);
    expect((await db().select().from(allocationSource).where(eq(allocationSource.name, 'alee')))[0]!.computeAllowed).toBe(336);
    expect((await getResourceRequest(db(), id))?.status).toBe('denied');
  });

  it('needs no second reviewer within the thresholds, and never lets the requester confirm', async () => {
    const id = await requestIdOf(db(), 'alee2');
    const small = await dispatch(replicas[0]!, commandEvent(`approve ${id} --quota "cpu=32"`, kpatel));
    expect(small.replies[0]!.text).toMatch(new RegExp(`^Request #${id} \\(alee2\\) was approved by kpatel`));
    expect(await db().select().from(firstApproval).where(eq(firstApproval.requestId, id))).toEqual([]);

    // A staff member's own request: kpatel approves it first, and mdelgado, its requester, cannot confirm.
    const pending = await requireStatusTypeId(db(), 'pending');
    const [own] = await db()
      .insert(resourceRequest)
      .values({ request: 'cpu: 96', description: 'staff testing', createdById: (await db().select().from(atmosphereUser).where(eq(atmosphereUser.username, 'mdelgado')))[0]!.id, statusId: pending })
      .returning();
    await dispatch(replicas[0]!, commandEvent(`approve ${own!.id} --quota "cpu=96" --provider Tucson`, kpatel));
    const refused = await dispatch(replicas[1]!, commandEvent(`confirm ${own!.id}`, mdelgado));
    expect(refused.replies[0]!.text).toBe(`Request #${own!.id} is your own; another staff member has to decide it.`);
    expect(await db().select({ requestId: firstApproval.requestId }).from(firstApproval).where(and(eq(firstApproval.requestId, own!.id), eq(firstApproval.approvedBy, 'kpatel')))).toHaveLength(1);
    const nothing = await dispatch(replicas[1]!, commandEvent(`confirm ${id}`, mdelgado));
    expect(nothing.replies[0]!.text).toContain(`Request #${id} has no first approval waiting for a second reviewer`);
  });
});
