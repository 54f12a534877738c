import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../support/test-deps.js';
import { createConsoleAdapter } from '../../../src/bot/console/console-adapter.js';
import { consoleUsersOf } from '../../../src/console-users.js';
import { getResourceRequest } from '../../../src/db/queries/resource-requests.js';
import { reply } from '../../../src/bot/chat/reply.js';
import { requestIdOf } from '../../e2e/e2e-support.js';

/** A console fed line by line, so a test can act while a question is open. */
function interactive(t: TestContext) {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const adapter = createConsoleAdapter({
    dispatcher: t.dispatcher,
    input,
    output,
    log: t.deps.log,
    actingAs: 'kpatel',
    operator: 'tester',
    users: consoleUsersOf(t.deps.db, t.deps.now),
  });
  const done = adapter.run();
  return {
    adapter,
    done,
    output: () => text,
    type: (line: string) => input.write(`${line}\n`),
    end: () => input.end(),
    async waitFor(needle: string, from = 0): Promise<number> {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const at = text.indexOf(needle, from);
        if (at >= 0) return at;
        if (Date.now() > deadline) throw new Error(`"${needle}" never appeared; output so far:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}

describe('console prompts', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('pglite');
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  it('/quit at a question cancels the form and leaves, and reads nothing after it', async () => {
    const id = await requestIdOf(t.deps.db, 'tgarcia');
    const c = interactive(t);
    // [2] is Deny of the oldest request; its first question gets /quit, and the next line must not run.
    c.type('requests');
    c.type('2');
    c.type('/quit');
    c.type('requests');
    await c.done;
    const out = c.output();
    expect(out).toContain('Cancelled; nothing was changed.');
    expect(out.split('pending resource requests').length - 1).toBe(1);
    expect((await getResourceRequest(t.deps.db, id))?.status).toBe('pending');
    // Nothing reached the audit as a denial with "/quit" as its reason.
    expect(JSON.stringify(t.logLines)).not.toContain('"/quit"');
  });

  it('holds an alert that arrives during a question until it is answered', async () => {
    const c = interactive(t);
    c.type('requests');
    c.type('2');
    const form = await c.waitFor('-- ');
    const question = await c.waitFor(': ', form);
    await c.adapter.chatPort.post({ platform: 'console', channel: 'alerts' }, reply('Imaging request #9 is in error'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(c.output().slice(question)).not.toContain('Imaging request #9 is in error');
    c.type('/cancel');
    const cancelled = await c.waitFor('Cancelled; nothing was changed.');
    const alert = await c.waitFor('Imaging request #9 is in error');
    // Printed once the question was answered, on its own lines, before the next command.
    expect(alert).toBeGreaterThan(question);
    expect(c.output().split('Imaging request #9 is in error').length - 1).toBe(1);
    expect(cancelled).toBeGreaterThan(question);
    c.end();
    await c.done;
  });

  it('prints an alert at once when no question is open', async () => {
    const c = interactive(t);
    await c.waitFor('atmo-bot console.');
    await c.adapter.chatPort.post({ platform: 'console', channel: 'alerts' }, reply('Instance abc is stuck'));
    await c.waitFor('[#alerts] message');
    await c.waitFor('Instance abc is stuck');
    c.end();
    await c.done;
  });

  it('/as checks the account and /as alone lists accounts with their roles', async () => {
    const c = interactive(t);
    c.type('/as nobody-here');
    c.type('/as');
    c.type('/as jsmith');
    c.type('whoami');
    c.end();
    await c.done;
    const out = c.output();
    expect(out).toContain('There is no Atmosphere user "nobody-here" (usernames are case-sensitive). /as alone lists them.');
    expect(out).toContain('You act as kpatel.');
    expect(out).toMatch(/Users: .*kpatel \(staff\)/);
    expect(out).toMatch(/Users: .*jsmith \(user\)/);
    // Staff come first in the list.
    const listed = /Users: (.*)\./.exec(out)![1]!.split(', ');
    const firstUser = listed.findIndex((entry) => !entry.endsWith('(staff)'));
    expect(listed.slice(firstUser).some((entry) => entry.endsWith('(staff)'))).toBe(false);
    expect(out).toContain('Now acting as jsmith.');
    // A refused name never changed who acts: the whoami after the switch answers for jsmith.
    expect(out.indexOf('Now acting as jsmith.')).toBeLessThan(out.lastIndexOf('jsmith'));
  });
});
