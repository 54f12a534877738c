import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStatusIo } from '../../src/integrations/statusio/statusio-client.js';
import { commandEvent, createTestContext, dispatch, type TestContext } from '../support/test-deps.js';

const kpatel = { id: 'op', actingAs: 'kpatel' };
const shown = (reply: { text: string; sections?: { text: string }[] }) => [reply.text, ...(reply.sections ?? []).map((section) => section.text)].join('\n');

describe('help, by area', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('pglite');
  }, 120_000);
  afterAll(async () => {
    await t?.database.drop();
  });
  const run = async (text: string, user: { id: string; actingAs?: string; platform?: 'slack' } = kpatel) => (await dispatch(t.dispatcher, commandEvent(text, user))).replies[0]!;

  it('groups every command by area, each section within Slack\'s 3,000 characters of a block', async () => {
    const reply = await run('help');
    const titles = reply.sections!.map((section) => section.text.split('\n')[0]);
    expect(titles).toEqual(expect.arrayContaining(['*You and your account*', '*Resource requests*', '*Imaging requests*', '*Instances*', '*Maintenance*', '*Releases*']));
    for (const section of reply.sections!) expect(section.text.length).toBeLessThan(3_000);
    // Every command appears once, in exactly one area.
    const usages = reply.sections!.flatMap((section) => section.text.split('\n').filter((line) => line.startsWith('/atmo ')));
    expect(new Set(usages).size).toBe(usages.length);
    expect(usages).toEqual(expect.arrayContaining([expect.stringMatching(/^\/atmo maintenance start/), expect.stringMatching(/^\/atmo release plan/), expect.stringMatching(/^\/atmo imaging triage/)]));
  });

  it('hides the status.io commands where status.io is not configured, and shows them where it is', async () => {
    expect(shown(await run('help'))).not.toContain('/atmo statusio');
    const before = t.deps.statusPage;
    // Configured, never called: help only asks whether status.io is there.
    t.deps.statusPage = createStatusIo({ baseUrl: 'http://127.0.0.1:9/', apiId: 'id', apiKey: 'key', pageId: 'page', components: [], retries: 0, backoffMs: 1, sleep: async () => {}, log: t.deps.log });
    try {
      const reply = await run('help');
      expect(reply.sections!.some((section) => section.text.startsWith('*status.io*\n/atmo statusio'))).toBe(true);
    } finally {
      t.deps.statusPage = before;
    }
    // The read-only list does not claim it changed nothing, there being nothing to change.
    expect((await run('statusio list')).text).toBe('status.io is not configured (an operator sets STATUSIO_API_ID, STATUSIO_API_KEY and STATUSIO_PAGE_ID).');
  });

  it('answers a group word alone, or with a subcommand that is not one, with that group', async () => {
    const alone = await run('maintenance');
    expect(alone.text).toBe('Maintenance: the commands you can run.');
    expect(alone.sections).toHaveLength(1);
    expect(alone.sections![0]!.text).toMatch(/^\*Maintenance\*\n\/atmo maintenance /);
    expect(alone.sections![0]!.text).not.toContain('/atmo imaging');
    const typo = await run('maintenance frob');
    expect(typo.text).toBe('"maintenance frob" is not a command. Maintenance: the commands you can run.');
    expect((await run('help imaging')).sections![0]!.text).toMatch(/^\*Imaging requests\*/);
    expect((await run('help bogus')).text).toMatch(/^There is no area "bogus"\. Ask for one of: .*maintenance/);
    // A word that is no group is still unknown.
    expect((await run('frobnicate')).text).toMatch(/^I don't know the command "frobnicate"/);
    // Someone who may run none of a group's commands is told so, not shown them.
    expect((await run('maintenance', { platform: 'slack', id: 'UNOBODY' })).text).toMatch(/You may run none of the Maintenance commands/);
  });

  it('says which option is missing and what it takes, not zod\'s words', async () => {
    const reply = await run('release prepare');
    expect(reply.text).toBe('Tag (Release tag, v<major>-<patch>, e.g. v37-6) is missing.\nUsage: /atmo release prepare <tag vMM-N>');
    expect(reply.text).not.toMatch(/Invalid input|received undefined/);
  });
});
