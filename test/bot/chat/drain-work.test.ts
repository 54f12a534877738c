import { describe, expect, it } from 'vitest';
import { drainWork, INTERRUPTED_TEXT, NOT_STARTED_TEXT } from '../../../src/bot/chat/drain-work.js';
import { createWorkQueue } from '../../../src/bot/chat/work-queue.js';
import { createMemoryLogger } from '../../../src/logger.js';

describe('drainWork', () => {
  it('waits for accepted work, including work accepted while it waits, and reports it finished', async () => {
    const queue = createWorkQueue(1);
    const { log } = createMemoryLogger('info');
    const done: string[] = [];
    let release: (() => void) | undefined;
    const first = queue.run({ eventId: 'a', run: () => new Promise<void>((resolve) => (release = resolve)).then(() => void done.push('a')) });
    const draining = drainWork(queue, { waitMs: 60_000, noticeMs: 1_000, log });
    const late = queue.run({ eventId: 'b', run: async () => void done.push('b') });
    // `a` starts on a later turn of the event loop than the one that admitted it.
    while (!release) await new Promise((resolve) => setImmediate(resolve));
    release();
    await Promise.all([first, late]);
    expect(await draining).toEqual({ finished: true, notStarted: [], interrupted: [] });
    expect(done).toEqual(['a', 'b']);
  });

  it('when time runs out: work never started does not run and is told nothing was done; running work is told it may be done; both logged by event id', async () => {
    const queue = createWorkQueue(1);
    const { log, lines } = createMemoryLogger('info');
    const told: [string, string][] = [];
    let ranQueued = false;
    const hung = queue.run({ eventId: 'in-flight', run: () => queue.outside(() => new Promise<void>(() => {})), notify: async (text) => void told.push(['in-flight', text]) });
    void hung;
    const queued = [
      queue.run({ eventId: 'db-bound', run: () => new Promise<void>(() => {}), notify: async (text) => void told.push(['db-bound', text]) }),
      queue.run({ eventId: 'never', run: async () => void (ranQueued = true), notify: async (text) => void told.push(['never', text]) }),
    ];
    void queued[0];
    const report = await drainWork(queue, { waitMs: 50, noticeMs: 1_000, log });
    await queued[1];
    expect(ranQueued).toBe(false);
    expect(report).toEqual({ finished: false, notStarted: ['never'], interrupted: ['in-flight', 'db-bound'] });
    expect(told).toEqual(
      expect.arrayContaining([
        ['never', NOT_STARTED_TEXT],
        ['in-flight', INTERRUPTED_TEXT],
        ['db-bound', INTERRUPTED_TEXT],
      ]),
    );
    expect(told).toHaveLength(3);
    expect(lines.filter((line) => line.level === 40).map((line) => line.eventId)).toEqual(['never', 'in-flight', 'db-bound']);
  });

  it('does not wait longer than noticeMs for a notice that hangs', async () => {
    const queue = createWorkQueue(1);
    const { log, lines } = createMemoryLogger('info');
    void queue.run({ eventId: 'stuck', run: () => new Promise<void>(() => {}), notify: () => new Promise<void>(() => {}) });
    const report = await drainWork(queue, { waitMs: 10, noticeMs: 20, log });
    expect(report.interrupted).toEqual(['stuck']);
    expect(lines.some((line) => line.msg === 'shutdown: not every user could be told in time')).toBe(true);
  });
});
