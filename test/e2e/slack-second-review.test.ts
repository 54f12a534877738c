import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeSlackApi } from '../fakes/slack-api.js';
import type { FakeAtmosphereApi } from '../fakes/atmosphere-api.js';
import { readableText, slackButtons, type SlackDriver } from './slack-driver.js';
import { startSlackDeployment, type SlackDeployment } from './slack-deployment.js';
import { apiWrites, decisionsFor, fileRequest, onlyIdentityOf, requestState, waitFor } from './e2e-support.js';

const SECRET = 'e2e-slack-signing-secret';
const U = { kpatel: 'UKPATEL', mdelgado: 'UMDELGADO' } as const;
/** The ts of the single-request message the Approve button sits on. */
const VIEW_TS = '1700000099.000300';

describe.skipIf(!process.env.TEST_DATABASE_URL)('Slack end to end: a large grant waits for a second reviewer (two replicas, Postgres)', () => {
  let deployment: SlackDeployment;
  let atmosphere: FakeAtmosphereApi;
  let slack: FakeSlackApi;
  let driver: SlackDriver;
  let appUrls: string[];
  const db = () => deployment.db;

  beforeAll(async () => {
    deployment = await startSlackDeployment({
      secret: SECRET,
      replicas: 2,
      users: { [U.kpatel]: { email: 'kpatel@cyverse.org' }, [U.mdelgado]: { email: 'mdelgado@cyverse.org' } },
      botAdmins: 'slack:UADMIN',
      env: { SECOND_REVIEW_CPU: '64' },
    });
    ({ atmosphere, slack, driver, appUrls } = deployment);
  });
  afterAll(async () => {
    await deployment?.stop();
  });

  it('the modal approval is only recorded; twenty Confirm clicks by another staff member on both replicas send it once', async () => {
    const id = await fileRequest(db(), 'pwright', 'cpu: 96 for the cluster course');
    const before = await onlyIdentityOf(db(), 'pwright');
    const writesBefore = apiWrites(atmosphere).length;

    const first = await driver.clickAndSubmit(appUrls[0]!, {
      userId: U.kpatel,
      action: 'rr:approve',
      value: String(id),
      messageTs: VIEW_TS,
      replyId: 'first',
      values: { message: 'Approved for the course', quota: 'cpu=96', provider: null, allocation: null, confirm: null },
    });
    expect(first.body['response_type']).toBe('in_channel');
    expect(readableText(first.body)).toMatch(new RegExp(`^Request #${id} \\(pwright\\) was approved first by kpatel at .* \\(on slack\\)\\. Nothing is sent to Atmosphere`));
    expect(readableText(first.body)).toContain('cpu 96 is above SECOND_REVIEW_CPU (64)');
    expect(slackButtons(first.body['blocks'])).toEqual([
      { action: 'rr:confirm', value: String(id) },
      { action: 'rr:deny', value: String(id) },
    ]);
    expect(apiWrites(atmosphere)).toHaveLength(writesBefore);
    expect(await requestState(db(), id)).toMatchObject({ status: 'pending' });

    // The first approver's own Confirm is refused, to them only.
    await driver.click(appUrls[1]!, { userId: U.kpatel, action: 'rr:confirm', value: String(id), messageTs: VIEW_TS, replyId: 'own' });
    const own = await driver.reply('own');
    expect(readableText(own.body)).toMatch(/^You approved request #\d+ first .*a second staff member, not you, has to confirm it/);
    expect(own.body['response_type']).toBe('ephemeral');

    await Promise.all(
      Array.from({ length: 20 }, (_, n) => driver.click(appUrls[n % 2]!, { userId: U.mdelgado, action: 'rr:confirm', value: String(id), messageTs: VIEW_TS, replyId: `confirm-${n}` })),
    );
    const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => driver.reply(`confirm-${n}`)));
    const texts = answers.map((answer) => readableText(answer.body));
    expect(texts.filter((text) => text.startsWith(`Approved request #${id} from pwright as the second reviewer of kpatel's approval`))).toHaveLength(1);
    expect(texts.filter((text) => /being approved by mdelgado|was approved by mdelgado/.test(text))).toHaveLength(19);

    const patches = atmosphere.calls.filter((call) => call.method === 'PATCH' && call.path === `/api/v2/admin/resource_requests/${id}`);
    expect(patches).toHaveLength(1);
    expect(patches[0]!.body).toMatchObject({ admin_message: 'Approved for the course' });
    expect(atmosphere.calls.filter((call) => call.method === 'PATCH' && call.path === `/api/v2/identities/${before.uuid}`)).toHaveLength(1);
    expect(await requestState(db(), id)).toMatchObject({ status: 'approved', adminMessage: 'Approved for the course' });
    expect(await decisionsFor(db(), id)).toMatchObject([{ state: 'done', decidedBy: 'mdelgado', platform: 'slack', plan: expect.objectContaining({ firstApprovedBy: 'kpatel' }) }]);

    // The message the buttons sat on now says who decided, and who approved first.
    const edit = await waitFor('the redrawn request message', () =>
      slack.calls.filter((call) => call.method === 'chat.update' && call.args['ts'] === VIEW_TS && /second reviewer of kpatel/.test(JSON.stringify(call.args['blocks']))).at(-1),
    );
    expect(slackButtons(edit.args['blocks'])).toEqual([]);
  }, 120_000);
});
