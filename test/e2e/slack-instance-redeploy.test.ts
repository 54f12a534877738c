import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRequestEvents } from '../../src/db/queries/request-events.js';
import { readableText, slackButtons } from './slack-driver.js';
import { startSlackDeployment, type SlackDeployment } from './slack-deployment.js';
import { auditRows, errorLines, lastAuditId } from './e2e-support.js';
import { actionPosts, deployErrorInstance, instanceDecisions } from './instance-support.js';

const SECRET = 'e2e-slack-signing-secret';
const U = { kpatel: 'UKPATEL', mdelgado: 'UMDELGADO', jsmith: 'UJSMITH' } as const;
const MESSAGE_TS = '1700000099.000300';

describe.skipIf(!process.env.TEST_DATABASE_URL)('Slack end to end: redeploying an instance in deploy_error, two replicas', () => {
  let deployment: SlackDeployment;

  beforeAll(async () => {
    deployment = await startSlackDeployment({
      secret: SECRET,
      replicas: 2,
      users: { [U.kpatel]: { email: 'kpatel@cyverse.org' }, [U.mdelgado]: { email: 'MDelgado@cyverse.org' }, [U.jsmith]: { email: 'jsmith@example.edu' } },
      botAdmins: '',
    });
  });
  afterAll(async () => {
    await deployment?.stop();
  });

  it('offers Redeploy, confirms naming the instance and its owner, and of 20 simultaneous confirmations sends one POST', async () => {
    const { driver, appUrls, atmosphere, db } = deployment;
    const vm = await deployErrorInstance(db);
    await driver.command(appUrls[0]!, { userId: U.kpatel, text: 'instance docker-dev', replyId: 'show' });
    const shown = await driver.reply('show');
    expect(readableText(shown.body)).toMatch(/"docker-dev" of alee2 .*deploy_error/);
    expect(slackButtons(shown.body['blocks'])).toEqual([
      { action: 'in:step', value: `${vm.id}:redeploy` },
      { action: 'in:report', value: String(vm.id) },
    ]);
    expect(atmosphere.calls.some((call) => call.method === 'GET' && call.path === `/api/v2/instances/${vm.uuid}/actions`)).toBe(true);

    await driver.click(appUrls[1]!, { userId: U.kpatel, action: 'in:step', value: `${vm.id}:redeploy`, messageTs: MESSAGE_TS, replyId: 'confirm' });
    const confirmation = await driver.reply('confirm');
    expect(readableText(confirmation.body)).toMatch(new RegExp(`^Redeploy instance #${vm.id} "docker-dev" \\(${vm.uuid}\\) of alee2 on Jetstream - Indiana University\\?`));
    const confirm = slackButtons(confirmation.body['blocks'])[0]!;
    expect(confirm).toEqual({ action: 'in:confirm', value: `${vm.id}:redeploy:0` });
    expect(actionPosts(atmosphere, vm.uuid)).toHaveLength(0);

    const auditBefore = await lastAuditId(db);
    const users = [U.kpatel, U.mdelgado];
    const clicks = Array.from({ length: 20 }, (_, index) => ({ userId: users[index % 2]!, app: appUrls[index % 2]!, replyId: `race-${index}` }));
    await Promise.all(clicks.map((click) => driver.click(click.app, { ...click, action: confirm.action, value: confirm.value, messageTs: MESSAGE_TS })));
    const answers = await Promise.all(clicks.map((click) => driver.reply(click.replyId)));

    const posts = actionPosts(atmosphere, vm.uuid);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({ action: 'redeploy' });
    expect(posts[0]!.status).toBe(200);
    const decisions = await instanceDecisions(db, vm.id);
    expect(decisions).toMatchObject([{ state: 'done', action: 'redeploy', round: 0 }]);
    const winner = decisions[0]!.decidedBy;
    const texts = answers.map((answer) => readableText(answer.body));
    expect(texts.filter((text) => text.startsWith(`Redeploy sent for instance #${vm.id} "docker-dev" of alee2`))).toHaveLength(1);
    const losers = texts.filter((text) => !text.startsWith('Redeploy sent'));
    expect(losers).toHaveLength(19);
    for (const text of losers) expect(text).toMatch(new RegExp(`^Instance #${vm.id} (is being|was) redeployed by ${winner} .*Nothing more was done\\.$`));
    expect((await listRequestEvents(db, 'instance', [vm.id])).map((event) => [event.action, event.actor])).toEqual([['redeployed', winner]]);
    const audit = (await auditRows(db, auditBefore, 20)).filter((row) => row.name === 'in:confirm');
    expect(audit.map((row) => row.outcome).sort()).toEqual(['ok', ...Array(19).fill('refused')].sort());
    for (const replica of deployment.replicas) expect(errorLines(replica.logLines)).toEqual([]);
  });

  it('a 500 after Atmosphere started the redeploy: held and told truthfully, then credited to the first person on the next click, one POST', async () => {
    const { driver, appUrls, atmosphere, db } = deployment;
    const vm = await deployErrorInstance(db);
    await driver.click(appUrls[0]!, { userId: U.kpatel, action: 'in:step', value: `${vm.id}:redeploy`, messageTs: MESSAGE_TS, replyId: 'confirm-500' });
    const confirm = slackButtons((await driver.reply('confirm-500')).body['blocks'])[0]!;
    expect(confirm).toEqual({ action: 'in:confirm', value: `${vm.id}:redeploy:1` });
    const before = actionPosts(atmosphere, vm.uuid).length;
    atmosphere.failAfterApplying({ method: 'POST', pathPrefix: `/instances/${vm.uuid}/actions` }, 500);

    await driver.click(appUrls[0]!, { userId: U.kpatel, action: confirm.action, value: confirm.value, messageTs: MESSAGE_TS, replyId: 'held' });
    const held = readableText((await driver.reply('held')).body);
    expect(held).toMatch(/may still be applied by Atmosphere, so the bot holds this decision as kpatel's and will not send it again/);
    expect(held).not.toMatch(/something went wrong|nothing was (done|sent)/i);
    expect((await instanceDecisions(db, vm.id)).find((row) => row.round === 1)).toMatchObject({ state: 'held', decidedBy: 'kpatel' });

    // On the other replica, someone else confirms: the status history shows the redeploy, so it is kpatel's.
    await driver.click(appUrls[1]!, { userId: U.mdelgado, action: confirm.action, value: confirm.value, messageTs: MESSAGE_TS, replyId: 'after-held' });
    expect(readableText((await driver.reply('after-held')).body)).toMatch(
      new RegExp(`^Instance #${vm.id} was redeployed by kpatel at .*the bot recorded it afterwards from what Atmosphere shows\\. Nothing more was done\\.$`),
    );
    expect(actionPosts(atmosphere, vm.uuid)).toHaveLength(before + 1);
    expect((await instanceDecisions(db, vm.id)).find((row) => row.round === 1)).toMatchObject({ state: 'done', decidedBy: 'kpatel' });
    expect((await listRequestEvents(db, 'instance', [vm.id])).map((event) => event.actor).at(-1)).toBe('kpatel');
  });

  it('refuses a non-staff user and a tampered button, sending nothing', async () => {
    const { driver, appUrls, atmosphere } = deployment;
    const before = atmosphere.calls.filter((call) => call.method === 'POST').length;
    await driver.click(appUrls[0]!, { userId: U.jsmith, action: 'in:confirm', value: '1:redeploy:0', messageTs: MESSAGE_TS, replyId: 'jsmith' });
    await driver.click(appUrls[0]!, { userId: U.kpatel, action: 'in:confirm', value: '1:terminate:0', messageTs: MESSAGE_TS, replyId: 'tampered' });
    expect(readableText((await driver.reply('jsmith')).body)).toBe('Only Atmosphere staff can do that, and jsmith is not staff.');
    expect(readableText((await driver.reply('tampered')).body)).toMatch(/carries a value I cannot accept, so I did nothing/);
    expect(atmosphere.calls.filter((call) => call.method === 'POST').length).toBe(before);
  });
});
