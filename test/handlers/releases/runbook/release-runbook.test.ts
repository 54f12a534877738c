import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKinds } from '../../../support/databases.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../../../support/test-deps.js';
import { auditLog } from '../../../../src/db/bot-schema/index.js';
import { findRunbookByTag, listRunbookItems } from '../../../../src/db/queries/release-runbooks.js';
import { shown } from '../release-harness.js';
import { eq } from 'drizzle-orm';

const kpatel = { id: 'op', actingAs: 'kpatel' };
const mdelgado = { id: 'op2', actingAs: 'mdelgado' };
const jsmith = { id: 'op3', actingAs: 'jsmith' };

describe.each(dbKinds())('release runbook on %s', (kind) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(kind, { env: { ANNOUNCE_CHANNEL: 'slack:CANNOUNCE', SITE_TIME_ZONE: 'America/Phoenix' } });
  });
  afterAll(async () => {
    await t?.database.drop();
  });
  const run = (text: string, user = kpatel) => dispatch(t.dispatcher, commandEvent(text, user));

  it('refuses what it cannot plan, before writing anything', async () => {
    const cases: [string, string][] = [
      ['release plan v37-6 --date 2026-13-01 --chief kpatel --driver mdelgado', '--date takes the deployment day as YYYY-MM-DD'],
      ['release plan v37-6 --date 2026-11-20 --chief kpatel --driver mdelgado', 'has passed'],
      ['release plan v37-6 --date 2026-12-01 --chief nobody --driver mdelgado', 'there is none named "nobody"'],
      ['release plan v37-6 --date 2026-12-01 --chief kpatel --driver jsmith', 'jsmith is not staff'],
      ['release plan v37-6 --date 2026-12-01 --chief kpatel --driver mdelgado --sites cyverse,mars', '"mars" is not a site'],
      ['release plan v37-6 --date 2026-12-01 --chief kpatel', 'Usage: /atmo release plan'],
    ];
    for (const [text, expected] of cases) expect((await run(text)).replies[0]!.text).toContain(expected);
    expect((await run('release plan v37-6 --date 2026-12-01 --chief kpatel --driver mdelgado', jsmith)).replies[0]!.text).toContain('Only Atmosphere staff');
    expect(await findRunbookByTag(t.deps.db, 'v37-6')).toBeNull();
    expect(t.chat.posts).toHaveLength(0);
  });

  it('posts the runbook to the announcement channel with owners, due days and progress', async () => {
    const { replies } = await run('release plan v37-6 --date 2026-12-01 --chief kpatel --driver mdelgado');
    expect(replies[0]!.text).toContain('Release v37-6 is planned for Tue 1 Dec 2026');
    expect(replies[0]!.text).toContain('checked for its form only');
    expect(t.chat.posts).toHaveLength(1);
    const post = t.chat.posts[0]!;
    expect(post.channel).toEqual({ platform: 'slack', channel: 'CANNOUNCE' });
    const text = shown(post.reply);
    expect(post.reply.fields!.map((field) => field.label)).toEqual(['Crew chief', 'Driver']);
    expect(post.reply.fields![0]!.value).toContain('kpatel: owns the release');
    // Monday 23 November, 10:00 in Phoenix: the crew is named by the plan itself; the calendar and
    // status.io steps were due Tuesday 17 November.
    expect(text).toContain('✓ Crew chief and driver chosen: done by kpatel on Mon 23 Nov 2026 by running /atmo release plan');
    expect(text).toContain('⚠ CyVerse: scheduled maintenance on status.io: LATE, was due Tue 17 Nov 2026 (crew chief kpatel)');
    expect(text).toContain('☐ CyVerse: maintenance notice sent to atmosphere-users (two working days before at the latest): due Fri 27 Nov 2026 (crew chief kpatel)');
    expect(text).toContain('☐ Both databases backed up: due Tue 1 Dec 2026 (driver mdelgado)');
    expect(post.reply.text).toMatch(/1 of \d+ done · 2 late/);
    const done = post.reply.buttons!.filter((button) => button.action === 'rb:done');
    expect(done).toHaveLength(5);
    expect(done.every((button) => button.label.length <= 36)).toBe(true);
    // Steps the bot can do carry the button that does them too: status.io, prepare, tag, the image check.
    expect(post.reply.buttons!.filter((button) => button.action !== 'rb:done').map((button) => button.action)).toEqual(['rb:schedule', 'rb:prepare', 'rb:tag', 'rb:images']);

    const again = await run('release plan v37-6 --date 2026-12-02 --chief kpatel --driver mdelgado');
    expect(again.replies[0]!.text).toContain('Release v37-6 already has a runbook');
  });

  it('ticks a step once however many click Done at the same moment, and redraws the message', async () => {
    const runbook = (await findRunbookByTag(t.deps.db, 'v37-6'))!;
    const item = (await listRunbookItems(t.deps.db, runbook.id)).find((row) => row.key === 'cyverse-statusio')!;
    t.chat.updates.length = 0;
    const clicks = await Promise.all(
      [kpatel, mdelgado, kpatel, mdelgado, kpatel].map((user) => dispatch(t.dispatcher, actionEvent('rb:done', String(item.id), user))),
    );
    const texts = clicks.map((click) => click.replies[0]!.text);
    expect(texts.filter((text) => text.includes('marked "CyVerse: scheduled maintenance on status.io" of release v37-6 done'))).toHaveLength(1);
    expect(texts.filter((text) => text.includes('was already marked done by'))).toHaveLength(4);
    const row = (await listRunbookItems(t.deps.db, runbook.id)).find((r) => r.key === 'cyverse-statusio')!;
    expect(row.doneVia).toBe('button');
    expect(t.chat.updates).toHaveLength(1);
    expect(t.chat.updates[0]!.message.id).toBe(runbook.messageId);
    expect(shown(t.chat.updates[0]!.reply)).toContain(`✓ CyVerse: scheduled maintenance on status.io: done by ${row.doneBy}`);
    const audits = await t.deps.db.select().from(auditLog).where(eq(auditLog.name, 'rb:done'));
    expect(audits.filter((audit) => audit.outcome === 'ok')).toHaveLength(1);
    expect(audits.filter((audit) => audit.outcome === 'refused')).toHaveLength(4);
  });

  it('ticks by name, and the status lists the open steps with their names and commands', async () => {
    const done = await run('release done v37-6 changelog', mdelgado);
    expect(done.replies[0]!.text).toContain('mdelgado marked "Changelogs: "Unreleased" moved into v37-6, release pull requests open" of release v37-6 done.');
    expect((await run('release done v37-6 nonsense')).replies[0]!.text).toContain('has no step "nonsense". Its steps: crew, cyverse-notice');
    expect((await run('release done v37-7 changelog')).replies[0]!.text).toContain('Release v37-7 has no runbook');
    const status = await run('release progress v37-6', jsmith);
    const text = status.replies[0]!.text;
    expect(text).toMatch(/3 of \d+ done · 1 late/);
    expect(text).toContain('• tag: Release pull requests merged, v37-6 tagged and released on GitHub (due Tue 24 Nov 2026)\n    /atmo release tag v37-6');
    expect(text).not.toContain('• changelog:');
    // A day later in Phoenix, what was due is late.
    t.setNow(new Date('2026-11-28T17:00:00Z'));
    expect((await run('release progress v37-6', jsmith)).replies[0]!.text).toMatch(/3 of \d+ done · \d+ late/);
    expect(shown((await run('release progress v37-6', jsmith)).replies[0])).toContain('⚠ CyVerse: maintenance notice sent to atmosphere-users');
  });
});
