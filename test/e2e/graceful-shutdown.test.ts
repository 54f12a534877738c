import { afterEach, describe, expect, it } from 'vitest';
import { INTERRUPTED_TEXT } from '../../src/bot/chat/drain-work.js';
import { auditRows, decisionsFor, lastAuditId, productionEnv, requestIdOf, requestState, waitFor } from './e2e-support.js';
import { startSlackDeployment, type SlackDeployment } from './slack-deployment.js';
import { startChildBot, type ChildBot } from './child-bot.js';

const SECRET = 'e2e-shutdown-signing-secret';
const STAFF = { kpatel: 'UKPATEL', mdelgado: 'UMDELGADO' } as const;
const LIST_TS = '1700000099.000100';
const PENDING = ['jsmith', 'alee', 'alee2', 'rnguyen'];

/**
 * SIGTERM as Kubernetes sends it, to `src/main.ts` in its own process, while approvals are in flight
 * against a slow Atmosphere API and more are queued behind them.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('graceful shutdown of the real process', { timeout: 120_000 }, () => {
  let deployment: SlackDeployment | undefined;
  let child: ChildBot | undefined;

  afterEach(async () => {
    child?.kill();
    await child?.exited;
    await deployment?.stop();
    child = undefined;
    deployment = undefined;
  });

  async function start(graceMs: number) {
    deployment = await startSlackDeployment({
      secret: SECRET,
      replicas: 0,
      users: { [STAFF.kpatel]: { email: 'kpatel@cyverse.org' }, [STAFF.mdelgado]: { email: 'MDelgado@cyverse.org' } },
      botAdmins: '',
    });
    const env = productionEnv(deployment.database, deployment.atmosphere, {
      SLACK_BOT_TOKEN: 'xoxb-e2e-token',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: deployment.slack.url,
      SHUTDOWN_GRACE_MS: String(graceMs),
      LOG_LEVEL: 'info',
    });
    child = await startChildBot(env);
    return { deployment, child };
  }

  /** Opens the approval form of each request (nothing reaches Atmosphere yet) and returns what submitting needs. */
  async function openForms(d: SlackDeployment, url: string, usernames: string[]) {
    return Promise.all(
      usernames.map(async (username, index) => {
        const id = await requestIdOf(d.db, username);
        const userId = index % 2 === 0 ? STAFF.kpatel : STAFF.mdelgado;
        const replyId = `approve-${username}`;
        const trigger = await d.driver.click(url, { userId, action: 'rr:approve', value: `${id}:list`, messageTs: LIST_TS, replyId });
        const { metadata } = await d.driver.openedView(trigger);
        return { id, username, userId, replyId, metadata };
      }),
    );
  }

  const patches = (d: SlackDeployment) => d.atmosphere.calls.filter((call) => call.method === 'PATCH' && call.path.includes('/resource_requests/'));

  it('finishes and answers every acknowledged approval, refuses new events with 503 while draining, and exits within the grace period', async () => {
    const { deployment: d, child: bot } = await start(20_000);
    const forms = await openForms(d, bot.url, PENDING);
    const auditBefore = await lastAuditId(d.db);
    // Each PATCH takes 2 s: two are in Atmosphere when the signal comes, the others wait behind them.
    d.atmosphere.delay(2_000);
    const acks = await Promise.all(
      forms.map((form) => d.driver.submit(bot.url, { userId: form.userId, metadata: form.metadata, values: { message: 'Approved for the course', quota: null, provider: null } })),
    );
    expect(acks.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    await waitFor('two approvals in Atmosphere', () => patches(d).length >= 2);

    bot.signal('SIGTERM');
    await waitFor('the readiness probe to report draining', async () => (await fetch(`${bot.url}/readyz`)).status === 503);
    const ready = await fetch(`${bot.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ok: false, draining: true });
    // Still alive: a liveness failure now would only make Kubernetes kill the work being finished.
    const live = await fetch(`${bot.url}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ ok: true, live: true, draining: true });
    const late = await d.driver.command(bot.url, { userId: STAFF.kpatel, text: 'requests', replyId: 'late' });
    expect(late.status).toBe(503);
    // Both were answered while the approvals were still waiting on Atmosphere.
    expect(patches(d).some((call) => call.status === 0)).toBe(true);

    expect(await bot.exited).toBe(0);
    for (const form of forms) {
      const answer = d.driver.repliesTo(form.replyId).at(-1);
      expect(String(answer?.body['text'])).toMatch(new RegExp(`^Approved request #${form.id} from ${form.username}`));
      expect(await requestState(d.db, form.id)).toMatchObject({ status: 'approved', adminMessage: 'Approved for the course' });
      expect(await decisionsFor(d.db, form.id)).toMatchObject([{ state: 'done', action: 'approve' }]);
      expect(patches(d).filter((call) => call.path.endsWith(`/resource_requests/${form.id}`))).toHaveLength(1);
    }
    const audit = (await auditRows(d.db, auditBefore, 4)).filter((row) => row.name === 'rr:approve');
    expect(audit.map((row) => row.outcome)).toEqual(['ok', 'ok', 'ok', 'ok']);
    // The event refused while draining was never acknowledged, so it did nothing and got no answer.
    expect(d.driver.repliesTo('late')).toEqual([]);
    expect(bot.logLines.find((line) => line.msg === 'stopped')).toMatchObject({ finished: true, interrupted: 0, notStarted: 0 });
  });

  it('when Atmosphere outlasts the grace period: exits anyway, tells each user the outcome is unknown, keeps each claim for reconciling', async () => {
    const { deployment: d, child: bot } = await start(2_500);
    const forms = await openForms(d, bot.url, PENDING.slice(0, 2));
    d.atmosphere.delay(120_000);
    for (const form of forms) {
      const ack = await d.driver.submit(bot.url, { userId: form.userId, metadata: form.metadata, values: { message: 'Approved', quota: null, provider: null } });
      expect(ack.status).toBe(200);
    }
    await waitFor('both approvals in Atmosphere', () => patches(d).length === 2);

    bot.signal('SIGTERM');
    expect(await bot.exited).toBe(0);
    // Atmosphere has not answered either call: the process did not wait for them past its grace period.
    expect(patches(d).map((call) => call.status)).toEqual([0, 0]);
    for (const form of forms) {
      expect(d.driver.repliesTo(form.replyId).map((answer) => answer.body['text'])).toContain(INTERRUPTED_TEXT);
      // The claim written before the PATCH is the record of what may have been applied.
      expect(await decisionsFor(d.db, form.id)).toMatchObject([{ state: 'in_progress', action: 'approve', decidedBy: form.userId === STAFF.kpatel ? 'kpatel' : 'mdelgado' }]);
    }
    const interrupted = bot.logLines.filter((line) => String(line.msg).includes('grace period over while this event'));
    expect(new Set(interrupted.map((line) => line.eventId)).size).toBe(2);
    expect(bot.logLines.find((line) => line.msg === 'stopped')).toMatchObject({ finished: false, interrupted: 2 });
  });
});
