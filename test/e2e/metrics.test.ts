import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { alertThread } from '../../src/db/bot-schema/alert-thread.js';
import { parsePrometheusText, sampleValue, type MetricFamily } from '../support/prometheus-text.js';
import { startSlackDeployment, type SlackDeployment } from './slack-deployment.js';
import { requestIdOf, waitFor } from './e2e-support.js';

const SECRET = 'e2e-metrics-signing-secret';
const STAFF = 'UKPATEL';
const LIST_TS = '1700000099.000300';

describe.skipIf(!process.env.TEST_DATABASE_URL)('GET /metrics after a scripted Slack session on the real bot', () => {
  let deployment: SlackDeployment;
  let appUrl: string;
  let metrics: Map<string, MetricFamily>;
  let requestId: number;
  const value = (name: string, labels: Record<string, string> = {}) => sampleValue(metrics, name, labels);

  const scrape = async () => {
    const response = await fetch(`${appUrl}/metrics`);
    expect(response.status).toBe(200);
    // Prometheus' text format 0.0.4 (prometheus/docs exposition_formats.md).
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parsePrometheusText(await response.text());
  };

  beforeAll(async () => {
    deployment = await startSlackDeployment({
      secret: SECRET,
      replicas: 1,
      users: { [STAFF]: { email: 'kpatel@cyverse.org' } },
      botAdmins: 'slack:UADMIN',
      // The imaging alert scan every second, posting its threads to a Slack channel.
      env: { JOBS: 'true', ALERT_CHANNEL: 'slack:CALERTS', ALERT_SCAN_CRON: '* * * * * *' },
    });
    appUrl = deployment.appUrls[0]!;
    const { driver, atmosphere } = deployment;
    requestId = await requestIdOf(deployment.db, 'alee');

    // 1. A list command, and a command the bot does not know.
    expect((await driver.command(appUrl, { userId: STAFF, text: 'requests', replyId: 'list' })).status).toBe(200);
    await driver.reply('list');
    expect((await driver.command(appUrl, { userId: STAFF, text: 'frobnicate', replyId: 'typo' })).status).toBe(200);
    await driver.reply('typo');
    // 2. An approval Atmosphere refuses (a clear 400): the claim is given back.
    atmosphere.failNext({ method: 'PATCH', pathPrefix: '/admin/resource_requests/' }, 400, { detail: 'refused in the test' });
    const refused = await driver.clickAndSubmit(appUrl, {
      userId: STAFF,
      action: 'rr:approve',
      value: `${requestId}:list`,
      messageTs: LIST_TS,
      replyId: 'refused',
      values: { message: 'first try', quota: null, provider: null },
    });
    expect(String(refused.body['text'])).toMatch(/Atmosphere/);
    // 3. The same approval again, which goes through.
    const approved = await driver.clickAndSubmit(appUrl, {
      userId: STAFF,
      action: 'rr:approve',
      value: `${requestId}:list`,
      messageTs: LIST_TS,
      replyId: 'approved',
      values: { message: 'second try', quota: null, provider: null },
    });
    expect(String(approved.body['text'])).toMatch(new RegExp(`^Approved request #${requestId}`));
    // 4. A late click on the decided request.
    await driver.click(appUrl, { userId: STAFF, action: 'rr:approve', value: `${requestId}:list`, messageTs: LIST_TS, replyId: 'late' });
    expect(String((await driver.reply('late')).body['text'])).toMatch(/was approved by kpatel/);

    deployment.replicas[0]!.bot.startJobs();
    await waitFor('an alert scan run', async () => {
      metrics = await scrape();
      return (value('atmobot_job_runs_total', { job: 'alert-scan', outcome: 'ok' }) ?? 0) >= 1;
    });
    metrics = await scrape();
  });

  afterAll(async () => {
    await deployment?.stop();
  });

  it('counts each event by platform, kind and audited outcome', () => {
    expect(value('atmobot_events_total', { platform: 'slack', kind: 'command', outcome: 'ok' })).toBe(1);
    expect(value('atmobot_events_total', { platform: 'slack', kind: 'command', outcome: 'usage' })).toBe(1);
    // Two clicks opened the form; the submissions failed once and went through once; the late click was refused.
    expect(value('atmobot_events_total', { platform: 'slack', kind: 'form', outcome: 'form' })).toBe(2);
    expect(value('atmobot_events_total', { platform: 'slack', kind: 'action', outcome: 'failed' })).toBe(1);
    expect(value('atmobot_events_total', { platform: 'slack', kind: 'action', outcome: 'ok' })).toBe(1);
    expect(value('atmobot_events_total', { platform: 'slack', kind: 'action', outcome: 'refused' })).toBe(1);
  });

  it('times every acknowledgement and every first reply', () => {
    expect(value('atmobot_ack_seconds_count', { platform: 'slack', kind: 'command' })).toBe(2);
    // Three clicks and two submissions.
    expect(value('atmobot_ack_seconds_count', { platform: 'slack', kind: 'action' })).toBe(5);
    expect(value('atmobot_ack_seconds_bucket', { platform: 'slack', kind: 'action', le: '+Inf' })).toBe(5);
    expect(value('atmobot_reply_seconds_count', { platform: 'slack', kind: 'command' })).toBe(2);
    // The two submissions and the refused click answered; a click that opens a form answers with the form.
    expect(value('atmobot_reply_seconds_count', { platform: 'slack', kind: 'action' })).toBe(3);
  });

  it('counts decisions by outcome as the journal saw them', () => {
    const decisions = (outcome: string) => value('atmobot_decisions_total', { subject: 'resource_request', action: 'approve', outcome });
    expect(decisions('failed')).toBe(1);
    expect(decisions('done')).toBe(1);
    expect(decisions('already_decided')).toBe(1);
    expect(decisions('held')).toBeUndefined();
  });

  it('times the calls to Atmosphere and Slack, and counts the failed one', async () => {
    expect(deployment.atmosphere.calls.filter((call) => call.method === 'PATCH')).toHaveLength(2);
    // Every request the fake Atmosphere API received is one call the bot timed. The jobs started above
    // may still be making one (the fake sees it before the bot has its answer), so the two are compared
    // once they agree or the wait runs out; a call never timed fails here.
    await waitFor('every Atmosphere call timed', async () => {
      metrics = await scrape();
      return value('atmobot_external_call_seconds_count', { service: 'atmosphere' }) === deployment.atmosphere.calls.length;
    });
    expect(value('atmobot_external_call_seconds_count', { service: 'atmosphere' })).toBe(deployment.atmosphere.calls.length);
    expect(value('atmobot_external_call_errors_total', { service: 'atmosphere' })).toBe(1);
    // users.info, the views.open calls, the response_url answers, chat.update redraws and alert posts.
    expect(value('atmobot_external_call_seconds_count', { service: 'slack' })).toBeGreaterThanOrEqual(6);
    expect(value('atmobot_external_call_errors_total', { service: 'slack' })).toBeUndefined();
  });

  it('counts job runs, reports the work queue empty, and the alert threads open as the database holds them', async () => {
    expect(value('atmobot_job_runs_total', { job: 'alert-scan', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(value('atmobot_job_run_seconds_count', { job: 'alert-scan' })).toBeGreaterThanOrEqual(1);
    expect(value('atmobot_job_runs_total', { job: 'alert-scan', outcome: 'failed' })).toBeUndefined();
    for (const state of ['waiting', 'running', 'outside']) expect(value('atmobot_work_queue_depth', { state })).toBe(0);
    const rows = await deployment.db.select({ state: alertThread.state }).from(alertThread).where(eq(alertThread.subject, 'machine_request'));
    const open = rows.filter((thread) => thread.state === 'open').length;
    expect(open).toBeGreaterThan(0);
    const fresh = await scrape();
    expect(sampleValue(fresh, 'atmobot_alert_threads_open', { subject: 'machine_request' })).toBe(open);
  });

  it('declares every family with HELP and TYPE, and includes the process metrics', () => {
    for (const name of ['atmobot_events_total', 'atmobot_ack_seconds', 'atmobot_reply_seconds', 'atmobot_decisions_total', 'atmobot_external_call_seconds', 'atmobot_job_runs_total', 'atmobot_job_skips_total', 'atmobot_work_queue_depth', 'atmobot_alert_threads_open']) {
      const family = metrics.get(name);
      expect(family, name).toBeDefined();
      expect(family!.help).toBeTruthy();
    }
    expect(metrics.get('atmobot_events_total')!.type).toBe('counter');
    expect(metrics.get('atmobot_ack_seconds')!.type).toBe('histogram');
    expect(metrics.get('atmobot_work_queue_depth')!.type).toBe('gauge');
    expect(metrics.get('process_cpu_seconds_total')?.type).toBe('counter');
  });
});
