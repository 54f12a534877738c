import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStatusSince, OBSERVATION_GAP_MS } from '../../../src/handlers/imaging/status-since.js';
import { runAlertScan } from '../../../src/jobs/alert-scan-job.js';
import { dbKinds, TEST_NOW } from '../../support/databases.js';
import { commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { machineRequestId, processingError, setMachineRequest } from '../../jobs/alerts/mutate-requests.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (ms: number) => new Date(TEST_NOW.getTime() + ms);

describe('since when a request is in its state (one rule)', () => {
  const base = { status: 'started', startDate: at(-72 * HOUR), events: [], now: TEST_NOW };

  it('keeps the stored time while the state is the same, exact or a lower bound as stored', () => {
    const stored = { status: 'started', since: at(-3 * HOUR), sinceKnown: false, seenAt: at(-MINUTE) };
    expect(resolveStatusSince({ ...base, state: 'started', stored })).toEqual({ at: at(-3 * HOUR), known: false });
  });

  it('gives only a lower bound for a request first seen past pending, never its submission date', () => {
    expect(resolveStatusSince({ ...base, state: 'started', stored: undefined })).toEqual({ at: TEST_NOW, known: false });
    expect(resolveStatusSince({ ...base, status: 'pending', state: 'pending', stored: undefined })).toEqual({ at: at(-72 * HOUR), known: true });
  });

  it('times a change exactly after a recent look, and as a lower bound after a long gap', () => {
    const look = (ago: number) => ({ status: 'pending', since: at(-72 * HOUR), sinceKnown: true, seenAt: at(-ago) });
    expect(resolveStatusSince({ ...base, state: 'started', stored: look(MINUTE) })).toEqual({ at: TEST_NOW, known: true });
    expect(resolveStatusSince({ ...base, state: 'started', stored: look(OBSERVATION_GAP_MS + MINUTE) })).toEqual({ at: TEST_NOW, known: false });
  });

  it("takes the bot's own approval or re-submit as the time of the change", () => {
    const stored = { status: 'started|error:abc', since: at(-20 * HOUR), sinceKnown: true, seenAt: at(-10 * HOUR) };
    const events = [{ action: 'resubmitted', at: at(-2 * HOUR) }];
    expect(resolveStatusSince({ ...base, status: 'pending', state: 'pending|error:abc', stored, events })).toEqual({ at: at(-2 * HOUR), known: true });
  });
});

describe.each(dbKinds())('time in status in lists, details, triage and alerts on %s', (kind) => {
  let t: TestContext;
  let clock = TEST_NOW;
  const kpatel = { id: 'c-kpatel', actingAs: 'kpatel' };

  beforeAll(async () => {
    t = await createTestContext(kind, { env: { ALERT_CHANNEL: 'console:alerts', IMAGING_STUCK_MINUTES: '120' } });
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  async function tick(minutes: number) {
    clock = new Date(clock.getTime() + minutes * MINUTE);
    t.setNow(clock);
    const before = t.chat.posts.length;
    await runAlertScan(t.deps, { now: clock, slot: `s-${clock.getTime()}` });
    return t.chat.posts.slice(before);
  }
  const run = async (text: string) => (await dispatch(t.dispatcher, commandEvent(text, kpatel))).replies[0]!;

  it('does not call a request submitted days ago and approved outside the bot a moment ago stuck', async () => {
    await tick(0);
    const id = await machineRequestId(t.deps.db, 'Genomics Workshop 2021');
    // A day later (the bot last looked at it then), someone approves it in Troposphere and it starts.
    await tick(24 * 60);
    clock = new Date(clock.getTime() + 6 * HOUR);
    t.setNow(clock);
    await setMachineRequest(t.deps.db, id, 'started', 'pending');

    const detail = await run(`imaging show ${id}`);
    expect(detail.fields!.find((f) => f.label === 'Status')!.value).toMatch(/^started, at least since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(under a minute\)/);
    expect(detail.fields!.find((f) => f.label === 'Triage')!.value).toContain('in-progress');
    expect(detail.buttons).toEqual([]);
    const active = await run('imaging active');
    expect(active.sections!.find((s) => s.text.startsWith(`#${id} `))!.text).toContain('started, first seen just now');
    const errored = await run('imaging errored');
    expect((errored.sections ?? []).some((s) => s.text.startsWith(`#${id} `))).toBe(false);
    expect((await tick(1)).filter((p) => p.reply.title?.startsWith(`Imaging request #${id}:`))).toEqual([]);

    // Two hours of the bot seeing it in started: now it is stuck, and every view says "at least".
    const posts = await tick(121);
    const parent = posts.find((p) => p.reply.title === `Imaging request #${id}: stuck in started`)!;
    expect(parent.reply.fields!.find((f) => f.label === 'Status')!.value).toMatch(/^started, at least since /);
    expect(parent.reply.text).toContain('started at least 2 h 2 min ago');
    const list = await run('imaging errored');
    expect(list.sections!.find((s) => s.text.startsWith(`#${id} `))!.text).toContain('Triage: stuck: started at least 2 h 2 min ago');
    const triage = (await run(`imaging triage ${id}`)).text;
    expect(triage).toContain('started at least 2 h 2 min ago');
  });

  it('times an error that comes back from when it came back, not from an earlier one', async () => {
    const id = await machineRequestId(t.deps.db, 'Jetstream Canary');
    const opened = t.chat.posts.find((p) => p.reply.title?.startsWith(`Imaging request #${id}:`))!;
    expect(opened.reply.text).toContain('(in error 16 h)');

    await setMachineRequest(t.deps.db, id, 'completed', 'completed');
    await tick(14 * 60);
    await setMachineRequest(t.deps.db, id, 'processing', processingError('once more'));
    const reopened = (await tick(1)).find((p) => p.thread?.id === opened.ref.id)!;
    expect(reopened.reply.text).toMatch(/^Reopened\. Errored again \(imaging cache problem\): imaging cache problem \(in error, first seen just now\)/);
    expect(reopened.reply.text).not.toMatch(/in error (at least )?1\d h/);
    const show = await run(`imaging show ${id}`);
    expect(show.fields!.find((f) => f.label === 'Triage')!.value).toContain('in error, first seen just now');

    // It goes round again between two looks a minute apart: the new error is timed to that minute.
    await tick(30);
    await setMachineRequest(t.deps.db, id, 'processing', processingError('and again'));
    const again = (await tick(1)).find((p) => p.thread?.id === opened.ref.id)!;
    expect(again.reply.text).toContain('(in error under a minute)');
    // The guide's 12-hour rule counts from this error: no "the workers have turned over" yet.
    expect((await run(`imaging show ${id}`)).fields!.find((f) => f.label === 'Next steps')!.value).not.toContain('turned over');
  });
});
