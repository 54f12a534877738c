import { drainAudit } from '../../src/db/queries/audit.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq, gt } from 'drizzle-orm';
import { instanceStatus, instanceStatusHistory } from '../../src/db/atmosphere-schema.js';
import { auditLog, requestEvent } from '../../src/db/bot-schema/index.js';
import { DECISION_CLAIM_LEASE_MS } from '../../src/db/queries/decisions.js';
import { reconcileDecisions } from '../../src/handlers/decisions/reconcile-decisions.js';
import type { Reply } from '../../src/bot/chat/reply.js';
import { TEST_NOW } from '../support/databases.js';
import { actionEvent, commandEvent, recordingIO } from '../support/test-deps.js';
import { waitFor } from '../e2e/e2e-support.js';
import { actionPosts, deployErrorInstance, instanceDecisions } from '../e2e/instance-support.js';
import { startFaultBot, type FaultBot } from './decision-harness.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };
const mdelgado = { id: 'c-mdelgado', actingAs: 'mdelgado' };
/** Untrue of an action that Atmosphere started, whoever reads about it. */
const UNTRUTHFUL = /something went wrong|outside the bot/i;
/** Untrue, in addition, for the person whose action it was. */
const NOTHING_DONE = /nothing (more )?was (done|changed|sent)|sent nothing/i;

/**
 * Redeploys and reboots go through the decision journal like approvals: the fake Atmosphere API
 * starts the action (it writes the status-history row the real API writes before answering) and
 * then loses the answer, or the bot's own database drops after it. Whatever happens, one POST per
 * action, a truthful reply, and a complete record once the bot looks again.
 */
describe.runIf(Boolean(process.env.TEST_DATABASE_URL))('instance actions under faults (real Postgres, fake Atmosphere)', () => {
  let f: FaultBot;
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

  async function firstReply(event: ReturnType<typeof commandEvent>): Promise<{ reply: Reply; done: Promise<unknown> }> {
    const { io, replies } = recordingIO();
    const done = f.dispatcher.handle(event, io);
    const reply = await waitFor('a reply', () => replies[0], 60_000);
    return { reply, done };
  }

  async function reply(event: ReturnType<typeof commandEvent>): Promise<Reply> {
    const first = await firstReply(event);
    await first.done;
    return first.reply;
  }

  /** `docker-dev` back in active / deploy_error (Redeploy offered), and the confirmation's button value. */
  async function confirmRedeploy(): Promise<{ id: number; uuid: string; confirm: string }> {
    const vm = await deployErrorInstance(f.database.atmosphere.db);
    const confirmation = await reply(actionEvent('in:step', `${vm.id}:redeploy`, kpatel));
    const confirm = confirmation.buttons?.[0]?.value;
    expect(confirm, confirmation.text).toMatch(new RegExp(`^${vm.id}:redeploy:\\d+$`));
    return { ...vm, confirm: confirm! };
  }

  /** The journal, the bot's history and the audit rows for the instance, read directly (not through the proxy). */
  async function records(id: number, sinceEvent = 0) {
    const db = f.database.atmosphere.db;
    const decisions = await instanceDecisions(db, id);
    const history = await db
      .select()
      .from(requestEvent)
      .where(and(eq(requestEvent.subject, 'instance'), eq(requestEvent.recordId, id), gt(requestEvent.id, sinceEvent)))
      .orderBy(asc(requestEvent.id));
    const audit = (await db.select().from(auditLog)).filter((row) => row.input.startsWith(`instance ${id} `) || row.input.startsWith(`${id}:`));
    return { decisions, history, audit };
  }

  async function lastEventId(): Promise<number> {
    const rows = await f.database.atmosphere.db.select({ id: requestEvent.id }).from(requestEvent).orderBy(asc(requestEvent.id));
    return rows.at(-1)?.id ?? 0;
  }

  /** The instance's status-history rows written after `afterId` (what Atmosphere recorded). */
  async function atmosphereRows(instanceId: number, afterId: number) {
    return f.database.atmosphere.db
      .select({ id: instanceStatusHistory.id, status: instanceStatus.name, activity: instanceStatusHistory.activity })
      .from(instanceStatusHistory)
      .innerJoin(instanceStatus, eq(instanceStatus.id, instanceStatusHistory.statusId))
      .where(and(eq(instanceStatusHistory.instanceId, instanceId), gt(instanceStatusHistory.id, afterId)));
  }

  async function newestRowId(): Promise<number> {
    const rows = await f.database.atmosphere.db.select({ id: instanceStatusHistory.id }).from(instanceStatusHistory).orderBy(asc(instanceStatusHistory.id));
    return rows.at(-1)?.id ?? 0;
  }

  it.each([
    ['a 500 after starting it', 500],
    ['a 502 after starting it', 502],
    ['a reset connection after starting it', 'reset'],
    ['no answer (timeout) after starting it', 'hang'],
  ] as const)('%s: held, never sent twice, recorded as the first person\'s when someone looks again', async (_name, outcome) => {
    const vm = await confirmRedeploy();
    const since = await lastEventId();
    const rowsBefore = await newestRowId();
    f.atmosphere.failAfterApplying({ method: 'POST', pathPrefix: `/instances/${vm.uuid}/actions` }, outcome);
    const posted = actionPosts(f.atmosphere, vm.uuid).length;

    const first = await reply(actionEvent('in:confirm', vm.confirm, kpatel));
    expect(first.text).not.toMatch(UNTRUTHFUL);
    expect(first.text).not.toMatch(NOTHING_DONE);
    expect(first.text).toMatch(/The redeploy of instance #\d+ may still be applied by Atmosphere, so the bot holds this decision as kpatel's and will not send it again/);
    expect((await records(vm.id)).decisions.at(-1)).toMatchObject({ state: 'held', action: 'redeploy', decidedBy: 'kpatel' });
    // Atmosphere did start it: its status history shows the redeploy.
    expect(await atmosphereRows(vm.id, rowsBefore)).toMatchObject([{ status: 'redeploy', activity: 'redeploying' }]);

    // Someone else confirms the same step: the bot reads the status history, sees the redeploy and credits kpatel.
    const second = await reply(actionEvent('in:confirm', vm.confirm, mdelgado));
    expect(second.text).toMatch(new RegExp(`^Instance #${vm.id} was redeployed by kpatel at .*the bot recorded it afterwards.*Nothing more was done\\.$`));
    expect(second.text).not.toMatch(UNTRUTHFUL);
    expect(actionPosts(f.atmosphere, vm.uuid)).toHaveLength(posted + 1);

    const rows = await records(vm.id, since);
    expect(rows.decisions.at(-1)).toMatchObject({ state: 'done', decidedBy: 'kpatel', action: 'redeploy' });
    expect(rows.history).toMatchObject([{ action: 'redeployed', actor: 'kpatel' }]);
    expect(rows.history[0]!.note).toMatch(/Atmosphere shows it redeploy \/ redeploying/);
    expect(rows.audit.filter((row) => row.name === 'decision:reconcile').at(-1)).toMatchObject({ outcome: 'ok', atmosphereUsername: 'kpatel' });

    // The view tells the redeploy as kpatel's, and offers the next step (Atmosphere lists no Redeploy now).
    const view = await reply(commandEvent(`instance ${vm.id}`, mdelgado));
    const history = view.sections?.find((section) => section.text.startsWith('*Bot history*'))?.text ?? '';
    expect(history).toMatch(/kpatel redeployed it on console at .*recorded this afterwards/);
    expect(JSON.stringify(view)).not.toMatch(UNTRUTHFUL);
  }, 60_000);

  it('a 500 after starting it, with nobody looking: the reconciler records it from the status history', async () => {
    const vm = await confirmRedeploy();
    const since = await lastEventId();
    f.atmosphere.failAfterApplying({ method: 'POST', pathPrefix: `/instances/${vm.uuid}/actions` }, 500);
    const posted = actionPosts(f.atmosphere, vm.uuid).length;
    await reply(actionEvent('in:confirm', vm.confirm, kpatel));
    expect((await records(vm.id)).decisions.at(-1)).toMatchObject({ state: 'held' });

    expect(await reconcileDecisions(f.deps)).toMatchObject({ completed: 1, failed: 0 });
    const rows = await records(vm.id, since);
    expect(rows.decisions.at(-1)).toMatchObject({ state: 'done', decidedBy: 'kpatel' });
    expect(rows.history).toMatchObject([{ action: 'redeployed', actor: 'kpatel' }]);
    expect(actionPosts(f.atmosphere, vm.uuid)).toHaveLength(posted + 1);
    // A second run finds nothing more to do.
    expect(await reconcileDecisions(f.deps)).toMatchObject({ completed: 0, released: 0, held: 0 });
    expect((await records(vm.id, since)).history).toHaveLength(1);
  }, 60_000);

  it('a 500 that started nothing: held (no second action offered), then released after the hold, and only then sent again', async () => {
    const vm = await confirmRedeploy();
    const since = await lastEventId();
    f.atmosphere.failNext({ method: 'POST', pathPrefix: `/instances/${vm.uuid}/actions` }, 500);
    const posted = actionPosts(f.atmosphere, vm.uuid).length;
    const first = await reply(actionEvent('in:confirm', vm.confirm, kpatel));
    expect(first.text).toMatch(/holds this decision as kpatel's/);
    expect(await reconcileDecisions(f.deps)).toMatchObject({ held: 1 });

    // While it is held, neither the view nor the step button offers a second action.
    const view = await reply(commandEvent(`instance ${vm.id}`, mdelgado));
    expect(view.buttons?.map((button) => button.action)).not.toContain('in:step');
    expect(JSON.stringify(view)).toMatch(new RegExp(`No action button while the bot's last action is open: instance #${vm.id} was redeployed by kpatel through the bot`));
    const step = await reply(actionEvent('in:step', `${vm.id}:redeploy`, mdelgado));
    expect(step.text).toMatch(new RegExp(`^Instance #${vm.id} was redeployed by kpatel through the bot .*no clear answer.*Nothing was sent again\\.$`, 's'));
    expect(actionPosts(f.atmosphere, vm.uuid)).toHaveLength(posted + 1);

    f.setNow(new Date(TEST_NOW.getTime() + 31 * 60_000));
    try {
      expect(await reconcileDecisions(f.deps)).toMatchObject({ released: 1 });
      const released = await records(vm.id, since);
      expect(released.decisions.filter((row) => row.state !== 'done')).toEqual([]);
      expect(released.history).toEqual([]);
      expect(released.audit.filter((row) => row.name === 'decision:reconcile').at(-1)).toMatchObject({ outcome: 'released' });
      expect(released.audit.filter((row) => row.name === 'decision:reconcile').at(-1)?.message).toMatch(/status history shows no sign of it 30 minutes after it was sent/);

      // Only now may a second redeploy go out.
      const again = await reply(actionEvent('in:step', `${vm.id}:redeploy`, mdelgado));
      const ok = await reply(actionEvent('in:confirm', again.buttons![0]!.value, mdelgado));
      expect(ok.text).toMatch(/^Redeploy sent for instance/);
      expect(actionPosts(f.atmosphere, vm.uuid)).toHaveLength(posted + 2);
    } finally {
      f.setNow(TEST_NOW);
    }
  }, 60_000);

  it('the bot\'s database link cut after the action started: a truthful reply, and a complete record after recovery', async () => {
    const vm = await confirmRedeploy();
    const since = await lastEventId();
    const posted = actionPosts(f.atmosphere, vm.uuid).length;
    afterApply = () => {
      f.proxy.refuse();
      f.proxy.cut();
    };
    const first = await firstReply(actionEvent('in:confirm', vm.confirm, kpatel));
    expect(first.reply.text).toMatch(new RegExp(`^Redeploy sent for instance #${vm.id}`));
    expect(first.reply.text).toMatch(/Atmosphere has applied it, but the bot's database did not answer/);
    expect(first.reply.text).not.toMatch(UNTRUTHFUL);

    f.proxy.heal();
    await first.done;
    f.setNow(new Date(TEST_NOW.getTime() + DECISION_CLAIM_LEASE_MS + 60_000));
    try {
      expect(await reconcileDecisions(f.deps)).toMatchObject({ completed: 1 });
      await drainAudit(f.deps.db);
      const rows = await records(vm.id, since);
      expect(rows.decisions.at(-1)).toMatchObject({ state: 'done', decidedBy: 'kpatel' });
      expect(rows.history).toMatchObject([{ action: 'redeployed', actor: 'kpatel' }]);
      expect(rows.audit.filter((row) => row.name === 'in:confirm').at(-1)).toMatchObject({ outcome: 'ok', atmosphereUsername: 'kpatel' });
      expect(rows.audit.filter((row) => row.name === 'decision:reconcile').at(-1)).toMatchObject({ outcome: 'ok' });
      expect(actionPosts(f.atmosphere, vm.uuid)).toHaveLength(posted + 1);
    } finally {
      f.setNow(TEST_NOW);
    }
  }, 90_000);
});
