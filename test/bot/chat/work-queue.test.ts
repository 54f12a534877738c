import { describe, expect, it } from 'vitest';
import { createWorkQueue, type WorkItem } from '../../../src/bot/chat/work-queue.js';
import { busyText } from '../../../src/bot/chat/work-limits.js';
import { noMetrics } from '../../../src/bot/chat/metrics.js';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Two turns of the event loop: an event's first slot is taken up on the turn after it was admitted
 * (work-queue.ts), so what it starts is seen after one more.
 */
const tick = () => new Promise((r) => setImmediate(() => setImmediate(r)));
const item = (eventId: string, run: () => Promise<void>, priority?: WorkItem['priority']): WorkItem => ({ eventId, run, ...(priority ? { priority } : {}) });

describe('createWorkQueue', () => {
  it('turns events away, told why and never run, once its bound of waiting events is reached; work back from a call is never refused', async () => {
    let refusals = 0;
    const warnings: unknown[] = [];
    const queue = createWorkQueue(1, { ...noMetrics, workRefused: () => void (refusals += 1) }, { maxWaiting: 2, log: { warn: (fields: unknown) => void warnings.push(fields) } });
    const gate = deferred();
    const call = deferred();
    const ran: string[] = [];
    const told: string[] = [];
    const running = queue.run(item('running', async () => {
      ran.push('running');
      await queue.outside(() => call.promise);
      await gate.promise;
    }));
    await tick();
    // The slot is free while `running` waits outside; these two take it and the waiting room.
    const holder = queue.run(item('holder', async () => {
      ran.push('holder');
      await gate.promise;
    }));
    const waiting = [1, 2].map((n) => queue.run(item(`w${n}`, async () => void ran.push(`w${n}`))));
    await tick();
    expect(queue.waiting).toBe(2);
    const refused = queue.run({ eventId: 'late', run: async () => void ran.push('late'), notify: async (text) => void told.push(text) });
    await refused;
    expect(told).toEqual([busyText(2)]);
    expect(told[0]).toContain('nothing was changed');
    expect(refusals).toBe(1);
    expect(warnings).toHaveLength(1);
    // Back from its call, `running` waits for the slot although the waiting room is full.
    call.resolve();
    gate.resolve();
    await Promise.all([running, holder, ...waiting]);
    expect(ran).toEqual(['running', 'holder', 'w1', 'w2']);
    // Drained, it takes new events again.
    await queue.run(item('after', async () => void ran.push('after')));
    expect(ran.at(-1)).toBe('after');
  });

  it('runs at most `concurrency` jobs at once, in arrival order', async () => {
    const queue = createWorkQueue(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      queue.run(
        item(`e${i}`, async () => {
          started.push(i);
          await gate.promise;
        }),
      ),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(queue.waiting).toBe(2);
    gates[1]!.resolve();
    await tick();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.resolve();
    gates[2]!.resolve();
    gates[3]!.resolve();
    await Promise.all(runs);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(queue.waiting).toBe(0);
  });

  it('hands a freed slot over on the next turn of the event loop, after callbacks already due', async () => {
    const queue = createWorkQueue(1);
    const order: string[] = [];
    const gate = deferred();
    const first = queue.run(item('first', async () => {
      await gate.promise;
      // As an incoming request's callback would be: due before the slot is handed on.
      setImmediate(() => order.push('request read'));
      order.push('first done');
    }));
    const second = queue.run(item('second', async () => void order.push('second started')));
    await tick();
    gate.resolve();
    await Promise.all([first, second]);
    expect(order).toEqual(['first done', 'request read', 'second started']);
  });

  it('takes up even a free slot on the next turn of the event loop, so callbacks already due (requests to acknowledge) run first', async () => {
    const queue = createWorkQueue(1);
    const order: string[] = [];
    // As an incoming request read in the same turn would be: due before the new event's work starts.
    setImmediate(() => order.push('request read'));
    await queue.run(item('new', async () => {
      order.push('work started');
      await queue.waitOnDatabase(async () => {
        // Due while the statement's rows come back: read before the event resumes.
        setImmediate(() => order.push('second request read'));
      });
      order.push('work resumed');
    }));
    expect(order).toEqual(['request read', 'work started', 'second request read', 'work resumed']);
  });

  it('keeps no slot for an event that ended while one of its parallel calls was still out', async () => {
    const queue = createWorkQueue(1);
    const slow = deferred();
    const failing = queue.run(item('parallel', async () => {
      // The first call gives the slot up; the second, made meanwhile, fails at once and ends the event.
      await Promise.all([queue.outside(() => slow.promise), queue.outside(() => Promise.reject(new Error('refused')))]);
    }));
    await expect(failing).rejects.toThrow('refused');
    // The first call comes back after its event ended: what it takes back must be given back.
    slow.resolve();
    await tick();
    await tick();
    let ran = false;
    await Promise.race([queue.run(item('next', async () => void (ran = true))), new Promise((resolve) => setTimeout(resolve, 1_000))]);
    expect(ran).toBe(true);
  });

  it('overlaps database waits of admitted events, but admits no more than maxInProgress', async () => {
    const queue = createWorkQueue(1, noMetrics, { maxInProgress: 2 });
    const statements = [deferred(), deferred(), deferred()];
    const sent: number[] = [];
    const runs = statements.map((statement, i) =>
      queue.run(item(`e${i}`, async () => {
        sent.push(i);
        await queue.waitOnDatabase(() => statement.promise);
      })),
    );
    for (let i = 0; i < 4; i += 1) await tick();
    // One slot, yet two statements out at once: each event gave its slot up for its wait. The third
    // event is not admitted while two are under way.
    expect(sent).toEqual([0, 1]);
    expect(queue.waiting).toBe(1);
    statements[0]!.resolve();
    for (let i = 0; i < 4; i += 1) await tick();
    expect(sent).toEqual([0, 1, 2]);
    statements[1]!.resolve();
    statements[2]!.resolve();
    await Promise.all(runs);
  });

  it('lets other events in while one waits on another service, though it is admitted while waiting on the database', async () => {
    const queue = createWorkQueue(1, noMetrics, { maxInProgress: 1 });
    const api = deferred();
    const order: string[] = [];
    const hung = queue.run(item('hung', async () => {
      await queue.outside(() => api.promise);
      order.push('hung back');
    }));
    await tick();
    await queue.run(item('other', async () => {
      await queue.waitOnDatabase(async () => {});
      order.push('other done');
    }));
    api.resolve();
    await hung;
    expect(order).toEqual(['other done', 'hung back']);
  });

  it('frees the slot when a job throws, and passes the error to its caller', async () => {
    const queue = createWorkQueue(1);
    await expect(queue.run(item('boom', async () => Promise.reject(new Error('boom'))))).rejects.toThrow('boom');
    let ran = false;
    await queue.run(
      item('after', async () => {
        ran = true;
      }),
    );
    expect(ran).toBe(true);
  });

  it('refuses a concurrency below one', () => {
    expect(() => createWorkQueue(0)).toThrow(RangeError);
  });

  it('runs deadline work (a click that opens a form) before normal work that arrived earlier', async () => {
    const queue = createWorkQueue(1);
    const first = deferred();
    const order: string[] = [];
    const runs = [queue.run(item('busy', () => first.promise))];
    for (let i = 0; i < 5; i += 1) runs.push(queue.run(item(`list${i}`, async () => void order.push(`list${i}`))));
    runs.push(queue.run(item('modal', async () => void order.push('modal'), 'deadline')));
    await tick();
    first.resolve();
    await Promise.all(runs);
    expect(order).toEqual(['modal', 'list0', 'list1', 'list2', 'list3', 'list4']);
  });

  it('admits one deadline event beyond maxInProgress, so it goes first even when a burst fills every admitted place', async () => {
    const queue = createWorkQueue(1, noMetrics, { maxInProgress: 2 });
    const first = deferred();
    const order: string[] = [];
    const runs = [queue.run(item('busy', () => first.promise))];
    for (let i = 0; i < 3; i += 1) runs.push(queue.run(item(`list${i}`, async () => void order.push(`list${i}`))));
    runs.push(queue.run(item('modal', async () => void order.push('modal'), 'deadline')));
    runs.push(queue.run(item('modal2', async () => void order.push('modal2'), 'deadline')));
    await tick();
    // busy and list0 fill the two places; modal takes the one reserved place; modal2 waits to be admitted.
    expect(queue.waiting).toBe(5);
    first.resolve();
    await Promise.all(runs);
    // modal2 is admitted before the lists still waiting for a place, though after list0, which was.
    expect(order).toEqual(['modal', 'modal2', 'list0', 'list1', 'list2']);
  });

  it('gives the slot to others while an event waits on another service, and takes it back before new events', async () => {
    const queue = createWorkQueue(1);
    const api = deferred<string>();
    const order: string[] = [];
    const slow = queue.run(
      item('slow', async () => {
        order.push('slow: before the call');
        const answer = await queue.outside(() => api.promise);
        order.push(`slow: after the call (${answer})`);
      }),
    );
    await tick();
    expect(queue.pending().map((work) => work.state)).toEqual(['outside']);
    // Another user's command runs to the end while the call hangs.
    await queue.run(item('whoami', async () => void order.push('whoami')));
    expect(order).toEqual(['slow: before the call', 'whoami']);

    const busy = deferred();
    const holder = queue.run(item('holder', () => busy.promise));
    const later = queue.run(item('later', async () => void order.push('later')));
    await tick();
    api.resolve('ok');
    await tick();
    busy.resolve();
    await Promise.all([slow, holder, later]);
    // The event coming back from the call went ahead of `later`, which had been waiting for a slot.
    expect(order).toEqual(['slow: before the call', 'whoami', 'slow: after the call (ok)', 'later']);
  });

  it('passes a call straight through outside any queued event, and for parallel calls of one event', async () => {
    const queue = createWorkQueue(1);
    expect(await queue.outside(async () => 'direct')).toBe('direct');
    let answers: string[] = [];
    await queue.run(
      item('parallel', async () => {
        answers = await Promise.all([queue.outside(async () => 'a'), queue.outside(async () => 'b')]);
      }),
    );
    expect(answers).toEqual(['a', 'b']);
    expect(queue.pending()).toEqual([]);
  });

  it('takes out the events that never started, which then never run, and reports idle after', async () => {
    const queue = createWorkQueue(1);
    const busy = deferred();
    let ranQueued = false;
    const running = queue.run(item('running', () => busy.promise));
    const queued = queue.run(
      item('queued', async () => {
        ranQueued = true;
      }),
    );
    await tick();
    expect(queue.pending().map((work) => [work.item.eventId, work.state])).toEqual([
      ['running', 'running'],
      ['queued', 'waiting'],
    ]);
    expect(queue.takeWaiting().map((taken) => taken.eventId)).toEqual(['queued']);
    await queued;
    let idle = false;
    const whenIdle = queue.idle().then(() => (idle = true));
    await tick();
    expect(idle).toBe(false);
    busy.resolve();
    await Promise.all([running, whenIdle]);
    expect(ranQueued).toBe(false);
    expect(idle).toBe(true);
  });
});
