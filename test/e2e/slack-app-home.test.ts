import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBody, signedPost } from '../support/slack-requests.js';
import { startSlackDeployment, type SlackDeployment } from './slack-deployment.js';
import { decisionsFor, requestState, waitFor } from './e2e-support.js';

const SECRET = 'e2e-app-home-signing-secret';
const STAFF = 'UKPATEL';
const USER = 'UJSMITH';

type Block = { type: string; text?: { text: string }; elements?: { action_id: string; value: string; text: { text: string } }[] };

/**
 * The Home tab as Slack drives it: an `app_home_opened` event (Events API, event_callback), the
 * bot's views.publish, and a click on a button of the published view, which has no channel, message
 * or response_url (block_actions with a `view` container). Shapes from docs.slack.dev: the
 * app_home_opened event, views.publish, and block_actions payloads from a Home tab.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('the Slack Home tab on the real bot', () => {
  let deployment: SlackDeployment;
  let appUrl: string;
  let events = 0;

  beforeAll(async () => {
    deployment = await startSlackDeployment({
      secret: SECRET,
      replicas: 1,
      users: { [STAFF]: { email: 'kpatel@cyverse.org' }, [USER]: { email: 'jsmith@example.edu' } },
      botAdmins: '',
    });
    appUrl = deployment.appUrls[0]!;
  });
  afterAll(async () => {
    await deployment?.stop();
  });

  const openHome = async (user: string) => {
    events += 1;
    const body = JSON.stringify({
      token: 'legacy-verification-token',
      team_id: 'T1',
      api_app_id: 'A1',
      event: { type: 'app_home_opened', user, channel: `D${user}`, tab: 'home', event_ts: `1700000000.00${events}` },
      type: 'event_callback',
      event_id: `EvHome${events}`,
      event_time: 1_700_000_000 + events,
    });
    const before = deployment.slack.homeViews.length;
    const response = await signedPost(appUrl, body, SECRET, { contentType: 'application/json' });
    expect(response.status).toBe(200);
    return waitFor('the Home tab to be published', () => deployment.slack.homeViews.slice(before).find((published) => published.user === user));
  };
  const textOf = (view: Record<string, unknown>) => ((view['blocks'] as Block[]) ?? []).map((block) => block.text?.text ?? '').join('\n');

  it('publishes the staff dashboard for staff, within the view limits', async () => {
    const published = await openHome(STAFF);
    expect(published.view['type']).toBe('home');
    const blocks = published.view['blocks'] as Block[];
    expect(blocks.length).toBeLessThanOrEqual(100);
    const text = textOf(published.view);
    expect(text).toMatch(/Resource requests\*?\n\d+ pending; the oldest, #\d+/);
    expect(text).toContain('Your recent decisions');
  });

  it('publishes no dashboard for someone who is not staff, and says why', async () => {
    const published = await openHome(USER);
    const text = textOf(published.view);
    expect(text).toContain('You act as jsmith, who is not Atmosphere staff, so there is no dashboard for you.');
    expect(text).not.toContain('pending');
    expect((published.view['blocks'] as Block[]).some((block) => block.type === 'actions')).toBe(false);
  });

  it('a Deny button on the Home tab opens its form, decides once, answers in the direct messages and redraws the tab', async () => {
    const published = await openHome(STAFF);
    const deny = (published.view['blocks'] as Block[]).flatMap((block) => block.elements ?? []).find((element) => element.text.text.startsWith('Deny #'))!;
    const id = Number(deny.value);
    const triggerId = `home.${Date.now()}`;
    const click = {
      type: 'block_actions',
      user: { id: STAFF, username: 'kpatel', name: 'kpatel', team_id: 'T1' },
      api_app_id: 'A1',
      token: 'legacy-verification-token',
      container: { type: 'view', view_id: 'VH1' },
      trigger_id: triggerId,
      team: { id: 'T1', domain: 'acme' },
      view: { id: 'VH1', type: 'home', team_id: 'T1', blocks: published.view['blocks'] },
      actions: [{ type: 'button', action_id: deny.action_id, block_id: 'b1', text: { type: 'plain_text', text: deny.text.text }, value: deny.value, action_ts: '1700000001.000300' }],
    };
    expect((await signedPost(appUrl, encodeBody(click as never), SECRET)).status).toBe(200);
    const opened = await waitFor('the Deny form', () => deployment.slack.calls.find((call) => call.method === 'views.open' && call.args['trigger_id'] === triggerId));
    const metadata = String((opened.args['view'] as Record<string, unknown>)['private_metadata']);
    const before = deployment.slack.homeViews.length;
    const submitted = await deployment.driver.submit(appUrl, { userId: STAFF, metadata, values: { reason: 'Please ask for less' } });
    expect(submitted.status).toBe(200);

    await waitFor('the denial recorded', async () => (await decisionsFor(deployment.db, id))[0]?.state === 'done');
    expect(await requestState(deployment.db, id)).toMatchObject({ status: 'denied' });
    // The answer went to the user's direct messages with the bot (conversations.open → D…).
    const answer = await waitFor('the answer in the DM', () =>
      deployment.slack.calls.find((call) => call.method === 'chat.postMessage' && call.args['channel'] === `D${STAFF}` && String(call.args['text']).includes(`#${id}`)),
    );
    expect(String(answer.args['text'])).toMatch(/Denied request/);
    // And the Home tab was published again, with the decision among the viewer's own.
    const redrawn = await waitFor('the Home tab redrawn', () => deployment.slack.homeViews.slice(before).find((view) => view.user === STAFF));
    expect(textOf(redrawn.view)).toMatch(new RegExp(`deny resource request #${id}, just now \\(done\\)`));
  });
});
