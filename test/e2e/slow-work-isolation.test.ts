import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestIdOf, waitFor } from './e2e-support.js';
import { startSlackDeployment, type SlackDeployment } from './slack-deployment.js';

const SECRET = 'e2e-isolation-signing-secret';
const U = { kpatel: 'UKPATEL', mdelgado: 'UMDELGADO', jsmith: 'UJSMITH', rnguyen: 'URNGUYEN', tgarcia: 'UTGARCIA', dchen: 'UDCHEN' } as const;
const LIST_TS = '1700000099.000100';

/**
 * A slow Atmosphere must hold only the events waiting on it. Two staff approvals hang in the API
 * (the fake holds them far longer than this test runs); everyone else's commands still get answers.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('slow work does not stall other users', { timeout: 120_000 }, () => {
  let d: SlackDeployment;
  let url: string;

  beforeAll(async () => {
    d = await startSlackDeployment({
      secret: SECRET,
      replicas: 1,
      users: {
        [U.kpatel]: { email: 'kpatel@cyverse.org' },
        [U.mdelgado]: { email: 'mdelgado@cyverse.org' },
        [U.jsmith]: { email: 'jsmith@example.edu' },
        [U.rnguyen]: { email: 'rnguyen@email.arizona.edu' },
        [U.tgarcia]: { email: 'tgarcia@iu.edu' },
        [U.dchen]: { email: 'dchen@tacc.utexas.edu' },
      },
      botAdmins: '',
      // The hung approvals are still hung at the end; stopping need not wait long for them.
      env: { SHUTDOWN_GRACE_MS: '1000' },
    });
    url = d.appUrls[0]!;
  });

  afterAll(async () => {
    await d?.stop();
  });

  it('answers whoami and requests of other users while two approvals hang in Atmosphere', async () => {
    const approvals = await Promise.all(
      [
        { userId: U.kpatel, username: 'alee' },
        { userId: U.mdelgado, username: 'alee2' },
      ].map(async ({ userId, username }) => {
        const id = await requestIdOf(d.db, username);
        const trigger = await d.driver.click(url, { userId, action: 'rr:approve', value: `${id}:list`, messageTs: LIST_TS, replyId: `hung-${username}` });
        return { userId, id, metadata: (await d.driver.openedView(trigger)).metadata };
      }),
    );
    d.atmosphere.delay(600_000);
    for (const approval of approvals) {
      const ack = await d.driver.submit(url, { userId: approval.userId, metadata: approval.metadata, values: { message: 'ok', quota: null, provider: null } });
      expect(ack.status).toBe(200);
    }
    const hung = () => d.atmosphere.calls.filter((call) => call.method === 'PATCH' && call.status === 0);
    await waitFor('both approvals waiting on Atmosphere', () => hung().length === 2);

    const others = [
      { userId: U.jsmith, text: 'whoami' },
      { userId: U.rnguyen, text: 'whoami' },
      { userId: U.tgarcia, text: 'whoami' },
      { userId: U.dchen, text: 'whoami' },
      { userId: U.kpatel, text: 'requests' },
      { userId: U.mdelgado, text: 'requests' },
    ];
    for (const [index, command] of others.entries()) {
      const ack = await d.driver.command(url, { ...command, replyId: `other-${index}` });
      expect(ack.status).toBe(200);
    }
    const answers = await Promise.all(others.map((_, index) => d.driver.reply(`other-${index}`)));
    // Every other user was answered while both approvals were still hanging in Atmosphere.
    expect(hung()).toHaveLength(2);
    expect(answers.slice(0, 4).map((answer) => String(answer.body['text']))).toEqual([
      expect.stringMatching(/jsmith/),
      expect.stringMatching(/rnguyen/),
      expect.stringMatching(/tgarcia/),
      expect.stringMatching(/dchen/),
    ]);
    for (const answer of answers.slice(4)) expect(String(answer.body['text'])).toMatch(/pending resource requests/);
    expect(d.driver.repliesTo('hung-alee')).toEqual([]);
    expect(d.driver.repliesTo('hung-alee2')).toEqual([]);
  });
});
