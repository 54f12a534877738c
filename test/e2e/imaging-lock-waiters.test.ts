import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { machineRequest } from '../../src/db/atmosphere-schema.js';
import { freeImagingSlot, requestId } from '../handlers/imaging/imaging-support.js';
import { waitFor } from './e2e-support.js';
import { startSlackDeployment, type SlackDeployment } from './slack-deployment.js';

const SECRET = 'e2e-imaging-lock-signing-secret';
const U = { kpatel: 'UKPATEL', mdelgado: 'UMDELGADO', jsmith: 'UJSMITH', rnguyen: 'URNGUYEN', tgarcia: 'UTGARCIA', dchen: 'UDCHEN' } as const;
const WAITING_APPROVALS = 4;

/**
 * Approvals queue for the one-at-a-time imaging lock. While one holds it (its PATCH hangs in a slow
 * Atmosphere), the others wait for the lock without holding any of the bot's work slots, so everyone
 * else's commands are still answered. Before, two waiters took both slots and stalled every user.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('approvals waiting for the imaging lock do not stall other users', { timeout: 120_000 }, () => {
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
      // The hung approval is still hung at the end; stopping need not wait long for it.
      env: { SHUTDOWN_GRACE_MS: '1000' },
    });
    url = d.appUrls[0]!;
  });

  afterAll(async () => {
    await d?.stop();
  });

  /** Pending copies of a demo request owned by a non-staff user, so staff may approve each. */
  async function pendingRequests(count: number): Promise<number[]> {
    const template = await requestId(d.db, 'Trinity 2.11 RNA-Seq');
    const [row] = await d.db.select().from(machineRequest).where(eq(machineRequest.id, template));
    const { id: _id, uuid: _uuid, ...rest } = row!;
    const ids: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const [created] = await d.db.insert(machineRequest).values({ ...rest, newApplicationName: `Waiting ${index}` }).returning({ id: machineRequest.id });
      ids.push(created!.id);
    }
    return ids;
  }

  it('answers whoami and requests while one imaging approval hangs in Atmosphere and four more wait for its lock', async () => {
    await freeImagingSlot(d.db);
    const [holder, ...waiters] = await pendingRequests(1 + WAITING_APPROVALS);
    d.atmosphere.delay(600_000);
    const replica = d.replicas[0]!.bot;
    expect((await d.driver.command(url, { userId: U.kpatel, text: `imaging approve ${holder}`, replyId: 'holder' })).status).toBe(200);
    const hung = () => d.atmosphere.calls.filter((call) => call.method === 'PATCH' && call.path.endsWith(`/machine_requests/${holder}`) && call.status === 0);
    await waitFor('the first approval to hang in Atmosphere, holding the imaging lock', () => hung().length === 1);

    for (const [index, id] of waiters.entries()) {
      const userId = index % 2 === 0 ? U.mdelgado : U.kpatel;
      expect((await d.driver.command(url, { userId, text: `imaging approve ${id}`, replyId: `waiter-${index}` })).status).toBe(200);
    }
    await waitFor('every approval to be under way', () => replica.pendingWork().length === 1 + WAITING_APPROVALS);

    const others = [
      { userId: U.jsmith, text: 'whoami' },
      { userId: U.rnguyen, text: 'whoami' },
      { userId: U.tgarcia, text: 'whoami' },
      { userId: U.dchen, text: 'whoami' },
      { userId: U.kpatel, text: 'requests' },
      { userId: U.mdelgado, text: 'imaging queue' },
    ];
    for (const [index, command] of others.entries()) {
      expect((await d.driver.command(url, { ...command, replyId: `other-${index}` })).status).toBe(200);
    }
    const answers = await Promise.all(others.map((_, index) => d.driver.reply(`other-${index}`)));
    expect(answers.slice(0, 4).map((answer) => String(answer.body['text']))).toEqual([
      expect.stringMatching(/jsmith/),
      expect.stringMatching(/rnguyen/),
      expect.stringMatching(/tgarcia/),
      expect.stringMatching(/dchen/),
    ]);
    expect(String(answers[4]!.body['text'])).toMatch(/pending resource requests/);
    // The holder counts as imaging: its approval went out and may land any moment.
    expect(String(answers[5]!.body['text'])).toMatch(new RegExp(`^Imaging now: #${holder} `));

    // Every one of them was answered while the approvals were still where they were.
    expect(hung()).toHaveLength(1);
    expect(d.driver.repliesTo('holder')).toEqual([]);
    for (const index of waiters.keys()) expect(d.driver.repliesTo(`waiter-${index}`)).toEqual([]);
    // All five have given their slots up: the holder for its API call, the others for the lock.
    await waitFor('the other commands to finish their audit rows', () => replica.pendingWork().length === 1 + WAITING_APPROVALS);
    expect(replica.pendingWork().map((item) => item.state)).toEqual(Array(1 + WAITING_APPROVALS).fill('outside'));
    // Nothing but the holder's PATCH reached Atmosphere.
    expect(d.atmosphere.calls.filter((call) => call.method === 'PATCH')).toHaveLength(1);
  });
});
