import { loadConfig } from '../../src/config.js';
import { createMemoryLogger } from '../../src/logger.js';
import { startBot } from '../../src/start-bot.js';
import { commandEvent, recordingIO } from '../support/test-deps.js';

/**
 * A bot replica in a process of its own, for the test that kills one mid-approval: started with the
 * environment in argv[2] (JSON), it runs `approve <id>` as kpatel when the parent asks. The parent
 * ends it with SIGKILL, so nothing after that point runs: no reply, no record, no clean-up.
 */
const env = JSON.parse(process.argv[2] ?? '{}') as Record<string, string>;
const { log } = createMemoryLogger('warn');
const bot = await startBot(loadConfig(env), log);

process.on('message', (message: unknown) => {
  if (typeof message !== 'object' || message === null || !('approve' in message)) return;
  const { io } = recordingIO();
  void bot.dispatcher.handle(commandEvent(`approve ${String(message.approve)}`, { id: 'c-kpatel', actingAs: 'kpatel' }), io);
});
process.send?.({ ready: true });
