import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { machineRequest } from '../../src/db/atmosphere-schema.js';
import type { FakeSlackApi } from '../fakes/slack-api.js';
import { requestId } from '../handlers/imaging/imaging-support.js';
import type { SlackDriver } from './slack-driver.js';
import { startSlackDeployment, type SlackDeployment } from './slack-deployment.js';

const SECRET = 'e2e-slack-signing-secret';
const KPATEL = 'UKPATEL';
/** A realistic 10 kB `old_status`: the real validating error after a hundred celery frames. */
const FRAMES = String.raw`  File "/opt/env/atmo/local/lib/python2.7/site-packages/celery/app/trace.py", line 240, in trace_task\n    R = retval = fun(*args, **kwargs)\n`.repeat(110);
const OLD_STATUS =
  String.raw`(validating) - ERROR - AttributeError("'NoneType' object has no attribute 'id'",) Exception:'Traceback (most recent call last):\n` +
  FRAMES +
  String.raw`AttributeError: \'NoneType\' object has no attribute \'id\'\n'`;

describe.skipIf(!process.env.TEST_DATABASE_URL)('Slack end to end: the triage report of a 10 kB traceback, through startBot on Postgres', () => {
  let deployment: SlackDeployment;
  let slack: FakeSlackApi;
  let driver: SlackDriver;
  let appUrl: string;
  let canary: number;

  beforeAll(async () => {
    deployment = await startSlackDeployment({ secret: SECRET, replicas: 1, users: { [KPATEL]: { email: 'kpatel@cyverse.org' } }, botAdmins: 'slack:UADMIN' });
    ({ slack, driver } = deployment);
    appUrl = deployment.appUrls[0]!;
    canary = await requestId(deployment.db, 'Jetstream Canary');
    await deployment.db.update(machineRequest).set({ oldStatus: OLD_STATUS }).where(eq(machineRequest.id, canary));
  });

  afterAll(async () => {
    await deployment?.stop();
  });

  it('answers with the findings first, cuts nothing, and sends the whole report to the asker\'s direct messages', async () => {
    await driver.command(appUrl, { userId: KPATEL, text: `imaging triage ${canary}`, replyId: 'triage' });
    const answer = await driver.reply('triage');
    expect(answer.body['response_type']).toBe('ephemeral');
    const blocks = answer.body['blocks'] as { type: string; text?: { text: string } }[];
    const sections = blocks.filter((block) => block.type === 'section').map((block) => block.text!.text);
    expect(sections[0]).toMatch(/^Bot triage: cache \(error\), failed step: validating\n/);
    expect(sections[0]).toContain('Reminder: the user should NOT delete instance');
    expect(JSON.stringify(blocks)).not.toContain('(cut');
    expect(sections[1]).toContain(`is in the file imaging-request-${canary}-triage.txt sent with this report`);

    const file = slack.files.find((shared) => shared.filename === `imaging-request-${canary}-triage.txt`);
    expect(file?.channel).toBe(`D${KPATEL}`);
    const report = file!.bytes.toString('utf8');
    expect(report.split('R = retval = fun(*args, **kwargs)').length - 1).toBe(110);
    expect(report).toContain('Username: mdelgado');
    expect(report.indexOf('Reminder: ')).toBeLessThan(report.indexOf('Traceback : '));
  });

  it('still answers when the app lacks files:write, and says the file could not be attached', async () => {
    slack.failNext('files.getUploadURLExternal', 'missing_scope');
    const before = slack.files.length;
    await driver.command(appUrl, { userId: KPATEL, text: `imaging triage ${canary}`, replyId: 'triage-no-scope' });
    const answer = await driver.reply('triage-no-scope');
    const text = JSON.stringify(answer.body['blocks']);
    expect(text).toContain('Bot triage: cache (error)');
    expect(text).toContain(`The file imaging-request-${canary}-triage.txt could not be attached: Slack refused files.getUploadURLExternal: missing_scope.`);
    expect(slack.files.length).toBe(before);
  });
});
