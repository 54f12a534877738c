import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyAsText } from '../../src/bot/chat/deliver-reply.js';
import { asc, sql } from 'drizzle-orm';
import { maintenanceRecord } from '../../src/db/atmosphere-schema.js';
import { apiMaintenanceRecord } from '../../src/db/troposphere-schema.js';
import { auditLog, jobRun, maintenanceWindow, releasePlan } from '../../src/db/bot-schema/index.js';
import { listImagingQueue } from '../../src/db/queries/imaging-queue.js';
import { buildJobs } from '../../src/jobs/index.js';
import { createRunCoordinator } from '../../src/jobs/run-coordinator.js';
import { startScheduler } from '../../src/jobs/scheduler.js';
import type { ChatEvent } from '../../src/bot/chat/chat-event.js';
import { rowsOf } from '../../src/db/rows-of.js';
import { TEST_NOW } from '../support/databases.js';
import { actionEvent, commandEvent, dispatch } from '../support/test-deps.js';
import { startRuntimeRoleBot, type RuntimeRoleBot } from '../support/runtime-role-bot.js';
import { errorLines, requestIdOf, requestState } from '../e2e/e2e-support.js';
import { readFileSync } from 'node:fs';
import { createGitHubReleases } from '../../src/integrations/github/github-releases.js';
import { createStatusIo } from '../../src/integrations/statusio/statusio-client.js';
import { startFakeGitHub } from '../fakes/github.js';
import { startFakeStatusIo } from '../fakes/statusio.js';
import { startFakeOpenStack } from '../fakes/openstack.js';
import { busiestProvider, cloudsFor, driftedCloud } from '../handlers/reconcile/reconcile-scenario.js';
import { createDispatcher } from '../../src/bot/chat/create-dispatcher.js';
import { actionDefinitions, commandDefinitions } from '../../src/handlers/index.js';
import { freeImagingSlot, requestId, statusOf } from '../handlers/imaging/imaging-support.js';

const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };
const mdelgado = { id: 'c-mdelgado', actingAs: 'mdelgado' };
const admin = { platform: 'discord' as const, id: '999000999000' };
const minutes = (n: number) => new Date(TEST_NOW.getTime() + n * 60_000);
const GITHUB_TOKEN = 'ghp_leastPrivilegeTestToken0123456789abcd';
const START = 'maintenance start --title "v37-0 deployment" --message "Atmosphere is down for a Scheduled Maintenance" --until +4h';

/**
 * Every command and job of the bot, run by the real bot connected as a role that holds exactly the
 * grants `npm run db:grants` prints. A privilege too few shows up as a "permission denied" bug reply
 * and an error log line, which the last test rules out for the whole run.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('the bot with exactly the printed grants (real Postgres)', () => {
  let s: RuntimeRoleBot;
  const texts: string[] = [];
  const owner = () => s.database.atmosphere.db;
  const tropoOwner = () => s.database.troposphere!.db;

  beforeAll(async () => {
    // The GitHub client is pointed at the fake in the release test; nothing is called before.
    s = await startRuntimeRoleBot({ GITHUB_TOKEN, GITHUB_API_URL: 'http://127.0.0.1:9', RELEASE_REPOS: 'cyverse/atmosphere' });
  });
  afterAll(async () => {
    await s?.stop();
  });

  async function send(event: ChatEvent) {
    const result = await dispatch(s.bot.dispatcher, event);
    texts.push(...[...result.replies, ...result.updates].map((reply) => [reply.text, ...(reply.sections ?? []).map((x) => x.text)].join('\n')));
    return result;
  }
  const ask = async (text: string, who: Parameters<typeof commandEvent>[1] = kpatel) => (await send(commandEvent(text, who))).replies[0]!;

  it('runs as the runtime role, which has no DDL right anywhere', async () => {
    const [row] = rowsOf(await s.bot.deps.db.execute(sql`select current_user as role,
        has_database_privilege(current_database(), 'CREATE') as create_db,
        has_schema_privilege('atmobot', 'CREATE') as create_bot, has_schema_privilege('public', 'CREATE') as create_public`));
    expect(row).toEqual({ role: s.role.name, create_db: false, create_bot: false, create_public: false });
  });

  it('links, answers whoami and unlinks (chat links, audit)', async () => {
    expect((await ask('link discord:123456789012345678 kpatel', admin)).text).toContain('Linked discord:123456789012345678 to kpatel (staff)');
    expect((await ask('whoami', { platform: 'discord', id: '123456789012345678' })).text).toContain('kpatel');
    expect((await ask('unlink discord:123456789012345678', admin)).text).toContain('kpatel');
  });

  it('lists, shows, approves through the API with a new quota, and denies resource requests', async () => {
    expect((await ask('requests')).text).toMatch(/\d+ pending resource requests/);
    const jsmith = await requestIdOf(owner(), 'jsmith');
    expect((await ask(`request ${jsmith}`)).title ?? '').toContain(`#${jsmith}`);
    const form = await send(actionEvent('rr:approve', String(jsmith), kpatel));
    expect(form.outcome).toMatchObject({ kind: 'form' });
    const approved = await send(actionEvent('rr:approve', String(jsmith), kpatel, { message: 'Enjoy', quota: 'cpu=48 memory=192' }));
    expect(approved.replies[0]!.text).toContain(`Approved request #${jsmith} from jsmith`);
    expect((await requestState(owner(), jsmith)).status).toBe('approved');
    const alee = await requestIdOf(owner(), 'alee');
    expect((await ask(`deny ${alee} Duplicate request`)).text).toContain(`#${alee}`);
    expect((await requestState(owner(), alee)).status).toBe('denied');
    expect(s.atmosphere.calls.filter((call) => call.method !== 'GET' && call.status < 300).length).toBeGreaterThanOrEqual(3);
  });

  it('runs every scheduled job through the election (job_run), the alert scan posting its threads', async () => {
    const jobs = buildJobs(s.bot.deps);
    const coordinator = createRunCoordinator({ kv: s.bot.deps.kv, db: s.bot.deps.db, runner: 'least-privilege', log: s.bot.deps.log });
    const scheduler = startScheduler({ jobs, coordinator, log: s.bot.deps.log, now: () => minutes(20) });
    try {
      for (const job of jobs) expect(await scheduler.runNow(job.name), job.name).toBe('ok');
    } finally {
      await scheduler.stop();
    }
    expect((await owner().select({ job: jobRun.job }).from(jobRun)).map((row) => row.job).sort()).toEqual(jobs.map((job) => job.name).sort());
    expect(s.chat.posts.some((post) => post.channel.channel === 'alerts' && post.reply.title?.startsWith('Imaging request #'))).toBe(true);
  });

  it('builds the service report, command and weekly post, from the tables it may read', async () => {
    const reply = await ask('stats --weeks 52');
    expect(reply.title).toMatch(/^Service report, last 52 week\(s\)/);
    expect(reply.files).toHaveLength(4);
    expect(s.chat.posts.some((post) => post.channel.channel === 'announce' && post.reply.title?.startsWith('Service report') && post.reply.files?.length === 4)).toBe(true);
  });

  it('lists, shows, triages, approves under the imaging lock, queues, reorders, denies and re-submits imaging requests', async () => {
    expect((await ask('imaging pending')).text).toContain('imaging requests pending');
    await ask('imaging errored');
    const canary = await requestId(owner(), 'Jetstream Canary');
    expect((await ask(`imaging show ${canary}`)).title).toBe(`Imaging request #${canary}`);
    expect(replyAsText(await ask(`imaging triage ${canary}`))).toContain('Username: mdelgado');
    const hpc = await requestId(owner(), 'HPC Benchmark Suite');
    expect((await send(actionEvent('mr:resubmit', `${hpc}:errored`, kpatel))).replies[0]!.text).toContain('Re-submitted imaging request');
    const ids = [await requestId(owner(), 'Trinity 2.11 RNA-Seq'), await requestId(owner(), 'RStudio 4.0 Bioconductor Workshop'), await requestId(owner(), 'Genomics Workshop 2021')];
    // Another request holds the slot: the approvals queue.
    expect((await ask(`imaging approve ${ids[0]}`)).text).toContain('queued at place 1');
    expect((await send(actionEvent('mr:approve', `${ids[1]}`, mdelgado))).replies[0]!.text).toContain('queued at place 2');
    await ask(`imaging approve ${ids[2]}`);
    expect((await ask(`imaging queue move ${ids[2]} 1`, mdelgado)).text).toContain(`Moved #${ids[2]} from place 3 to 1`);
    await ask(`imaging queue cancel ${ids[1]}`, mdelgado);
    expect((await listImagingQueue(s.bot.deps.db)).map((entry) => entry.requestId)).toEqual([ids[2], ids[0]]);
    expect((await ask('imaging queue')).text).toContain(`#${ids[2]}`);
    // The slot frees (Atmosphere finished imaging): the next approval goes straight through the API.
    await freeImagingSlot(owner());
    await ask(`imaging queue cancel ${ids[2]}`, mdelgado);
    await ask(`imaging queue cancel ${ids[0]}`, mdelgado);
    expect((await send(actionEvent('mr:approve', `${ids[2]}:pending`, kpatel))).replies[0]!.text).toContain('Atmosphere starts imaging now');
    // The API answers approved; Atmosphere's own task moves it on to started.
    expect(await statusOf(owner(), ids[2]!)).toBe('approved');
    const denied = await send(actionEvent('mr:deny', `${ids[1]}`, kpatel, { reason: 'Duplicate of #12' }));
    expect(denied.replies[0]!.text).toContain('does NOT e-mail');
  });

  it('starts, shows and stops maintenance on both databases, and schedules and cancels a window', async () => {
    s.setNow(minutes(1));
    const start = await ask(START);
    const started = await send(actionEvent('mt:confirm-start', start.buttons![0]!.value, mdelgado));
    expect(started.replies[0]!.text).toContain('started by mdelgado');
    expect(await owner().select({ id: maintenanceRecord.id }).from(maintenanceRecord)).toHaveLength(1);
    expect(await tropoOwner().select({ id: apiMaintenanceRecord.id }).from(apiMaintenanceRecord)).toHaveLength(1);
    s.setNow(minutes(2));
    expect((await ask('maintenance status')).text).toContain('Maintenance is ON.');
    const stop = await ask('maintenance stop');
    s.setNow(minutes(3));
    expect((await send(actionEvent('mt:confirm-stop', stop.buttons![0]!.value, kpatel))).replies[0]!.text).toContain('Maintenance ended by kpatel');
    const [tropo] = await tropoOwner().select().from(apiMaintenanceRecord);
    expect(tropo).toMatchObject({ endDate: minutes(3), modifiedDate: minutes(3) });

    const scheduled = await ask('maintenance schedule --start "2026-11-27 16:00" --end "2026-11-27 23:00" --title "v37-1" --message "Down for v37-1"');
    const windowId = /#(\d+)/.exec(scheduled.text)?.[1];
    expect(windowId).toBeDefined();
    expect((await ask(`maintenance cancel ${windowId}`)).text).toContain(`#${windowId}`);
  });

  it('puts Troposphere back (delete on start, restore on stop) when Atmosphere\'s commit fails after it', async () => {
    // A deferred trigger makes Atmosphere's commit fail after Troposphere's side committed.
    await owner().execute(sql`create function refuse_commit() returns trigger language plpgsql as $$ begin raise exception 'commit refused by the test'; end $$`);
    await owner().execute(sql`create constraint trigger refuse_insert after insert on maintenance_record deferrable initially deferred for each row execute function refuse_commit()`);
    s.setNow(minutes(10));
    const start = await ask(START);
    const failed = (await send(actionEvent('mt:confirm-start', start.buttons![0]!.value, mdelgado))).replies[0]!.text;
    expect(failed).toContain('• Troposphere: put back as it was (maintenance off) because the other side failed.');
    expect(await tropoOwner().select({ id: apiMaintenanceRecord.id }).from(apiMaintenanceRecord)).toHaveLength(1);

    await owner().execute(sql`drop trigger refuse_insert on maintenance_record`);
    s.setNow(minutes(11));
    const again = await ask(START);
    expect((await send(actionEvent('mt:confirm-start', again.buttons![0]!.value, mdelgado))).replies[0]!.text).toContain('started by mdelgado');
    await owner().execute(sql`create constraint trigger refuse_update after update on maintenance_record deferrable initially deferred for each row execute function refuse_commit()`);
    s.setNow(minutes(12));
    const stop = await ask('maintenance stop');
    const stuck = (await send(actionEvent('mt:confirm-stop', stop.buttons![0]!.value, kpatel))).replies[0]!.text;
    expect(stuck).toContain('• Troposphere: put back as it was');
    const rows = await tropoOwner().select().from(apiMaintenanceRecord).orderBy(asc(apiMaintenanceRecord.id));
    expect(rows.at(-1)).toMatchObject({ endDate: minutes(11 + 240), modifiedDate: minutes(11) });
    await owner().execute(sql`drop trigger refuse_update on maintenance_record`);
  });

  it('prepares and tags a release (release plans) and schedules on status.io (maintenance windows)', async () => {
    const changelog = readFileSync(new URL('../fixtures/changelog-atmosphere.md', import.meta.url), 'utf8');
    const github = await startFakeGitHub({ token: GITHUB_TOKEN, repos: { 'cyverse/atmosphere': { tags: ['v37-5'], files: { 'CHANGELOG.md': changelog } } } });
    const credentials = { apiId: 'test-api-id', apiKey: 'test-api-key', pageId: 'page123' };
    const statusio = await startFakeStatusIo(credentials);
    try {
      s.bot.deps.releases = createGitHubReleases({ token: GITHUB_TOKEN, baseUrl: github.url, branch: 'master', retry: { retries: 0, retryAfterBaseValue: 1 }, throttle: false, log: s.bot.deps.log });
      s.bot.deps.statusPage = createStatusIo({ baseUrl: statusio.url, ...credentials, components: [], retries: 1, backoffMs: 1, sleep: async () => {}, log: s.bot.deps.log });
      expect((await ask('release prepare v37-6')).text).toContain('run `/atmo release tag v37-6`');
      const pull = github.state.repos.get('cyverse/atmosphere')!.pulls.find((entry) => entry.head === 'release/v37-6')!;
      github.mergePullRequest('cyverse/atmosphere', pull.number);
      const plan = await ask('release tag v37-6');
      const confirm = plan.buttons!.find((button) => button.action === 'rel:confirm-tag')!;
      await send(actionEvent('rel:confirm-tag', confirm.value, kpatel));
      expect((await ask('release status v37-6')).text).toContain('v37-6');
      expect((await ask('statusio schedule --title "DB upgrade" --details "Database upgrade" --start "2026-12-01 22:00" --end "2026-12-01 23:00"')).text).toContain('DB upgrade');
      expect((await ask('statusio list')).text).toContain('"DB upgrade"');
      expect(await owner().select({ tag: releasePlan.tag, state: releasePlan.state }).from(releasePlan)).toEqual([{ tag: 'v37-6', state: expect.any(String) }]);
      expect((await owner().select({ id: maintenanceWindow.id }).from(maintenanceWindow)).length).toBeGreaterThanOrEqual(1);
    } finally {
      await github.close();
      await statusio.close();
    }
  });

  it('reconciles a provider with OpenStack (instances, identities, memberships and quotas it may read)', async () => {
    const cloud = await startFakeOpenStack();
    try {
      const provider = await busiestProvider(owner());
      await driftedCloud(owner(), cloud, provider.id);
      const dispatcher = createDispatcher({ ...s.bot.deps, openstack: cloudsFor(cloud, provider.id, s.bot.deps.log) }, commandDefinitions, actionDefinitions);
      const { replies } = await dispatch(dispatcher, commandEvent(`reconcile ${provider.id}`, kpatel));
      texts.push(replies[0]!.text);
      expect(replies[0]!.text).toContain('1 orphan(s), 1 stale, 1 status mismatch(es), 2 quota drift(s)');
    } finally {
      await cloud.close();
    }
  });

  it('wrote an audit row per event, and nothing failed for want of a privilege', async () => {
    const audit = await owner().select({ name: auditLog.name, outcome: auditLog.outcome }).from(auditLog);
    expect(audit.length).toBeGreaterThanOrEqual(30);
    expect(texts.filter((text) => /something went wrong|permission denied/i.test(text))).toEqual([]);
    expect(errorLines(s.logLines).map((line) => `${String(line['msg'])} ${JSON.stringify(line['err'] ?? '')}`)).toEqual([]);
  });
});
