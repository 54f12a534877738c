import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonClick, chatInput } from '../support/discord-interactions.js';
import { discordButtonIds, discordText, EPHEMERAL } from './discord-driver.js';
import { auditRows, errorLines, lastAuditId } from './e2e-support.js';
import { actionPosts, deployErrorInstance, instanceDecisions } from './instance-support.js';
import { DISCORD_USERS, startDiscordDeployment, type DiscordDeployment } from './discord-deployment.js';

const TOKEN = 'e2e-discord-bot-token';
const D = DISCORD_USERS;

describe.skipIf(!process.env.TEST_DATABASE_URL)('Discord end to end: redeploying an instance in deploy_error', () => {
  let d: DiscordDeployment;
  const db = () => d.db();
  const send = <T extends object>(interaction: T): T => d.send(interaction);

  beforeAll(async () => {
    d = await startDiscordDeployment({ token: TOKEN, links: [[D.kpatel, 'kpatel'], [D.mdelgado, 'mdelgado']] });
  });
  afterAll(async () => {
    await d?.stop();
  });

  it('shows the instance, confirms, and of 20 simultaneous confirmations sends one POST', async () => {
    const vm = await deployErrorInstance(db());
    const show = send(chatInput({ path: ['instance'], options: { instance: 'docker-dev' }, userId: D.kpatel }));
    const shown = await d.read.commandReply(show);
    expect(discordText(shown)).toMatch(/Instance #\d+ "docker-dev": deploy error/);
    expect(discordButtonIds(shown)).toEqual([`in:step:${vm.id}:redeploy`, `in:report:${vm.id}`]);

    const step = send(buttonClick({ customId: `in:step:${vm.id}:redeploy`, userId: D.kpatel }));
    const confirmation = await d.read.followUp(step);
    expect(discordText(confirmation)).toMatch(new RegExp(`Redeploy instance #${vm.id} "docker-dev" \\(${vm.uuid}\\) of alee2`));
    expect(discordButtonIds(confirmation)).toEqual([`in:confirm:${vm.id}:redeploy:0`, `in:cancel:${vm.id}`]);

    const auditBefore = await lastAuditId(db());
    const clicks = Array.from({ length: 20 }, (_, index) =>
      buttonClick({ customId: `in:confirm:${vm.id}:redeploy:0`, messageId: '880000000000000009', userId: index % 2 === 0 ? D.mdelgado : D.kpatel }),
    );
    for (const click of clicks) send(click);
    const answers = await Promise.all(clicks.map((click) => d.read.followUp(click)));

    expect(actionPosts(d.atmosphere, vm.uuid).map((call) => call.body)).toEqual([{ action: 'redeploy' }]);
    const decisions = await instanceDecisions(db(), vm.id);
    expect(decisions).toHaveLength(1);
    const texts = answers.map(discordText);
    expect(texts.filter((text) => text.startsWith('Redeploy sent for instance'))).toHaveLength(1);
    const losers = answers.filter((answer) => !discordText(answer).startsWith('Redeploy sent'));
    expect(losers).toHaveLength(19);
    for (const loser of losers) {
      expect(discordText(loser)).toMatch(new RegExp(`^Instance #${vm.id} (is being|was) redeployed by ${decisions[0]!.decidedBy} .*Nothing more was done\\.$`, 's'));
      expect(loser.flags).toBe(EPHEMERAL);
    }
    const audit = (await auditRows(db(), auditBefore, 20)).filter((row) => row.name === 'in:confirm');
    expect(audit.map((row) => row.outcome).sort()).toEqual(['ok', ...Array(19).fill('refused')].sort());
    expect(errorLines(d.running.logLines)).toEqual([]);
  });

  it('a 500 after Atmosphere started the redeploy: held and told truthfully, then credited to the first person on the next click, one POST', async () => {
    const vm = await deployErrorInstance(db());
    const step = send(buttonClick({ customId: `in:step:${vm.id}:redeploy`, userId: D.kpatel }));
    expect(discordButtonIds(await d.read.followUp(step))).toEqual([`in:confirm:${vm.id}:redeploy:1`, `in:cancel:${vm.id}`]);
    const before = actionPosts(d.atmosphere, vm.uuid).length;
    d.atmosphere.failAfterApplying({ method: 'POST', pathPrefix: `/instances/${vm.uuid}/actions` }, 500);

    const first = send(buttonClick({ customId: `in:confirm:${vm.id}:redeploy:1`, messageId: '880000000000000010', userId: D.kpatel }));
    const held = discordText(await d.read.followUp(first));
    expect(held).toMatch(/may still be applied by Atmosphere, so the bot holds this decision as kpatel's and will not send it again/);
    expect(held).not.toMatch(/something went wrong|nothing was (done|sent)/i);
    expect((await instanceDecisions(db(), vm.id)).find((row) => row.round === 1)).toMatchObject({ state: 'held', decidedBy: 'kpatel' });

    const second = send(buttonClick({ customId: `in:confirm:${vm.id}:redeploy:1`, messageId: '880000000000000010', userId: D.mdelgado }));
    expect(discordText(await d.read.followUp(second))).toMatch(new RegExp(`^Instance #${vm.id} was redeployed by kpatel at .*recorded it afterwards from what Atmosphere shows\\. Nothing more was done\\.$`, 's'));
    expect(actionPosts(d.atmosphere, vm.uuid)).toHaveLength(before + 1);
    expect((await instanceDecisions(db(), vm.id)).find((row) => row.round === 1)).toMatchObject({ state: 'done', decidedBy: 'kpatel' });
  });
});
