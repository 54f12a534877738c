import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockAction, signedPost, slashCommand } from '../support/slack-requests.js';
import type { FakeSlackApi } from '../fakes/slack-api.js';
import type { FakeAtmosphereApi } from '../fakes/atmosphere-api.js';
import type { SlackDriver } from './slack-driver.js';
import { startSlackDeployment, type SlackDeployment } from './slack-deployment.js';
import { apiWrites, decisionsFor, requestIdOf, requestState, waitFor } from './e2e-support.js';

const SECRET = 'e2e-forged-signing-secret';
const STAFF = 'UKPATEL';
const OTHER_STAFF = 'UMDELGADO';
const LIST_TS = '1700000199.000100';

/**
 * Payloads signed with the real signing secret, but with what comes back from the client changed:
 * the modal's private_metadata and the response_url. Each must be refused with nothing applied and
 * nothing posted outside Slack.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('Slack payloads the bot must not trust (startBot on Postgres)', () => {
  let deployment: SlackDeployment;
  let atmosphere: FakeAtmosphereApi;
  let slack: FakeSlackApi;
  let driver: SlackDriver;
  let appUrl: string;
  let evil: Server;
  let evilUrl: string;
  const evilPosts: string[] = [];

  beforeAll(async () => {
    deployment = await startSlackDeployment({
      secret: SECRET,
      replicas: 1,
      users: { [STAFF]: { email: 'kpatel@cyverse.org' }, [OTHER_STAFF]: { email: 'MDelgado@cyverse.org' } },
      botAdmins: 'slack:UADMIN',
    });
    ({ atmosphere, slack, driver } = deployment);
    appUrl = deployment.appUrls[0]!;
    // A server that is not Slack, on the same machine: the attacker's response_url.
    evil = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        evilPosts.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const address = evil.address();
    evilUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
  });

  afterAll(async () => {
    await deployment?.stop();
    await new Promise<void>((resolve) => evil?.close(() => resolve()));
  });

  it('refuses a Deny form whose private_metadata was rewritten into an approval, and applies nothing', async () => {
    const id = await requestIdOf(deployment.db, 'alee');
    const writesBefore = apiWrites(atmosphere).length;
    const trigger = await driver.click(appUrl, { userId: STAFF, action: 'rr:deny', value: `${id}:list`, messageTs: LIST_TS, replyId: 'deny-forged' });
    const { metadata } = await driver.openedView(trigger);
    expect(metadata).toMatch(/^[0-9a-f]{32}$/);

    // What the old bot put in private_metadata, with the action switched: the bot no longer reads it.
    const forged = JSON.stringify({ action: 'rr:approve', value: `${id}:list`, user: STAFF, channel: 'C1', messageTs: LIST_TS, ephemeral: false, responseUrl: evilUrl });
    const response = await driver.submit(appUrl, { userId: STAFF, metadata: forged, values: { reason: 'forged' } });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { response_action: string; errors: Record<string, string> };
    expect(answer.response_action).toBe('errors');
    expect(answer.errors['reason']).toMatch(/expired or was already sent, so nothing was done/);

    // The genuine form's id submitted by another staff member is refused as well.
    const stolen = await driver.submit(appUrl, { userId: OTHER_STAFF, metadata, values: { reason: 'not mine' } });
    expect(((await stolen.json()) as { response_action: string }).response_action).toBe('errors');

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(apiWrites(atmosphere).slice(writesBefore)).toEqual([]);
    expect(await requestState(deployment.db, id)).toMatchObject({ status: 'pending' });
    expect(await decisionsFor(deployment.db, id)).toEqual([]);
    expect(evilPosts).toEqual([]);
  });

  it('uses a form once: the genuine submission denies, a replay of it is refused', async () => {
    const id = await requestIdOf(deployment.db, 'tgarcia');
    const trigger = await driver.click(appUrl, { userId: STAFF, action: 'rr:deny', value: `${id}:list`, messageTs: LIST_TS, replyId: 'deny-real' });
    const { metadata } = await driver.openedView(trigger);
    const first = await driver.submit(appUrl, { userId: STAFF, metadata, values: { reason: 'Please ask for less' } });
    expect(await first.text()).toBe('');
    await waitFor('the denial', async () => (await requestState(deployment.db, id)).status === 'denied');
    const replay = await driver.submit(appUrl, { userId: STAFF, metadata, values: { reason: 'again' } });
    expect(((await replay.json()) as { response_action: string }).response_action).toBe('errors');
    // Atmosphere changes the status before the bot records its outcome: wait for the record, not the status.
    await waitFor('the denial recorded', async () => (await decisionsFor(deployment.db, id))[0]?.state === 'done');
    expect(await decisionsFor(deployment.db, id)).toMatchObject([{ action: 'deny', state: 'done' }]);
  });

  it('never posts to a response_url outside Slack: a command answers with chat.postEphemeral instead', async () => {
    const before = slack.calls.length;
    const response = await signedPost(appUrl, slashCommand({ text: 'requests', userId: STAFF, channelId: 'C7', responseUrl: evilUrl }), SECRET);
    expect(response.status).toBe(200);
    const ephemeral = await waitFor('chat.postEphemeral', () =>
      slack.calls.slice(before).find((call) => call.method === 'chat.postEphemeral' && call.args['channel'] === 'C7'),
    );
    expect(ephemeral.args['user']).toBe(STAFF);
    expect(String(ephemeral.args['text'])).toMatch(/pending resource request/);
    expect(evilPosts).toEqual([]);
  });

  it('never posts to a response_url outside Slack from a click, not even to refuse it', async () => {
    const id = await requestIdOf(deployment.db, 'jsmith');
    const before = slack.calls.length;
    await signedPost(
      appUrl,
      blockAction({ actionId: 'rr:deny', value: `${id}:list`, userId: 'UNOBODY', messageTs: LIST_TS, channelId: 'C1', responseUrl: evilUrl }),
      SECRET,
    );
    // An unknown user is refused; the refusal goes out as an ephemeral message, not to the attacker.
    await waitFor('the refusal', () => slack.calls.slice(before).find((call) => call.method === 'chat.postEphemeral'));
    expect(evilPosts).toEqual([]);
  });
});
