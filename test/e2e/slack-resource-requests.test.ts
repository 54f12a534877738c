import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { atmosphereUser, identity, quota, resourceRequest, statusType } from '../../src/db/atmosphere-schema.js';
import { chatLink } from '../../src/db/bot-schema/chat-link.js';
import { signedPost, slashCommand } from '../support/slack-requests.js';
import type { FakeSlackApi } from '../fakes/slack-api.js';
import type { FakeAtmosphereApi } from '../fakes/atmosphere-api.js';
import { readableText, slackButtons, type SlackDriver } from './slack-driver.js';
import { startSlackDeployment, type SlackDeployment } from './slack-deployment.js';
import { allocationSourceNamed, apiWrites, auditAfter, auditRows, decisionsFor, errorLines, fileRequest, lastAuditId, onlyIdentityOf, requestIdOf, requestState, waitFor } from './e2e-support.js';

const SECRET = 'e2e-slack-signing-secret';
/** Slack users of the workspace, and the e-mail users.info gives for each. */
const U = { kpatel: 'UKPATEL', mdelgado: 'UMDELGADO', jsmith: 'UJSMITH', alee: 'UALEE', admin: 'UADMIN' } as const;
/** The ts of the message the bot's `/atmo requests` list sits in (a response_url message has none of its own). */
const LIST_TS = '1700000099.000100';
const PENDING_DEMO_USERS = ['jsmith', 'alee', 'alee2', 'rnguyen', 'tgarcia'];

describe.skipIf(!process.env.TEST_DATABASE_URL)('Slack end to end: resource requests through startBot on Postgres', () => {
  let deployment: SlackDeployment;
  let atmosphere: FakeAtmosphereApi;
  let slack: FakeSlackApi;
  let driver: SlackDriver;
  let appUrls: string[];
  const db = () => deployment.db;
  const patchesOf = (id: number) => atmosphere.calls.filter((call) => call.method === 'PATCH' && call.path === `/api/v2/admin/resource_requests/${id}`);
  const updatesOf = (ts: string) => slack.calls.filter((call) => call.method === 'chat.update' && call.args['ts'] === ts);

  const approve = (input: { userId: string; id: number; values: Record<string, string | null>; replyId: string; app?: string }) =>
    driver.clickAndSubmit(input.app ?? appUrls[0]!, { ...input, action: 'rr:approve', value: `${input.id}:list`, messageTs: LIST_TS });

  beforeAll(async () => {
    // Two replicas on one database, as a production deployment behind a load balancer.
    deployment = await startSlackDeployment({
      secret: SECRET,
      replicas: 2,
      users: {
        [U.kpatel]: { email: 'kpatel@cyverse.org' },
        [U.mdelgado]: { email: 'MDelgado@cyverse.org' },
        [U.jsmith]: { email: 'jsmith@example.edu' },
        [U.alee]: { email: 'a.lee@example.edu' },
        [U.admin]: {},
      },
      botAdmins: `slack:${U.admin}`,
    });
    ({ atmosphere, slack, driver, appUrls } = deployment);
  });

  afterAll(async () => {
    await deployment?.stop();
  });

  it('runs in production mode: REST gateway, Postgres, readiness endpoint with JSON', async () => {
    for (const url of appUrls) {
      const response = await fetch(`${url}/readyz`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(await response.json()).toMatchObject({ ok: true, mode: 'production', gateway: 'rest', database: true });
    }
  });

  it('lists the pending requests with Approve and Deny buttons through the response_url', async () => {
    const response = await driver.command(appUrls[0]!, { userId: U.kpatel, text: 'requests', replyId: 'list' });
    expect(response.status).toBe(200);
    const answer = await driver.reply('list');
    expect(answer.body['response_type']).toBe('in_channel');
    expect(answer.body['text']).toMatch(/5 pending resource requests/);
    const buttons = slackButtons(answer.body['blocks']);
    const ids = await Promise.all(PENDING_DEMO_USERS.map((username) => requestIdOf(db(), username)));
    for (const id of ids) {
      expect(buttons).toContainEqual({ action: 'rr:approve', value: `${id}:list` });
      expect(buttons).toContainEqual({ action: 'rr:deny', value: `${id}:list` });
    }
    expect(buttons).toHaveLength(ids.length * 2);
    // The Slack user became kpatel through the verified e-mail.
    expect(slack.calls.some((call) => call.method === 'users.info' && call.args['user'] === U.kpatel)).toBe(true);
  });

  it('approves with a message and a quota: the form, then exactly the REST calls of the admin page, then the list without it', async () => {
    const id = await requestIdOf(db(), 'jsmith');
    const [jsmithIdentity] = await db()
      .select({ uuid: identity.uuid, quotaId: identity.quotaId })
      .from(identity)
      .innerJoin(atmosphereUser, eq(atmosphereUser.id, identity.createdById))
      .where(eq(atmosphereUser.username, 'jsmith'));
    const [current] = await db().select().from(quota).where(eq(quota.id, jsmithIdentity!.quotaId));
    const [approved] = await db().select({ id: statusType.id }).from(statusType).where(eq(statusType.name, 'approved'));
    const writesBefore = apiWrites(atmosphere).length;

    const trigger = await driver.click(appUrls[0]!, { userId: U.kpatel, action: 'rr:approve', value: `${id}:list`, messageTs: LIST_TS, replyId: 'approve-jsmith' });
    const { view, metadata } = await driver.openedView(trigger);
    expect(view['type']).toBe('modal');
    expect(JSON.stringify(view['blocks'])).toContain('quota');
    // Nothing is sent to Atmosphere until the form is submitted.
    expect(apiWrites(atmosphere)).toHaveLength(writesBefore);

    await driver.submit(appUrls[0]!, { userId: U.kpatel, metadata, values: { message: 'Enjoy the workshop', quota: 'cpu=32 memory=128', provider: null } });
    const answer = await driver.reply('approve-jsmith');
    expect(answer.body['text']).toMatch(new RegExp(`Approved request #${id} from jsmith`));

    const writes = apiWrites(atmosphere).slice(writesBefore);
    expect(writes.map((call) => `${call.method} ${call.path}`)).toEqual([
      'POST /api/v2/quotas',
      `PATCH /api/v2/identities/${jsmithIdentity!.uuid}`,
      `PATCH /api/v2/admin/resource_requests/${id}`,
    ]);
    // The full row Troposphere sends: the two named columns changed, the rest as the identity has them now.
    const row = current!;
    expect([row.cpu, row.memory]).not.toEqual([32, 128]);
    const expectedQuota = {
      ...{ cpu: 32, memory: 128, storage: row.storage, instance_count: row.instanceCount, snapshot_count: row.snapshotCount },
      ...{ storage_count: row.storageCount, floating_ip_count: row.floatingIpCount, port_count: row.portCount },
    };
    expect(writes[0]!.body).toEqual(expectedQuota);
    expect(writes[0]!.status).toBe(201);
    const newQuotaId = (writes[0]!.change as { quota: { id: number } }).quota.id;
    expect(writes[1]!.query).toEqual({ username: 'jsmith' });
    expect(writes[1]!.body).toEqual({ quota: { id: newQuotaId } });
    expect(writes[2]!.body).toEqual({ status: { id: approved!.id }, admin_message: 'Enjoy the workshop' });
    expect(writes.every((call) => call.status < 300 && call.headers.authorization === `Token ${atmosphere.token}`)).toBe(true);

    // Atmosphere's side, as the API left it: approved, no end date on approval, the new quota on the identity.
    expect(await requestState(db(), id)).toEqual({ status: 'approved', adminMessage: 'Enjoy the workshop', endDate: null });
    const [after] = await db().select({ quotaId: identity.quotaId }).from(identity).where(eq(identity.uuid, jsmithIdentity!.uuid));
    expect(after!.quotaId).toBe(newQuotaId);
    const decisions = await decisionsFor(db(), id);
    expect(decisions).toMatchObject([{ state: 'done', action: 'approve', decidedBy: 'kpatel', platform: 'slack', chatUserId: U.kpatel }]);

    // The list message was edited in place: this request's buttons are gone, the others remain.
    const edit = updatesOf(LIST_TS).at(-1)!;
    expect(edit.args['channel']).toBe('C1');
    const buttons = slackButtons(edit.args['blocks']);
    expect(buttons.some((button) => button.value === `${id}:list`)).toBe(false);
    expect(buttons).toContainEqual({ action: 'rr:approve', value: `${await requestIdOf(db(), 'tgarcia')}:list` });
    expect(String(edit.args['text'])).toMatch(/4 pending resource requests/);
  });

  it('says a quota decrease on the confirm field of the open form, current -> new, and applies it once confirmed there', async () => {
    const id = await fileRequest(db(), 'pwright', 'cpu: 32, and fewer instances is fine');
    const before = await onlyIdentityOf(db(), 'pwright');
    const current = before.quota;
    expect(current.instanceCount).toBeGreaterThan(2);
    expect(current.cpu).toBeLessThan(32);
    const writesBefore = apiWrites(atmosphere).length;
    const auditBefore = await lastAuditId(db());
    const values = { message: 'Resized for the course', quota: 'cpu=32 instances=2', provider: null };

    const trigger = await driver.click(appUrls[0]!, { userId: U.kpatel, action: 'rr:approve', value: `${id}:list`, messageTs: LIST_TS, replyId: 'decrease' });
    const { metadata } = await driver.openedView(trigger);
    const refused = await driver.submit(appUrls[0]!, { userId: U.kpatel, metadata, values: { ...values, confirm: null } });
    expect(refused.status).toBe(200);
    const body = (await refused.json()) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors)).toEqual(['confirm']);
    expect(body.errors['confirm']).toContain(`LOWERS pwright's instances ${current.instanceCount} → 2 (DOWN)`);
    expect(body.errors['confirm']).toContain(`cpu ${current.cpu} → 32`);
    expect(body.errors['confirm']).toContain(`memory ${current.memory} GB (unchanged)`);
    // The modal stays open: no reply, nothing sent, nothing claimed; the refusal is audited.
    expect(driver.repliesTo('decrease')).toEqual([]);
    expect(apiWrites(atmosphere)).toHaveLength(writesBefore);
    expect(await decisionsFor(db(), id)).toEqual([]);
    expect(await auditRows(db(), auditBefore, 2)).toMatchObject([
      { name: 'rr:approve', outcome: 'form' },
      { name: 'rr:approve', outcome: 'usage', message: expect.stringContaining('confirm: This approval LOWERS') },
    ]);

    // The same open modal, now confirmed.
    const accepted = await driver.submit(appUrls[0]!, { userId: U.kpatel, metadata, values: { ...values, confirm: 'yes' } });
    expect(accepted.status).toBe(200);
    const text = readableText((await driver.reply('decrease')).body);
    expect(text).toMatch(new RegExp(`^Approved request #${id} from pwright`));
    expect(text).toContain(`instances ${current.instanceCount} → 2 (DOWN)`);
    const writes = apiWrites(atmosphere).slice(writesBefore);
    expect(writes.map((call) => `${call.method} ${call.path}`)).toEqual(['POST /api/v2/quotas', `PATCH /api/v2/identities/${before.uuid}`, `PATCH /api/v2/admin/resource_requests/${id}`]);
    expect(writes[0]!.body).toMatchObject({ cpu: 32, instance_count: 2, memory: current.memory });
    const after = await onlyIdentityOf(db(), 'pwright');
    expect(after.quota).toMatchObject({ cpu: 32, instanceCount: 2 });
    expect(await requestState(db(), id)).toMatchObject({ status: 'approved', adminMessage: 'Resized for the course' });
  });

  it('reports a bad quota value on the quota field of the open form, with the accepted forms, and accepts the corrected one', async () => {
    const id = await fileRequest(db(), 'pwright', 'memory: 192 GB please');
    const writesBefore = apiWrites(atmosphere).length;
    const trigger = await driver.click(appUrls[1]!, { userId: U.mdelgado, action: 'rr:approve', value: `${id}:list`, messageTs: LIST_TS, replyId: 'bad-field' });
    const { metadata } = await driver.openedView(trigger);

    for (const quota of ['memory=192MB', 'cpu=0', 'gpus=2']) {
      const refused = await driver.submit(appUrls[1]!, { userId: U.mdelgado, metadata, values: { message: 'More memory', quota, provider: null, confirm: null } });
      const body = (await refused.json()) as { response_action: string; errors: Record<string, string> };
      expect(body.response_action, quota).toBe('errors');
      expect(Object.keys(body.errors)).toEqual(['quota']);
      expect(body.errors['quota']).toContain('memory=128GB storage=2TB');
    }
    expect(driver.repliesTo('bad-field')).toEqual([]);
    expect(apiWrites(atmosphere)).toHaveLength(writesBefore);

    await driver.submit(appUrls[1]!, { userId: U.mdelgado, metadata, values: { message: 'More memory', quota: 'memory: 192 GB', provider: null, confirm: null } });
    expect(readableText((await driver.reply('bad-field')).body)).toMatch(new RegExp(`^Approved request #${id} from pwright`));
    expect(apiWrites(atmosphere).slice(writesBefore)[0]!.body).toMatchObject({ memory: 192 });
  });

  it('approves an allocation request: the form offers what the text asks for, and the grant goes before the approval', async () => {
    const id = await requestIdOf(db(), 'alee');
    const before = await allocationSourceNamed(db(), 'alee');
    expect(before.computeAllowed).toBe(336);
    const writesBefore = apiWrites(atmosphere).length;

    const trigger = await driver.click(appUrls[0]!, { userId: U.kpatel, action: 'rr:approve', value: `${id}:list`, messageTs: LIST_TS, replyId: 'allocation' });
    const { view, metadata } = await driver.openedView(trigger);
    // alee asked for "Allocation: 1000 AU": the form opens with it, editable.
    const blocks = view['blocks'] as { block_id: string; hint?: { text: string }; element: { initial_value?: string } }[];
    const block = (id: string) => blocks.find((candidate) => candidate.block_id === id);
    expect(block('allocation')?.element.initial_value).toBe('1000 AU');
    expect(block('quota')?.element.initial_value).toBeUndefined();
    // What alee has now sits under each field, so the new value is typed against it.
    expect(block('allocation')?.hint?.text).toBe('Now: alee 336 AU');
    expect(block('quota')?.hint?.text).toMatch(/^Now: CyVerse Cloud - Tucson: cpu \d+ · memory \d+ GB/);

    await driver.submit(appUrls[0]!, { userId: U.kpatel, metadata, values: { message: 'Good luck with the committee', allocation: '1000 AU', quota: null, provider: null, confirm: null } });
    const text = readableText((await driver.reply('allocation')).body);
    expect(text).toMatch(new RegExp(`^Approved request #${id} from alee`));
    expect(text).toContain('Allocation: allocation alee 336 → 1000 AU');

    const writes = apiWrites(atmosphere).slice(writesBefore);
    expect(writes.map((call) => `${call.method} ${call.path}`)).toEqual([`PATCH /api/v2/allocation_sources/${before.uuid}`, `PATCH /api/v2/admin/resource_requests/${id}`]);
    expect(writes[0]!.body).toEqual({ compute_allowed: 1000 });
    expect(writes[0]!.status).toBe(200);
    expect((await allocationSourceNamed(db(), 'alee')).computeAllowed).toBe(1000);
    expect(await requestState(db(), id)).toMatchObject({ status: 'approved', adminMessage: 'Good luck with the committee' });
    const [decision] = await decisionsFor(db(), id);
    expect(decision).toMatchObject({ state: 'done', decidedBy: 'kpatel', plan: { allocation: 'alee: 1000 AU (was 336)' } });

    // The request view shows the allocation part.
    await driver.command(appUrls[1]!, { userId: U.kpatel, text: `request ${id}`, replyId: 'allocation-view' });
    const shown = JSON.stringify((await driver.reply('allocation-view')).body['blocks']);
    expect(shown).toContain('Read as');
    expect(shown).toContain('allocation 1,000 AU');
    expect(shown).toContain('alee: 1,000 AU allowed');
  });

  it('closes a duplicate request from its own message: status closed, end-dated, the note kept, no e-mail', async () => {
    const id = await fileRequest(db(), 'pwright', 'cpu: 24 (sent twice by mistake)');
    const [closed] = await db().select({ id: statusType.id }).from(statusType).where(eq(statusType.name, 'closed'));
    const writesBefore = apiWrites(atmosphere).length;
    const messageTs = '1700000099.000300';
    await driver.command(appUrls[0]!, { userId: U.kpatel, text: `request ${id}`, replyId: 'close-view' });
    expect(slackButtons((await driver.reply('close-view')).body['blocks'])).toContainEqual({ action: 'rr:close', value: String(id) });

    const answer = await driver.clickAndSubmit(appUrls[0]!, { userId: U.kpatel, action: 'rr:close', value: String(id), messageTs, replyId: 'close', values: { note: 'Duplicate of the request before it' } });
    expect(readableText(answer.body)).toBe(`Closed request #${id} from pwright; Atmosphere sends no e-mail for a close.`);
    const writes = apiWrites(atmosphere).slice(writesBefore);
    expect(writes.map((call) => `${call.method} ${call.path}`)).toEqual([`PATCH /api/v2/admin/resource_requests/${id}`]);
    expect(writes[0]!.body).toEqual({ status: { id: closed!.id }, admin_message: 'Duplicate of the request before it' });
    const state = await requestState(db(), id);
    expect(state).toMatchObject({ status: 'closed', adminMessage: 'Duplicate of the request before it' });
    expect(state.endDate).not.toBeNull();
    expect(await decisionsFor(db(), id)).toMatchObject([{ state: 'done', action: 'close', decidedBy: 'kpatel' }]);

    // Closed is decided: a late Approve is told so, and nothing is sent.
    await driver.click(appUrls[1]!, { userId: U.mdelgado, action: 'rr:approve', value: String(id), messageTs, replyId: 'after-close' });
    expect((await driver.reply('after-close')).body['text']).toMatch(new RegExp(`^Request #${id} was closed by kpatel`));
    expect(apiWrites(atmosphere).slice(writesBefore)).toHaveLength(1);
  });

  it('lets exactly one of 20 simultaneous approvals through, across two replicas; the other 19 are told who decided', async () => {
    const id = await requestIdOf(db(), 'rnguyen');
    const users = [U.kpatel, U.mdelgado];
    const clicks = Array.from({ length: 20 }, (_, index) => ({ userId: users[index % 2]!, app: appUrls[index % 2]!, replyId: `race-${index}` }));
    const triggers = await Promise.all(
      clicks.map((click) => driver.click(click.app, { userId: click.userId, action: 'rr:approve', value: `${id}:list`, messageTs: LIST_TS, replyId: click.replyId })),
    );
    const views = await Promise.all(triggers.map((trigger) => driver.openedView(trigger)));
    const auditBefore = await lastAuditId(db());

    const acks = await Promise.all(
      clicks.map((click, index) => driver.submit(click.app, { userId: click.userId, metadata: views[index]!.metadata, values: { message: 'Approved for the class', quota: null, provider: null } })),
    );
    expect(acks.map((response) => response.status)).toEqual(Array(20).fill(200));
    const answers = await Promise.all(clicks.map((click) => driver.reply(click.replyId)));

    expect(patchesOf(id)).toHaveLength(1);
    const decisions = await decisionsFor(db(), id);
    expect(decisions).toHaveLength(1);
    const winner = decisions[0]!.decidedBy;
    expect(['kpatel', 'mdelgado']).toContain(winner);
    const texts = answers.map((answer) => String(answer.body['text']));
    expect(texts.filter((text) => text.startsWith(`Approved request #${id}`))).toHaveLength(1);
    const losers = texts.filter((text) => !text.startsWith(`Approved request #${id}`));
    expect(losers).toHaveLength(19);
    for (const text of losers) expect(text).toMatch(new RegExp(`^Request #${id} (was|is being) approved by ${winner}\\b.*Nothing more was done\\.$`, 's'));
    expect(await requestState(db(), id)).toMatchObject({ status: 'approved', adminMessage: 'Approved for the class' });

    const audit = (await auditRows(db(), auditBefore, 20)).filter((row) => row.name === 'rr:approve');
    expect(audit).toHaveLength(20);
    expect(audit.filter((row) => row.outcome === 'ok')).toHaveLength(1);
    expect(audit.filter((row) => row.outcome === 'refused')).toHaveLength(19);
    for (const replica of deployment.replicas) expect(errorLines(replica.logLines)).toEqual([]);
  });

  it('refuses a non-staff click, a self-approval, an unknown request, a tampered button and garbage text, changing nothing', async () => {
    const [kpatel] = await db().select({ id: atmosphereUser.id }).from(atmosphereUser).where(eq(atmosphereUser.username, 'kpatel'));
    const [pending] = await db().select({ id: statusType.id }).from(statusType).where(eq(statusType.name, 'pending'));
    const [own] = await db()
      .insert(resourceRequest)
      .values({ request: 'cpu: 8 for image builds', description: 'Testing the new base image', createdById: kpatel!.id, statusId: pending!.id })
      .returning({ id: resourceRequest.id });
    const tgarcia = await requestIdOf(db(), 'tgarcia');
    const writesBefore = apiWrites(atmosphere).length;
    const auditBefore = await lastAuditId(db());
    const click = (userId: string, value: string, replyId: string) =>
      driver.click(appUrls[1]!, { userId, action: 'rr:approve', value, messageTs: LIST_TS, replyId });

    const triggers = [
      await click(U.jsmith, `${tgarcia}:list`, 'non-staff'),
      await click(U.kpatel, `${own!.id}`, 'self'),
      await click(U.kpatel, '987654:list', 'unknown'),
      await click(U.kpatel, `${tgarcia}:list';drop table resource_request;--`, 'tampered'),
    ];
    await driver.command(appUrls[1]!, { userId: U.kpatel, text: 'frobnicate the "cloud', replyId: 'garbage' });
    await driver.command(appUrls[1]!, { userId: U.kpatel, text: 'approve twelve', replyId: 'bad-id' });

    expect((await driver.reply('non-staff')).body['text']).toBe('Only Atmosphere staff can do that, and jsmith is not staff.');
    expect((await driver.reply('self')).body['text']).toMatch(new RegExp(`Request #${own!.id} is your own; another staff member has to decide it`));
    expect((await driver.reply('unknown')).body['text']).toMatch(/There is no resource request #987654/);
    expect((await driver.reply('tampered')).body['text']).toMatch(/carries a value I cannot accept, so I did nothing/);
    expect((await driver.reply('garbage')).body['text']).toMatch(/I could not read that|I don't know the command "frobnicate"/);
    expect(readableText((await driver.reply('bad-id')).body)).toMatch(/Usage: \/atmo approve <id>/);
    for (const id of ['non-staff', 'self', 'unknown', 'tampered', 'garbage', 'bad-id']) {
      expect((await driver.reply(id)).body['response_type']).toBe('ephemeral');
    }

    // No form was opened, nothing reached Atmosphere, nothing was claimed or changed.
    expect(slack.calls.filter((call) => call.method === 'views.open' && triggers.includes(String(call.args['trigger_id'])))).toEqual([]);
    expect(apiWrites(atmosphere)).toHaveLength(writesBefore);
    expect(await decisionsFor(db(), tgarcia)).toEqual([]);
    expect(await decisionsFor(db(), own!.id)).toEqual([]);
    expect((await requestState(db(), tgarcia)).status).toBe('pending');
    expect((await requestState(db(), own!.id)).status).toBe('pending');

    const audit = await waitFor('six audit rows', async () => {
      const rows = await auditAfter(db(), auditBefore);
      return rows.length >= 6 ? rows : null;
    });
    const byUser = (chatUserId: string, input: string) => audit.find((row) => row.chatUserId === chatUserId && row.input === input);
    expect(byUser(U.jsmith, `${tgarcia}:list`)).toMatchObject({ name: 'rr:approve', outcome: 'refused', atmosphereUsername: 'jsmith', platform: 'slack', messageId: LIST_TS });
    expect(byUser(U.kpatel, `${own!.id}`)).toMatchObject({ name: 'rr:approve', outcome: 'refused', atmosphereUsername: 'kpatel', message: expect.stringContaining('your own') });
    expect(byUser(U.kpatel, '987654:list')).toMatchObject({ name: 'rr:approve', outcome: 'refused' });
    expect(byUser(U.kpatel, `${tgarcia}:list';drop table resource_request;--`)).toMatchObject({ name: 'rr:approve', outcome: 'usage' });
    expect(byUser(U.kpatel, 'frobnicate the "cloud')).toMatchObject({ kind: 'command', outcome: 'usage' });
    expect(byUser(U.kpatel, 'approve twelve')).toMatchObject({ kind: 'command', name: 'approve', outcome: 'usage' });
  });

  it('refuses an e-mail shared (ignoring case) by two accounts, until a bot admin links the Slack user', async () => {
    const auditBefore = await lastAuditId(db());
    await driver.command(appUrls[0]!, { userId: U.alee, text: 'requests', replyId: 'ambiguous' });
    const refusal = readableText((await driver.reply('ambiguous')).body);
    expect(refusal).toMatch(/More than one active Atmosphere account uses the e-mail a\.lee@example\.edu/);
    expect(refusal).toMatch(/alee, alee2|alee2, alee/);
    expect(refusal).toContain(`/atmo link slack:${U.alee} <username>`);

    // Only a bot admin may link.
    await driver.command(appUrls[0]!, { userId: U.jsmith, text: `link slack:${U.jsmith} kpatel`, replyId: 'link-by-user' });
    expect((await driver.reply('link-by-user')).body['text']).toMatch(/Only bot admins can do that/);
    await driver.command(appUrls[0]!, { userId: U.admin, text: `link slack:${U.alee} alee2`, replyId: 'link' });
    expect((await driver.reply('link')).body['text']).toBe(`Linked slack:${U.alee} to alee2.`);
    expect(await db().select({ platform: chatLink.platform, chatUserId: chatLink.chatUserId, atmosphereUsername: chatLink.atmosphereUsername, linkedBy: chatLink.linkedBy }).from(chatLink)).toEqual([
      { platform: 'slack', chatUserId: U.alee, atmosphereUsername: 'alee2', linkedBy: `slack:${U.admin}` },
    ]);

    // The other replica sees the link at once: it lives in the database, not in a cache.
    await driver.command(appUrls[1]!, { userId: U.alee, text: 'whoami', replyId: 'whoami' });
    expect((await driver.reply('whoami')).body['text']).toBe(`You are slack:${U.alee}, acting as the Atmosphere user alee2, through a link made by a bot admin.`);
    const tgarcia = await requestIdOf(db(), 'tgarcia');
    await driver.click(appUrls[1]!, { userId: U.alee, action: 'rr:approve', value: `${tgarcia}:list`, messageTs: LIST_TS, replyId: 'alee-click' });
    expect((await driver.reply('alee-click')).body['text']).toBe('Only Atmosphere staff can do that, and alee2 is not staff.');

    const audit = await auditRows(db(), auditBefore, 5);
    expect(audit.map((row) => [row.chatUserId, row.name, row.outcome, row.atmosphereUsername])).toEqual([
      [U.alee, 'requests', 'refused', null],
      [U.jsmith, 'link', 'refused', 'jsmith'],
      [U.admin, 'link', 'ok', null],
      [U.alee, 'whoami', 'ok', 'alee2'],
      [U.alee, 'rr:approve', 'refused', 'alee2'],
    ]);
  });

  it('reports Atmosphere maintenance, keeps no claim, and approves once maintenance is over', async () => {
    const id = await requestIdOf(db(), 'alee2');
    atmosphere.setMaintenance('v37 upgrade: Atmosphere is down until 18:00 UTC.');
    // Each answer comes before the audit rows (the click's, then the submission's, written last):
    // waiting for them keeps one step's rows and calls out of the next step's counts.
    const refusedFrom = await lastAuditId(db());
    try {
      const answer = await approve({ userId: U.mdelgado, id, values: { message: 'Go ahead', quota: null, provider: null }, replyId: 'maintenance' });
      expect(answer.body['text']).toMatch(/^Atmosphere is in maintenance: v37 upgrade: Atmosphere is down until 18:00 UTC/);
      expect((await auditRows(db(), refusedFrom, 2)).map((row) => [row.name, row.outcome])).toEqual([
        ['rr:approve', 'form'],
        ['rr:approve', 'failed'],
      ]);
    } finally {
      atmosphere.setMaintenance(null);
    }
    expect(patchesOf(id).map((call) => call.status)).toEqual([503]);
    expect(await decisionsFor(db(), id)).toEqual([]);
    expect((await requestState(db(), id)).status).toBe('pending');

    const auditBefore = await lastAuditId(db());
    const answer = await approve({ userId: U.mdelgado, id, values: { message: 'Go ahead', quota: null, provider: null }, replyId: 'after-maintenance', app: appUrls[1]! });
    expect(answer.body['text']).toBe(`Approved request #${id} from alee2; Atmosphere e-mails them your message.`);
    // The list's redraw comes before the submission's audit row, so it is done too.
    expect((await auditRows(db(), auditBefore, 2)).map((row) => [row.name, row.outcome])).toEqual([
      ['rr:approve', 'form'],
      ['rr:approve', 'ok'],
    ]);
    expect(patchesOf(id).map((call) => call.status)).toEqual([503, 200]);
    expect(await decisionsFor(db(), id)).toMatchObject([{ state: 'done', decidedBy: 'mdelgado' }]);
    expect(await requestState(db(), id)).toMatchObject({ status: 'approved', adminMessage: 'Go ahead' });
  });

  it('answers a forged signature or a stale timestamp with 401, dispatching and auditing nothing', async () => {
    const auditBefore = await lastAuditId(db());
    const callsBefore = slack.calls.length;
    const forged = await signedPost(appUrls[0]!, slashCommand({ text: 'requests', userId: U.kpatel, responseUrl: slack.responseUrl('forged') }), 'not-the-secret');
    const stale = await signedPost(appUrls[0]!, slashCommand({ text: 'requests', userId: U.kpatel, responseUrl: slack.responseUrl('stale') }), SECRET, {
      timestamp: Math.floor(Date.now() / 1000) - 10 * 60,
    });
    expect(forged.status).toBe(401);
    expect(stale.status).toBe(401);

    // A genuine request afterwards is handled; by the time its answer is in, the rejected ones would have been too.
    await driver.command(appUrls[0]!, { userId: U.kpatel, text: 'whoami', replyId: 'genuine' });
    expect((await driver.reply('genuine')).body['text']).toMatch(/acting as the Atmosphere user kpatel \(staff\), through your verified e-mail/);
    expect(driver.repliesTo('forged')).toEqual([]);
    expect(driver.repliesTo('stale')).toEqual([]);
    const audit = await auditRows(db(), auditBefore, 1);
    expect(audit.map((row) => row.input)).toEqual(['whoami']);
    expect(slack.calls.slice(callsBefore).filter((call) => call.method !== 'users.info')).toEqual([]);
  });
});
