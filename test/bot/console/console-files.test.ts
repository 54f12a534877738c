import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { machineRequest } from '../../../src/db/atmosphere-schema.js';
import { createTestContext, type TestContext } from '../../support/test-deps.js';
import { requestId } from '../../handlers/imaging/imaging-support.js';
import type { Dispatcher, EventIO } from '../../../src/bot/chat/command.js';
import type { Reply } from '../../../src/bot/chat/reply.js';
import { createConsoleAdapter } from '../../../src/bot/console/console-adapter.js';
import { createMemoryLogger } from '../../../src/logger.js';

const TRACEBACK = `Traceback (most recent call last):\n${'  File "/opt/atmosphere/service/imaging.py", line 118\n'.repeat(200)}IOError: [Errno 28] No space left on device`;

describe('console: files with replies', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'atmo-console-files-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function session(reply: Reply, filesDir: string): Promise<string> {
    const dispatcher: Dispatcher = {
    checkForm: async () => null,
      commands: [],
      actions: [],
      async handle(_event, io: EventIO) {
        await io.respond(reply);
        return { kind: 'done' };
      },
    };
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const adapter = createConsoleAdapter({ dispatcher, input, output, log: createMemoryLogger('error').log, actingAs: 'kpatel', operator: 'tester', filesDir });
    const done = adapter.run();
    input.end('imaging triage 12\n');
    await done;
    return text;
  }

  it('writes a reply\'s file under the files folder, whole, and prints its path', async () => {
    const filesDir = join(dir, 'files');
    const out = await session({ text: 'Triage report', files: [{ name: '../machine-request-12 status.txt', data: new TextEncoder().encode(TRACEBACK), mimeType: 'text/plain' }] }, filesDir);
    const [name] = await readdir(filesDir);
    // The name cannot climb out of the folder.
    expect(name).toMatch(/^\d{4}-\d\d-\d\dT[\d-]+Z-1-machine-request-12-status\.txt$/);
    expect(await readFile(join(filesDir, name!), 'utf8')).toBe(TRACEBACK);
    expect(out).toContain(`Triage report\n  File: ${join(filesDir, name!)} (../machine-request-12 status.txt, ${Buffer.byteLength(TRACEBACK)} bytes)`);
  });

  it('still prints the reply when the file cannot be written, and says so', async () => {
    const blocked = join(dir, 'not-a-folder');
    await writeFile(blocked, 'a file where the folder should be');
    const out = await session({ text: 'Triage report', files: [{ name: 'status.txt', data: new Uint8Array([1, 2, 3]), mimeType: 'text/plain' }] }, blocked);
    expect(out).toContain('Triage report');
    expect(out).toMatch(/-- The file status\.txt could not be attached: could not write .*status\.txt \((EEXIST|ENOTDIR)\)\./);
  });
});

describe('console: the triage report of a request with a 10 kB traceback', () => {
  let t: TestContext;
  let dir: string;
  beforeAll(async () => {
    t = await createTestContext('pglite');
    dir = await mkdtemp(join(tmpdir(), 'atmo-console-triage-'));
  });
  afterAll(async () => {
    await t?.database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the findings first and writes the whole report, traceback and all, to a file', async () => {
    const canary = await requestId(t.deps.db, 'Jetstream Canary');
    const frames = String.raw`  File "/opt/env/atmo/local/lib/python2.7/site-packages/celery/app/trace.py", line 240, in trace_task\n    R = retval = fun(*args, **kwargs)\n`.repeat(110);
    const oldStatus = String.raw`(validating) - ERROR - AttributeError("'NoneType' object has no attribute 'id'",) Exception:'Traceback (most recent call last):\n` + frames + String.raw`AttributeError: \'NoneType\' object has no attribute \'id\'\n'`;
    expect(oldStatus.length).toBeGreaterThan(10_000);
    await t.deps.db.update(machineRequest).set({ oldStatus }).where(eq(machineRequest.id, canary));

    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const filesDir = join(dir, 'files');
    const adapter = createConsoleAdapter({ dispatcher: t.dispatcher, input, output, log: t.deps.log, actingAs: 'kpatel', operator: 'tester', filesDir });
    const done = adapter.run();
    input.end(`imaging triage ${canary}\n`);
    await done;

    const shown = text.slice(text.indexOf('== Imaging request'));
    expect(shown.indexOf('Bot triage: cache (error)')).toBeLessThan(shown.indexOf('Username: mdelgado'));
    expect(shown).toContain('Reminder: the user should NOT delete instance');
    expect(shown).not.toContain('R = retval');
    const [name] = await readdir(filesDir);
    expect(name).toMatch(new RegExp(`-imaging-request-${canary}-triage\\.txt$`));
    expect(shown).toContain(`File: ${join(filesDir, name!)}`);
    const report = await readFile(join(filesDir, name!), 'utf8');
    expect(report.split('R = retval = fun(*args, **kwargs)').length - 1).toBe(110);
    expect(report).toContain("AttributeError: 'NoneType' object has no attribute 'id'");
    expect(report.indexOf('Reminder: ')).toBeLessThan(report.indexOf('Traceback : '));
  });
});
