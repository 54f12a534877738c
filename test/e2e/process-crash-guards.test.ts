import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { auditRows, decisionsFor, lastAuditId, productionEnv, requestIdOf, requestState, waitFor } from './e2e-support.js';
import { startSlackDeployment, type SlackDeployment } from './slack-deployment.js';
import { startChildBot, type ChildBot } from './child-bot.js';

const SECRET = 'e2e-crash-guard-signing-secret';
const STAFF = { kpatel: 'UKPATEL', mdelgado: 'UMDELGADO' } as const;
const OTHER = { jsmith: 'UJSMITH' } as const;
const LIST_TS = '1700000099.000100';
const FAULT = fileURLToPath(new URL('./inject-process-fault.ts', import.meta.url));

/**
 * `src/main.ts` in its own process, with a fault injected from outside the bot's code (a promise
 * nobody handles, an exception thrown from a callback) while an approval is in Atmosphere. The
 * process-level guards must log it with the events in flight, and leave no decision half-done:
 * after a rejection the bot keeps serving; after an exception it finishes the approval, then exits 1.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('the process guards of the real program', { timeout: 120_000 }, () => {
  let deployment: SlackDeployment | undefined;
  let child: ChildBot | undefined;

  afterEach(async () => {
    child?.kill();
    await child?.exited;
    await deployment?.stop();
    child = undefined;
    deployment = undefined;
  });

  async function start(fault: 'rejection' | 'exception') {
    deployment = await startSlackDeployment({
      secret: SECRET,
      replicas: 0,
      users: { [STAFF.kpatel]: { email: 'kpatel@cyverse.org' }, [STAFF.mdelgado]: { email: 'MDelgado@cyverse.org' }, [OTHER.jsmith]: { email: 'jsmith@example.edu' } },
      botAdmins: '',
    });
    const env = productionEnv(deployment.database, deployment.atmosphere, {
      SLACK_BOT_TOKEN: 'xoxb-e2e-token',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: deployment.slack.url,
      SHUTDOWN_GRACE_MS: '20000',
      LOG_LEVEL: 'info',
      ATMO_TEST_FAULT: fault,
    });
    child = await startChildBot(env, [FAULT]);
    return { d: deployment, bot: child };
  }

  /** Submits an approval of `username`'s request and waits until its PATCH is in Atmosphere (held there 2 s). */
  async function approvalInFlight(d: SlackDeployment, bot: ChildBot, username: string) {
    const id = await requestIdOf(d.db, username);
    const replyId = `approve-${username}`;
    const trigger = await d.driver.click(bot.url, { userId: STAFF.kpatel, action: 'rr:approve', value: `${id}:list`, messageTs: LIST_TS, replyId });
    const { metadata } = await d.driver.openedView(trigger);
    d.atmosphere.delay(2_000);
    const ack = await d.driver.submit(bot.url, { userId: STAFF.kpatel, metadata, values: { message: 'Approved for the course', quota: null, provider: null } });
    expect(ack.status).toBe(200);
    const patches = () => d.atmosphere.calls.filter((call) => call.method === 'PATCH' && call.path.endsWith(`/resource_requests/${id}`));
    await waitFor('the approval to be in Atmosphere', () => patches().length === 1);
    return { id, replyId, patches };
  }

  /** The in-flight approval was answered, applied once, and journalled complete. */
  async function expectApprovalFinished(d: SlackDeployment, approval: Awaited<ReturnType<typeof approvalInFlight>>, username: string) {
    const answer = await waitFor('the approval\'s answer', () => d.driver.repliesTo(approval.replyId).at(-1));
    expect(String(answer.body['text'])).toMatch(new RegExp(`^Approved request #${approval.id} from ${username}`));
    expect(await requestState(d.db, approval.id)).toMatchObject({ status: 'approved' });
    expect(await decisionsFor(d.db, approval.id)).toMatchObject([{ state: 'done', action: 'approve', decidedBy: 'kpatel' }]);
    expect(approval.patches()).toHaveLength(1);
  }

  it('a promise nobody handled: logged with the events in flight, the approval finishes, and the bot keeps serving', async () => {
    const { d, bot } = await start('rejection');
    const auditBefore = await lastAuditId(d.db);
    const approval = await approvalInFlight(d, bot, 'jsmith');

    bot.signal('SIGUSR2');
    const logged = await waitFor('the rejection in the log', () => bot.logLines.find((line) => line.origin === 'unhandledRejection'));
    expect(logged).toMatchObject({ level: 50, msg: 'a promise failed with nobody handling it; the bot keeps running', err: { message: 'injected fault: a promise nobody handled' } });
    expect(String((logged.err as { stack?: string }).stack)).toContain('inject-process-fault');
    // The approval waiting on Atmosphere is named, so the line can be tied to the event it came from.
    expect(logged.inFlight).toEqual([{ eventId: expect.any(String), state: 'outside' }]);

    await expectApprovalFinished(d, approval, 'jsmith');
    // The click that opened the form, and the submission that approved.
    expect((await auditRows(d.db, auditBefore, 2)).filter((row) => row.name === 'rr:approve').map((row) => row.outcome)).toEqual(['form', 'ok']);

    // Still serving: the health check, and a command from someone else.
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    expect((await d.driver.command(bot.url, { userId: OTHER.jsmith, text: 'whoami', replyId: 'after' })).status).toBe(200);
    expect(String((await d.driver.reply('after')).body['text'])).toMatch(/jsmith/);
    expect(bot.logLines.some((line) => line.msg === 'shutting down')).toBe(false);
    expect(bot.logLines.filter((line) => Number(line.level) >= 60)).toEqual([]);
  });

  it('an exception thrown from a callback: logged with the events in flight, the approval finishes and is recorded, then the process exits 1', async () => {
    const { d, bot } = await start('exception');
    const auditBefore = await lastAuditId(d.db);
    const approval = await approvalInFlight(d, bot, 'alee');

    bot.signal('SIGUSR2');
    const logged = await waitFor('the exception in the log', () => bot.logLines.find((line) => line.origin === 'uncaughtException'));
    expect(logged).toMatchObject({ level: 60, msg: 'uncaught exception; stopping after in-flight work', err: { message: 'injected fault: a callback threw' } });
    expect(logged.inFlight).toEqual([{ eventId: expect.any(String), state: 'outside' }]);
    // It stops taking new events at once, as on SIGTERM: not ready, though still alive while it drains.
    await waitFor('the readiness check to report draining', async () => (await fetch(`${bot.url}/readyz`).catch(() => null))?.status === 503);
    const live = await fetch(`${bot.url}/healthz`).catch(() => null);
    if (live) expect(await live.json()).toMatchObject({ live: true, draining: true });

    expect(await bot.exited).toBe(1);
    await expectApprovalFinished(d, approval, 'alee');
    // The click that opened the form, and the submission that approved.
    expect((await auditRows(d.db, auditBefore, 2)).filter((row) => row.name === 'rr:approve').map((row) => row.outcome)).toEqual(['form', 'ok']);
    expect(bot.logLines.find((line) => line.msg === 'stopped')).toMatchObject({ finished: true, interrupted: 0, notStarted: 0 });
  });
});
