import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { maintenanceWindow } from '../../src/db/bot-schema/maintenance-window.js';
import { auditLog } from '../../src/db/bot-schema/audit-log.js';
import { signedPost, slashCommand } from '../support/slack-requests.js';
import { startSlackDeployment, type SlackDeployment } from '../e2e/slack-deployment.js';
import { waitFor } from '../e2e/e2e-support.js';

const SECRET = 'replay-signing-secret';
const STAFF = 'UKPATEL';
const REPLAYS = 100;
/** With Redis the replicas share their replay markers; without it each replica only knows its own. */
const sharedStore = Boolean(process.env.REDIS_URL);

describe.skipIf(!process.env.TEST_DATABASE_URL)('replayed Slack requests (two replicas of the real bot)', () => {
  let deployment: SlackDeployment;

  beforeAll(async () => {
    deployment = await startSlackDeployment({
      secret: SECRET,
      replicas: 2,
      users: { [STAFF]: { email: 'kpatel@cyverse.org' } },
      botAdmins: 'slack:UADMIN',
      env: process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {},
    });
  });

  afterAll(async () => {
    await deployment?.stop();
  });

  it(`runs a signed "maintenance schedule" once when it arrives ${REPLAYS} times, and acknowledges every copy`, async () => {
    const title = `replayed window ${Date.now()}`;
    const fields = slashCommand({
      text: `maintenance schedule --start +3d --end +4h --title "${title}" --message "Planned upgrade"`,
      userId: STAFF,
      responseUrl: deployment.slack.responseUrl('replayed'),
    });
    // One signature, sent again and again, as an attacker who captured the request would.
    const timestamp = Math.floor(Date.now() / 1000);
    const targets = sharedStore ? deployment.appUrls : [deployment.appUrls[0]!];
    const statuses: number[] = [];
    for (let i = 0; i < REPLAYS; i += 1) {
      const response = await signedPost(targets[i % targets.length]!, fields, SECRET, { timestamp });
      statuses.push(response.status);
    }
    expect(statuses).toEqual(Array(REPLAYS).fill(200));

    await deployment.slack.waitFor(() => deployment.slack.responses.find((r) => r.id === 'replayed'));
    const audited = await waitFor('the audit row', async () => {
      const rows = await deployment.db.select().from(auditLog).where(eq(auditLog.name, 'maintenance schedule'));
      return rows.length > 0 ? rows : null;
    });
    const windows = await deployment.db.select().from(maintenanceWindow).where(eq(maintenanceWindow.title, title));
    expect(windows).toHaveLength(1);
    expect(audited).toHaveLength(1);
    expect(deployment.slack.responses.filter((r) => r.id === 'replayed')).toHaveLength(1);
    const noted = deployment.replicas.flatMap((replica) => replica.logLines).filter((line) => line['msg'] === 'acknowledged a replayed Slack request without running it again');
    expect(noted).toHaveLength(REPLAYS - 1);
  });

  it('still runs the same command sent again as a new request (new timestamp, new signature)', async () => {
    const title = `resent window ${Date.now()}`;
    // --overlap: the second window is over the same hours as the first, which is otherwise refused.
    const text = `maintenance schedule --start +4d --end +2h --title "${title}" --message "Planned" --overlap`;
    const first = slashCommand({ text, userId: STAFF, responseUrl: deployment.slack.responseUrl('resent-1') });
    await signedPost(deployment.appUrls[0]!, first, SECRET, { timestamp: Math.floor(Date.now() / 1000) - 1 });
    await signedPost(deployment.appUrls[0]!, { ...first, response_url: deployment.slack.responseUrl('resent-2') }, SECRET);
    await deployment.slack.waitFor(() => deployment.slack.responses.find((r) => r.id === 'resent-2'));
    await deployment.slack.waitFor(() => deployment.slack.responses.find((r) => r.id === 'resent-1'));
    const windows = await deployment.db.select().from(maintenanceWindow).where(eq(maintenanceWindow.title, title));
    expect(windows).toHaveLength(2);
  });

  it("acknowledges Slack's own retry of an event it already delivered (X-Slack-Retry-Num) without taking it again", async () => {
    const event = JSON.stringify({
      token: 'legacy-verification-token',
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: `Ev${Date.now()}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_mention', user: STAFF, text: '<@UB1> hi', ts: '1700000000.000100', channel: 'C1', event_ts: '1700000000.000100' },
    });
    const url = deployment.appUrls[sharedStore ? 1 : 0]!;
    // A retry is signed anew: its timestamp, and so its signature, differ from the first delivery's.
    await signedPost(deployment.appUrls[0]!, event, SECRET, { contentType: 'application/json', timestamp: Math.floor(Date.now() / 1000) - 2 });
    const retry = await signedPost(url, event, SECRET, { contentType: 'application/json', headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(retry.status).toBe(200);
    const noted = deployment.replicas.flatMap((replica) => replica.logLines).filter((line) => line['msg'] === 'acknowledged a retry of a Slack event already taken');
    expect(noted).toHaveLength(1);
    expect(noted[0]).toMatchObject({ retryNum: '1' });
  });
});
