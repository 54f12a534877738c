import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createDispatcher } from '../../../src/bot/chat/create-dispatcher.js';
import { actionDefinitions, commandDefinitions } from '../../../src/handlers/index.js';
import { renderReplyMessage } from '../../../src/bot/discord/render-reply.js';
import { renderReplyBlocks } from '../../../src/bot/slack/render-reply.js';
import type { Reply } from '../../../src/bot/chat/reply.js';
import { dbKinds } from '../../support/databases.js';
import { countingDatabase } from '../../support/counting-database.js';
import { commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { requestIdOf } from '../../e2e/e2e-support.js';

const kpatel = { id: 'op', actingAs: 'kpatel' };

function fieldsOf(reply: Reply): Record<string, string> {
  return Object.fromEntries((reply.fields ?? []).map((field) => [field.label, field.value]));
}

/**
 * pwright gets a heavy history: 300 more live instances, 3 volumes (two live, one
 * end-dated), 500 earlier requests, and a new pending request. Inserted with set-based SQL into the
 * real Atmosphere tables, as Django would have left them.
 */
async function growPwright(t: TestContext): Promise<number> {
  const db = t.deps.db;
  await db.execute(sql`
    with who as (select id from atmosphere_user where username = 'pwright'),
    template as (
      select i.source_id, i.created_by_identity_id, h.size_id, h.status_id from instance i
      join instance_status_history h on h.instance_id = i.id and h.end_date is null
      where i.created_by_id = (select id from who) order by i.id limit 1
    ),
    made as (
      insert into instance (name, provider_alias, shell, vnc, web_desktop, start_date, created_by_id, created_by_identity_id, source_id)
      select 'batch-' || n, gen_random_uuid()::text, false, false, false, timestamptz '2026-10-01 00:00Z' + n * interval '1 minute',
             (select id from who), t.created_by_identity_id, t.source_id
      from generate_series(1, 300) n, template t
      returning id, start_date
    )
    insert into instance_status_history (uuid, start_date, instance_id, size_id, status_id)
    select gen_random_uuid(), made.start_date, made.id, t.size_id, t.status_id from made, template t`);
  await db.execute(sql`
    with who as (select id from atmosphere_user where username = 'pwright'),
    sources as (
      insert into instance_source (uuid, identifier, start_date, end_date, created_by_id, provider_id, size_bytes)
      select gen_random_uuid(), 'vol-' || n, timestamptz '2026-09-01 00:00Z', case when n = 3 then timestamptz '2026-10-01 00:00Z' end,
             (select id from who), (select id from provider where location = 'CyVerse Cloud - Tucson'), 0
      from generate_series(1, 3) n
      returning id, identifier
    )
    insert into volume (size, name, instance_source_id)
    select case identifier when 'vol-1' then 1024 when 'vol-2' then 512 else 4096 end, identifier, id from sources`);
  await db.execute(sql`
    insert into resource_request (uuid, admin_message, start_date, end_date, request, description, created_by_id, status_id)
    select gen_random_uuid(), case when n % 2 = 0 then 'Not this time' else 'Granted' end, timestamptz '2025-01-01 00:00Z' + n * interval '1 hour',
           timestamptz '2025-01-01 00:00Z' + n * interval '1 hour' + interval '10 minutes', 'cpu: ' || n, 'batch',
           (select id from atmosphere_user where username = 'pwright'),
           (select id from status_type where name = case when n % 2 = 0 then 'denied' else 'approved' end)
    from generate_series(1, 500) n`);
  await db.execute(sql`
    insert into resource_request (uuid, admin_message, start_date, request, description, created_by_id, status_id)
    values (gen_random_uuid(), '', timestamptz '2026-11-23 12:00Z', 'cpu: 64, memory: 256 GB', 'The last big one',
            (select id from atmosphere_user where username = 'pwright'), (select id from status_type where name = 'pending'))`);
  return requestIdOf(db, 'pwright');
}

describe.each(dbKinds())('the context a resource request is decided by, on %s', (kind) => {
  let t: TestContext;

  beforeAll(async () => {
    t = await createTestContext(kind);
  }, 600_000);
  afterAll(async () => {
    await t?.database.drop();
  });

  it('shows per provider the quota beside what runs there, and the allocation burning towards its end', async () => {
    const id = await requestIdOf(t.deps.db, 'alee');
    const { replies } = await dispatch(t.dispatcher, commandEvent(`request ${id}`, kpatel));
    const fields = fieldsOf(replies[0]!);
    expect(fields['On CyVerse Cloud - Tucson']).toBe(
      'Quota: cpu 2 · memory 4 GB · storage 50 GB · volumes 1 · instances 10 · snapshots 10 · floating IPs 10 · ports 10\nUsing: 1 instance (1 active): 2 CPU, 4 GB memory, 20 GB disk; no volumes',
    );
    expect(fields['On Jetstream - Indiana University']).toContain('Using: 1 instance (0 active): 6 CPU, 16 GB memory, 60 GB disk');
    expect(fields['Live instances (2, newest first)']).toMatch(/^#\d+ thesis-sim-02 · m1\.medium \(6 CPU, 16 GB\) · deploying · Jetstream - Indiana University · 3 h old\n#\d+ thesis-sim-01/);
    // 336 - 318.5 = 17.5 AU at 1.5 AU/h is 11 h 40 min from the snapshot, an hour ago.
    expect(fields.Allocation).toBe(
      'alee: 336 AU allowed; used 318.5 AU (94.8%), 17.5 AU left; burning 1.5 AU/h; runs out in 10 h 40 min at that rate (2026-11-24 03:40 UTC), as of 1 h ago',
    );
    expect(fields.Account).toBe('enabled; joined 2024-09-14 17:00 UTC (2 yr 10 wk ago); last login 1 d 6 h ago');
    expect(fields['Earlier requests']).toBe('none: this is their first');
  });

  it('names a shared source with the whole project\'s burn and the requester\'s share, and one without a snapshot', async () => {
    const id = await requestIdOf(t.deps.db, 'rnguyen');
    const { replies } = await dispatch(t.dispatcher, commandEvent(`request ${id}`, kpatel));
    const allocation = fieldsOf(replies[0]!).Allocation!;
    expect(allocation).toContain('TG-BIO210056: 100,000 AU allowed, shared by 2 users; used 62,400 AU (62.4%), 37,600 AU left; burning 48 AU/h; this user 22,300 AU at 18 AU/h; runs out in 4 wk');
    expect(allocation).toContain('rnguyen: 336 AU allowed; no usage snapshot from the allocation engine yet');
    const earlier = fieldsOf(replies[0]!)['Earlier requests']!;
    expect(earlier).toMatch(/^1 in all: 1 approved\n#\d+ 2026-09-09 cpu: 32, memory: 256 GB, storage: 500 GB for the spring QII/);
  });

  it('says a disabled account is disabled, and how its earlier requests were decided', async () => {
    const bokafor = await t.deps.db.execute(sql`
      insert into resource_request (uuid, admin_message, start_date, request, description, created_by_id, status_id)
      values (gen_random_uuid(), '', timestamptz '2026-11-22 12:00Z', 'cpu: 8', 'more', (select id from atmosphere_user where username = 'bokafor'),
              (select id from status_type where name = 'pending')) returning id`);
    const id = Number((bokafor as unknown as { rows: { id: number }[] }).rows[0]!.id);
    const { replies } = await dispatch(t.dispatcher, commandEvent(`request ${id}`, kpatel));
    expect(fieldsOf(replies[0]!).Account).toMatch(/^DISABLED \(not active, end-dated 2026-10-09 17:00 UTC\); joined 2022-10-15 17:00 UTC \(4 yr 5 wk ago\); last login 9 wk ago$/);

    // A request decided through the bot says by whom.
    const jsmith = await requestIdOf(t.deps.db, 'jsmith');
    await dispatch(t.dispatcher, commandEvent(`deny ${jsmith} Please use the HPC cluster`, kpatel));
    await t.deps.db.execute(sql`
      insert into resource_request (uuid, admin_message, start_date, request, description, created_by_id, status_id)
      values (gen_random_uuid(), '', timestamptz '2026-11-23 12:00Z', 'cpu: 8', 'again', (select id from atmosphere_user where username = 'jsmith'),
              (select id from status_type where name = 'pending'))`);
    const again = await requestIdOf(t.deps.db, 'jsmith');
    const view = await dispatch(t.dispatcher, commandEvent(`request ${again}`, kpatel));
    const earlier = fieldsOf(view.replies[0]!)['Earlier requests']!;
    expect(earlier).toMatch(/^2 in all: 1 denied\b|^2 in all: 2 denied/);
    expect(earlier).toContain(`#${jsmith} `);
    expect(earlier).toMatch(new RegExp(`#${jsmith} .* → denied by kpatel \\(bot, console\\) \\d{4}-\\d{2}-\\d{2}; "Please use the HPC cluster"`));
  });

  it('keeps a user with 300 instances and 500 earlier requests to counts and the newest few, within both platforms\' limits, in one statement more', async () => {
    const id = await growPwright(t);
    const counting = countingDatabase(t.deps.db);
    const dispatcher = createDispatcher({ ...t.deps, db: counting.db }, commandDefinitions, actionDefinitions);
    // A first look warms the account resolution and the status ids, as production keeps them.
    await dispatch(dispatcher, commandEvent(`request ${id}`, kpatel));
    counting.reset();
    const { replies } = await dispatch(dispatcher, commandEvent(`request ${id}`, kpatel));
    const reply = replies[0]!;
    const fields = fieldsOf(reply);

    const tucson = fields['On CyVerse Cloud - Tucson']!;
    // Her three live instances and 300 copies of the first (an m1.tiny); the end-dated
    // 4 TB volume is gone.
    expect(tucson.split('\n')[1]).toBe('Using: 303 instances (1 active): 305 CPU, 610 GB memory, 2.4 TB disk; 2 volumes, 1.5 TB');
    const instances = fields['Live instances (303, newest first)']!;
    expect(instances.split('\n').filter((line) => line.startsWith('#'))).toHaveLength(5);
    expect(instances).toMatch(/^#\d+ intro-to-linux .*\n.*\n.*\n#\d+ batch-300 · m1\.tiny \(1 CPU, 2 GB\) · networking · CyVerse Cloud - Tucson · 7 wk old\n#\d+ batch-299 /);
    expect(instances).toContain('… and 298 more; /atmo instances user pwright lists them all.');
    const earlier = fields['Earlier requests']!;
    expect(earlier.split('\n')[0]).toBe('501 in all: 250 approved, 251 denied');
    expect(earlier.split('\n').filter((line) => line.startsWith('#'))).toHaveLength(5);
    expect(earlier).toMatch(/\n#\d+ 2025-01-21 cpu: 500 → denied 2025-01-21; "Not this time"\n/);
    expect(earlier).toContain('(the newest 5 shown)');

    // Discord: every field within 1024, the embed within 6000 and 25 fields; Slack: within 50 blocks
    // and 3000 characters a section. Nothing is cut by either adapter.
    for (const value of Object.values(fields)) expect(value.length).toBeLessThanOrEqual(1024);
    const discord = renderReplyMessage(reply);
    const embed = discord.embeds[0]!;
    expect(embed.fields!.length).toBeLessThanOrEqual(25);
    const embedLength = (embed.title ?? '').length + (embed.description ?? '').length + (embed.footer?.text ?? '').length + embed.fields!.reduce((sum, f) => sum + f.name.length + f.value.length, 0);
    expect(embedLength).toBeLessThanOrEqual(6000);
    expect(JSON.stringify(discord)).not.toContain('(cut');
    const slack = renderReplyBlocks(reply);
    expect(slack.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(slack.blocks)).not.toContain('(cut');

    // The request with its bot decision (one statement), its quotas with its allocation sources (one),
    // and the context: one statement however much history there is. Plus the account resolution and
    // the audit row.
    const context = counting.statements.filter((statement) => /^\s*with live as/.test(statement));
    expect(context).toHaveLength(1);
    expect(counting.statements.filter((statement) => statement.includes('"identity"') && statement.includes('"user_allocation_source"'))).toHaveLength(1);
    expect(counting.statements).toHaveLength(5);
  });
});
