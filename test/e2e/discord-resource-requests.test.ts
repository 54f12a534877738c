import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCommandManifest } from '../../src/bot/discord/command-manifest.js';
import { commandDefinitions } from '../../src/handlers/index.js';
import { APPLICATION_ID, buttonClick, chatInput, GUILD_ID, modalSubmit } from '../support/discord-interactions.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { CALLBACK, discordButtonIds, discordText, EPHEMERAL } from './discord-driver.js';
import { createSlackDriver, readableText, slackButtons } from './slack-driver.js';
import { DISCORD_USERS, startDiscordDeployment, type DiscordDeployment } from './discord-deployment.js';
import { apiWrites, auditRows, decisionsFor, allocationSourceNamed, errorLines, fileRequest, lastAuditId, onlyIdentityOf, requestIdOf, requestState, waitFor } from './e2e-support.js';

const TOKEN = 'e2e-discord-bot-token';
const SLACK_SECRET = 'e2e-slack-signing-secret';
/** Discord users: a bot admin, someone nobody linked, and the accounts the admin links. */
const D = DISCORD_USERS;
const SLACK_KPATEL = 'UKPATEL';
const SLACK_LIST_TS = '1700000099.000200';

describe.skipIf(!process.env.TEST_DATABASE_URL)('Discord end to end: resource requests through startBot on Postgres', () => {
  let d: DiscordDeployment;
  let slack: FakeSlackApi;
  const db = () => d.db();
  const patchesOf = (id: number) => d.atmosphere.calls.filter((call) => call.method === 'PATCH' && call.path === `/api/v2/admin/resource_requests/${id}`);
  const send = <T extends object>(interaction: T): T => d.send(interaction);
  const link = (userId: string, username: string) => d.link(userId, username);

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    slack.setUser(SLACK_KPATEL, { email: 'kpatel@cyverse.org' });
    // One process serving both platforms, as a deployment with both configured runs.
    d = await startDiscordDeployment({
      token: TOKEN,
      env: { SLACK_BOT_TOKEN: 'xoxb-e2e-token', SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_API_URL: slack.url },
      startOptions: { slackClientOptions: { retryConfig: { retries: 0 } }, slackBotIds: { botId: 'B1', botUserId: 'UB1' } },
    });
  });

  afterAll(async () => {
    await d?.stop();
    await slack?.close();
  });

  it('registers the /atmo manifest in the guild with the bot token, then connects to the gateway', () => {
    const puts = d.discord.requests.filter((request) => request.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatchObject({ path: `/applications/${APPLICATION_ID}/guilds/${GUILD_ID}/commands`, authorization: `Bot ${TOKEN}` });
    expect(puts[0]!.body).toEqual(buildCommandManifest(commandDefinitions));
    expect(d.discord.stats.identifies).toBe(1);
  });

  it('tells an unlinked Discord user how to get linked, and audits the refusal', async () => {
    const auditBefore = await lastAuditId(db());
    const command = send(chatInput({ path: ['requests'], userId: D.stranger, username: 'stranger' }));
    const reply = await d.read.commandReply(command);
    expect(reply.private).toBe(true);
    const text = discordText(reply);
    expect(text).toMatch(/Discord does not share e-mail addresses with bots/);
    expect(text).toContain(`/atmo link discord:${D.stranger} <your Atmosphere username>`);
    expect(await auditRows(db(), auditBefore, 1)).toMatchObject([{ platform: 'discord', chatUserId: D.stranger, name: 'requests', outcome: 'refused' }]);
  });

  it('refuses an Approve click from a Discord user linked to a non-staff account, with no form and no API call', async () => {
    await link(D.jsmith, 'jsmith');
    const id = await requestIdOf(db(), 'tgarcia');
    const click = send(buttonClick({ customId: `rr:approve:${id}:list`, userId: D.jsmith, username: 'john' }));
    expect((await d.read.callback(click)).type).toBe(CALLBACK.deferredUpdateMessage);
    const refusal = await d.read.followUp(click);
    expect(discordText(refusal)).toBe('Only Atmosphere staff can do that, and jsmith is not staff.');
    expect(refusal.flags).toBe(EPHEMERAL);
    expect(apiWrites(d.atmosphere)).toEqual([]);
    expect(await decisionsFor(db(), id)).toEqual([]);
  });

  it('lists requests with embeds and buttons, and approves one through its modal: one API call, buttons removed', async () => {
    await link(D.mdelgado, 'mdelgado');
    const list = send(chatInput({ path: ['requests'], userId: D.mdelgado, username: 'maria' }));
    // The list goes to the channel: as the first response when quick, else as a public follow-up.
    const posted = await d.read.commandReply(list);
    expect(posted.private).toBe(false);
    expect(posted.embeds?.[0]?.title).toBe('Pending resource requests');
    const pendingIds = await Promise.all(['jsmith', 'alee', 'alee2', 'rnguyen', 'tgarcia'].map((username) => requestIdOf(db(), username)));
    expect(discordButtonIds(posted).sort()).toEqual(pendingIds.flatMap((id) => [`rr:approve:${id}:list`, `rr:deny:${id}:list`]).sort());

    const id = await requestIdOf(db(), 'alee');
    const detail = send(chatInput({ path: ['request'], options: { id }, userId: D.mdelgado }));
    const shown = await d.read.commandReply(detail);
    expect(discordButtonIds(shown)).toEqual([`rr:approve:${id}`, `rr:deny:${id}`, `rr:close:${id}`]);

    const messageId = '880000000000000001';
    const click = send(buttonClick({ customId: `rr:approve:${id}`, messageId, userId: D.mdelgado }));
    const modal = await d.read.callback(click);
    expect(modal.type).toBe(CALLBACK.modal);
    expect(modal.data).toMatchObject({ custom_id: `rr:approve:${id}`, title: 'Approve resource request' });
    expect(apiWrites(d.atmosphere)).toEqual([]);

    const submit = send(modalSubmit({ customId: `rr:approve:${id}`, values: { message: 'Approved from Discord', quota: '', provider: '' }, messageId, userId: D.mdelgado }));
    const confirmation = await d.read.followUp(submit);
    expect(discordText(confirmation)).toBe(`Approved request #${id} from alee; Atmosphere e-mails them your message.`);
    expect(confirmation.flags).toBe(EPHEMERAL);
    // The redrawn message was the submission's response itself: one call, no deferral and edit.
    expect((await d.read.callback(submit)).type).toBe(CALLBACK.updateMessage);
    expect(d.read.edits(submit)).toEqual([]);
    const edited = await d.read.redraw(submit);
    expect(discordButtonIds(edited)).toEqual([]);
    expect(discordText(edited)).toMatch(/was approved by mdelgado .*\(on discord\)/);

    expect(apiWrites(d.atmosphere).map((call) => `${call.method} ${call.path}`)).toEqual([`PATCH /api/v2/admin/resource_requests/${id}`]);
    expect(await requestState(db(), id)).toEqual({ status: 'approved', adminMessage: 'Approved from Discord', endDate: null });
    expect(await decisionsFor(db(), id)).toMatchObject([{ state: 'done', decidedBy: 'mdelgado', platform: 'discord', chatUserId: D.mdelgado }]);
  });

  it('lets one of 20 simultaneous modal submits through; the other 19 get a private "already decided" follow-up', async () => {
    await link(D.kpatel, 'kpatel');
    const id = await requestIdOf(db(), 'tgarcia');
    const auditBefore = await lastAuditId(db());
    const submits = Array.from({ length: 20 }, (_, index) =>
      modalSubmit({
        customId: `rr:approve:${id}:list`,
        values: { message: 'Approved for the benchmark paper', quota: '', provider: '' },
        messageId: '880000000000000002',
        userId: index % 2 === 0 ? D.mdelgado : D.kpatel,
      }),
    );
    for (const submit of submits) send(submit);
    const answers = await Promise.all(submits.map((submit) => d.read.followUp(submit)));

    expect(patchesOf(id)).toHaveLength(1);
    const decisions = await decisionsFor(db(), id);
    expect(decisions).toHaveLength(1);
    const winner = decisions[0]!.decidedBy;
    const texts = answers.map(discordText);
    expect(texts.filter((text) => text.startsWith(`Approved request #${id} from tgarcia`))).toHaveLength(1);
    const losers = answers.filter((answer) => !discordText(answer).startsWith(`Approved request #${id}`));
    expect(losers).toHaveLength(19);
    for (const loser of losers) {
      expect(discordText(loser)).toMatch(new RegExp(`^Request #${id} (was|is being) approved by ${winner}\\b.*Nothing more was done\\.$`, 's'));
      expect(loser.flags).toBe(EPHEMERAL);
    }
    const audit = (await auditRows(db(), auditBefore, 20)).filter((row) => row.name === 'rr:approve');
    expect(audit.map((row) => row.outcome).sort()).toEqual(['ok', ...Array(19).fill('refused')].sort());
    expect(errorLines(d.running.logLines)).toEqual([]);
  });

  it('serves Slack from the same process: an old Slack button on a request approved on Discord says who decided and refreshes the message', async () => {
    const id = await requestIdOf(db(), 'rnguyen');
    const submit = send(modalSubmit({ customId: `rr:approve:${id}:list`, values: { message: '', quota: '', provider: '' }, messageId: '880000000000000003', userId: D.mdelgado }));
    expect(discordText(await d.read.followUp(submit))).toMatch(new RegExp(`^Approved request #${id} from rnguyen`));
    expect(patchesOf(id)).toHaveLength(1);

    const slackDriver = createSlackDriver(slack, SLACK_SECRET);
    const appUrl = `http://127.0.0.1:${d.running.bot.port}`;
    const trigger = await slackDriver.click(appUrl, { userId: SLACK_KPATEL, action: 'rr:approve', value: `${id}:list`, messageTs: SLACK_LIST_TS, replyId: 'stale-slack' });
    const answer = readableText((await slackDriver.reply('stale-slack')).body);
    expect(answer).toMatch(new RegExp(`^Request #${id} was approved by mdelgado at .* \\(on discord\\)\\. Nothing more was done\\.$`));

    const refresh = await waitFor('the Slack list refreshed', () => slack.calls.find((call) => call.method === 'chat.update' && call.args['ts'] === SLACK_LIST_TS));
    const buttons = slackButtons(refresh.args['blocks']);
    expect(buttons.some((button) => button.value === `${id}:list`)).toBe(false);
    expect(buttons).toContainEqual({ action: 'rr:approve', value: `${await requestIdOf(db(), 'jsmith')}:list` });
    expect(slack.calls.some((call) => call.method === 'views.open' && call.args['trigger_id'] === trigger)).toBe(false);
    expect(patchesOf(id)).toHaveLength(1);
  });

  it('refuses a quota decrease submitted without confirmation, showing current -> new, and applies it once confirmed', async () => {
    const id = await fileRequest(db(), 'pwright', 'memory: 256 GB, storage can go down to 5 GB');
    const before = await onlyIdentityOf(db(), 'pwright');
    const current = before.quota;
    expect(current.storage).toBeGreaterThan(5);
    const writesBefore = apiWrites(d.atmosphere).length;
    const values = { message: 'More memory, less disk', quota: 'memory: 256 GB, storage=5', provider: '' };

    const refused = send(modalSubmit({ customId: `rr:approve:${id}`, values: { ...values, confirm: '' }, messageId: '880000000000000004', userId: D.mdelgado }));
    const refusal = discordText(await d.read.followUp(refused));
    expect(refusal).toContain(`LOWERS pwright's storage ${current.storage} → 5 GB (DOWN)`);
    expect(refusal).toContain(`memory ${current.memory} → 256 GB`);
    expect(refusal).toContain('Nothing was changed');
    expect(apiWrites(d.atmosphere)).toHaveLength(writesBefore);
    expect(await decisionsFor(db(), id)).toEqual([]);

    const confirmed = send(modalSubmit({ customId: `rr:approve:${id}`, values: { ...values, confirm: 'yes' }, messageId: '880000000000000004', userId: D.mdelgado }));
    const text = discordText(await d.read.followUp(confirmed));
    expect(text).toMatch(new RegExp(`^Approved request #${id} from pwright`));
    expect(text).toContain(`storage ${current.storage} → 5 GB (DOWN)`);
    const writes = apiWrites(d.atmosphere).slice(writesBefore);
    expect(writes.map((call) => `${call.method} ${call.path}`)).toEqual(['POST /api/v2/quotas', `PATCH /api/v2/identities/${before.uuid}`, `PATCH /api/v2/admin/resource_requests/${id}`]);
    expect(writes[0]!.body).toMatchObject({ memory: 256, storage: 5, cpu: current.cpu });
    expect((await onlyIdentityOf(db(), 'pwright')).quota).toMatchObject({ memory: 256, storage: 5 });
    expect(await requestState(db(), id)).toMatchObject({ status: 'approved', adminMessage: 'More memory, less disk' });
  });

  it('asks again for a wrong field only, through a private "Correct it" button, keeping the rest of the modal', async () => {
    const id = await fileRequest(db(), 'pwright', 'cpu: 24');
    const writesBefore = apiWrites(d.atmosphere).length;
    const submit = send(
      modalSubmit({ customId: `rr:approve:${id}`, values: { message: 'For the spring course', quota: 'cpu=0', provider: '', confirm: '' }, messageId: '880000000000000005', userId: D.mdelgado }),
    );
    await waitFor('the error and the offer', () => d.read.followUps(submit).length >= 2 || null);
    const [error, offer] = d.read.followUps(submit);
    expect(discordText(error!)).toContain('cpu must be a whole number from 1 to 100000, not "0"');
    expect(discordText(offer!)).toBe('Correct "New quota" and send it again; everything else you typed is kept.');
    expect(offer!.flags).toBe(EPHEMERAL);
    const [correctId] = discordButtonIds(offer!);
    expect(correctId).toMatch(/^form:correct:[0-9a-f]{32}$/);
    expect(apiWrites(d.atmosphere)).toHaveLength(writesBefore);

    const click = send(buttonClick({ customId: correctId!, messageId: '880000000000000006', userId: D.mdelgado }));
    const modal = await d.read.callback(click);
    expect(modal.type).toBe(CALLBACK.modal);
    const shown = JSON.stringify(modal.data);
    expect(shown).toContain('New quota');
    expect(shown).toContain('cpu=0');
    expect(shown).not.toContain('Message to the user');
    const modalId = String(modal.data?.['custom_id']);
    expect(modalId).toMatch(/^form:correct:[0-9a-f]{32}$/);

    const corrected = send(modalSubmit({ customId: modalId, values: { quota: 'cpu=24' }, messageId: '880000000000000006', userId: D.mdelgado }));
    expect(discordText(await d.read.commandReply(corrected))).toMatch(new RegExp(`^Approved request #${id} from pwright; Atmosphere e-mails them your message`));
    expect(apiWrites(d.atmosphere).slice(writesBefore)[0]!.body).toMatchObject({ cpu: 24 });
    expect(await requestState(db(), id)).toMatchObject({ status: 'approved', adminMessage: 'For the spring course' });

    // The offer answers once.
    const again = send(buttonClick({ customId: correctId!, messageId: '880000000000000006', userId: D.mdelgado }));
    expect(discordText(await d.read.followUp(again))).toMatch(/This correction has expired or was already sent/);
  });

  it('approves an allocation request for a user with two allocation sources, after asking which one', async () => {
    const id = await fileRequest(db(), 'dchen', 'Allocation: 150,000 AU for the shared assembly project');
    const shared = await allocationSourceNamed(db(), 'TG-BIO210056');
    const personal = await allocationSourceNamed(db(), 'dchen');
    const writesBefore = apiWrites(d.atmosphere).length;

    const click = send(buttonClick({ customId: `rr:approve:${id}`, messageId: '880000000000000007', userId: D.mdelgado }));
    const modal = await d.read.callback(click);
    expect(modal.type).toBe(CALLBACK.modal);
    expect(JSON.stringify(modal.data)).toContain('"value":"150000 AU"');

    const first = send(modalSubmit({ customId: `rr:approve:${id}`, values: { message: 'Granted to the project', quota: '', allocation: '150000 AU', provider: '', confirm: '' }, messageId: '880000000000000007', userId: D.mdelgado }));
    await waitFor('the question and the offer', () => d.read.followUps(first).length >= 2 || null);
    const [question, offer] = d.read.followUps(first);
    expect(discordText(question!)).toContain('dchen draws on several allocation sources');
    expect(discordText(question!)).toContain(`"TG-BIO210056" (${shared.computeAllowed} AU, shared by 2 users)`);
    expect(discordText(question!)).toContain(`"dchen" (${personal.computeAllowed} AU)`);
    expect(discordButtonIds(offer!)[0]).toMatch(/^form:correct:/);
    expect(apiWrites(d.atmosphere)).toHaveLength(writesBefore);

    const second = send(
      modalSubmit({ customId: `rr:approve:${id}`, values: { message: 'Granted to the project', quota: '', allocation: '150000 AU on TG-BIO210056', provider: '', confirm: '' }, messageId: '880000000000000007', userId: D.mdelgado }),
    );
    const text = discordText(await d.read.followUp(second));
    expect(text).toMatch(new RegExp(`^Approved request #${id} from dchen`));
    expect(text).toContain(`allocation TG-BIO210056 ${shared.computeAllowed} → 150000 AU (shared by 2 users)`);
    const writes = apiWrites(d.atmosphere).slice(writesBefore);
    expect(writes.map((call) => `${call.method} ${call.path}`)).toEqual([`PATCH /api/v2/allocation_sources/${shared.uuid}`, `PATCH /api/v2/admin/resource_requests/${id}`]);
    expect(writes[0]!.body).toEqual({ compute_allowed: 150_000 });
    expect((await allocationSourceNamed(db(), 'TG-BIO210056')).computeAllowed).toBe(150_000);
    expect((await allocationSourceNamed(db(), 'dchen')).computeAllowed).toBe(personal.computeAllowed);
    expect(await requestState(db(), id)).toMatchObject({ status: 'approved', adminMessage: 'Granted to the project' });
  });

  it('keeps handling interactions after the gateway drops the connection', async () => {
    const resumesBefore = d.discord.stats.resumes;
    d.discord.dropConnection();
    // Sent while the bot is disconnected: Discord replays it when the session resumes.
    const during = send(chatInput({ path: ['whoami'], userId: D.mdelgado }));
    await d.discord.waitForLiveSession();
    expect(discordText(await d.read.commandReply(during))).toMatch(/acting as the Atmosphere user mdelgado \(staff\), through a link made by a bot admin/);
    expect(d.discord.stats.resumes).toBe(resumesBefore + 1);

    const after = send(chatInput({ path: ['whoami'], userId: D.kpatel }));
    expect(discordText(await d.read.commandReply(after))).toMatch(/acting as the Atmosphere user kpatel \(staff\)/);
  });
});
