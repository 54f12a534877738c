import { writeFileSync } from 'node:fs';
import { createConsoleAdapter } from '../../src/bot/console/console-adapter.js';
import { reply } from '../../src/bot/chat/reply.js';
import { consoleUsersOf } from '../../src/console-users.js';
import { createTestContext } from './test-deps.js';

/**
 * The console on the process's own terminal, for the pseudo-terminal test: `console-pty-main.ts
 * <pid file>`. The bot behind it is the test context's (PGlite with the demo data). SIGUSR2 makes an
 * alert arrive, as a job's post would, so the test can send one while a question is open.
 */
const pidFile = process.argv[2];
if (!pidFile) throw new Error('usage: console-pty-main.ts <pid file>');

const t = await createTestContext('pglite');
const adapter = createConsoleAdapter({
  dispatcher: t.dispatcher,
  input: process.stdin,
  output: process.stdout,
  log: t.deps.log,
  actingAs: 'kpatel',
  operator: 'pty-test',
  users: consoleUsersOf(t.deps.db, t.deps.now),
});
process.on('SIGUSR2', () => {
  void adapter.chatPort.post({ platform: 'console', channel: 'alerts' }, reply('ALERT imaging request #9 is in error'));
});
const done = adapter.run();
writeFileSync(pidFile, String(process.pid));
await done;
await t.database.drop();
process.stdout.write('CONSOLE-ENDED\n');
process.exit(0);
