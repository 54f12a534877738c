import { loadConfig } from '../../src/config.js';
import { createLogger, createMemoryLogger } from '../../src/logger.js';
import type { Deps } from '../../src/deps.js';
import { migrateBotSchema } from '../../src/db/migrate.js';
import { recordDemoObservations } from '../../src/handlers/imaging/observe-machine-requests.js';
import { createMemoryStore } from '../../src/integrations/kv/memory-store.js';
import { createEmbeddedGateway } from '../../src/integrations/atmosphere/embedded-gateway.js';
import { createDispatcher } from '../../src/bot/chat/create-dispatcher.js';
import { commandDefinitions, actionDefinitions } from '../../src/handlers/index.js';
import type { ChannelRef, ChatEvent, MessageRef } from '../../src/bot/chat/chat-event.js';
import type { ChatPort } from '../../src/bot/chat/chat-port.js';
import type { Dispatcher, DispatchOutcome, EventIO } from '../../src/bot/chat/command.js';
import type { Reply } from '../../src/bot/chat/reply.js';
import { createTestDatabase, TEST_NOW, type DbKind, type TestDatabase } from './databases.js';
import { noMetrics } from '../../src/bot/chat/metrics.js';

/**
 * Deps for a test or benchmark that talks to no outside service: the embedded gateway over `db`,
 * an in-process store, a recording chat, no status page, releases or image registry, and waits run
 * in place. `given` names what differs.
 */
export function offlineDeps(given: Pick<Deps, 'config' | 'db' | 'now'> & Partial<Deps>): Deps {
  return {
    log: createLogger('silent'),
    troposphereDb: null,
    gateway: given.gateway ?? createEmbeddedGateway(given.db, given.now),
    kv: given.kv ?? createMemoryStore(),
    chat: given.chat ?? createRecordingChat().port,
    directories: {},
    statusPage: null,
    releases: null,
    images: null,
    metrics: noMetrics,
    waitOutsideSlot: (wait) => wait(),
    ...given,
  };
}

/** A ChatPort that records every post and update, for jobs and announcements. */
export function createRecordingChat(platform: 'slack' | 'discord' | 'console' = 'console') {
  const posts: { channel: ChannelRef; reply: Reply; thread?: MessageRef; ref: MessageRef }[] = [];
  const updates: { message: MessageRef; reply: Reply }[] = [];
  let next = 1;
  const port: ChatPort = {
    async post(channel, reply, options) {
      const ref: MessageRef = { platform, channel: channel.channel, id: `m${next++}`, ...(options?.thread ? { threadId: options.thread.id } : {}) };
      posts.push({ channel, reply, ...(options?.thread ? { thread: options.thread } : {}), ref });
      return ref;
    },
    async update(message, reply) {
      updates.push({ message, reply });
    },
  };
  return { port, posts, updates };
}

export interface TestContext {
  database: TestDatabase;
  deps: Deps;
  dispatcher: Dispatcher;
  chat: ReturnType<typeof createRecordingChat>;
  logLines: Record<string, unknown>[];
  /** Moves the injected clock. */
  setNow(at: Date): void;
}

/**
 * A whole bot minus the chat platforms: a fresh database of the given kind (real Atmosphere schema,
 * demo data, the bot's migrations), the embedded gateway unless one is given, an in-process store,
 * a recording chat port and a fixed clock. Each test file builds its own.
 */
export async function createTestContext(
  kind: DbKind,
  overrides: { env?: Record<string, string>; gateway?: Deps['gateway']; kv?: Deps['kv']; troposphere?: boolean; demo?: boolean } = {},
): Promise<TestContext> {
  const database = await createTestDatabase(kind, { troposphere: overrides.troposphere ?? true, demo: overrides.demo ?? true });
  await migrateBotSchema(database.atmosphere);
  if (overrides.demo ?? true) await recordDemoObservations(database.atmosphere.db, TEST_NOW);
  let now = TEST_NOW;
  const { log, lines } = createMemoryLogger('debug');
  const chat = createRecordingChat();
  const deps: Deps = offlineDeps({
    config: loadConfig({ BOT_ADMINS: 'slack:UADMIN,discord:999000999000', ...overrides.env }),
    log,
    db: database.atmosphere.db,
    troposphereDb: database.troposphere?.db ?? null,
    gateway: overrides.gateway ?? createEmbeddedGateway(database.atmosphere.db, () => now),
    kv: overrides.kv ?? createMemoryStore(),
    chat: chat.port,
    now: () => now,
  });
  const dispatcher = createDispatcher(deps, commandDefinitions, actionDefinitions);
  return { database, deps, dispatcher, chat, logLines: lines, setNow: (at) => (now = at) };
}

/**
 * An EventIO that records what the dispatcher sent back. With `editable`, it can also edit the first
 * answer (as a slash command can on every platform), recorded in `edits`; without, it cannot (as a
 * click's follow-up), so a handler sends a second message instead.
 */
export function recordingIO(options: { editable?: boolean } = {}) {
  const replies: Reply[] = [];
  const updates: Reply[] = [];
  const edits: Reply[] = [];
  const io: EventIO = {
    respond: async (reply) => void replies.push(reply),
    updateSource: async (reply) => void updates.push(reply),
    ...(options.editable
      ? {
          editAnswer: async (reply: Reply) => {
            if (replies.length === 0) return false;
            edits.push(reply);
            return true;
          },
        }
      : {}),
  };
  return { io, replies, updates, edits };
}

let eventCounter = 0;

/** Builds a command event as an adapter would. */
export function commandEvent(text: string, user: { platform?: 'slack' | 'discord' | 'console'; id: string; actingAs?: string }): ChatEvent {
  const platform = user.platform ?? 'console';
  return {
    kind: 'command',
    id: `ev-${++eventCounter}`,
    platform,
    user: { platform, id: user.id, ...(user.actingAs ? { actingAs: user.actingAs } : {}) },
    channel: 'C-ops',
    receivedAt: TEST_NOW,
    text,
  };
}

/** Builds a button click (optionally with submitted form values) as an adapter would. */
export function actionEvent(
  action: string,
  value: string,
  user: { platform?: 'slack' | 'discord' | 'console'; id: string; actingAs?: string },
  form?: Record<string, string>,
): ChatEvent {
  const platform = user.platform ?? 'console';
  return {
    kind: 'action',
    id: `ev-${++eventCounter}`,
    platform,
    user: { platform, id: user.id, ...(user.actingAs ? { actingAs: user.actingAs } : {}) },
    channel: 'C-ops',
    receivedAt: TEST_NOW,
    action,
    value,
    message: { platform, channel: 'C-ops', id: '1700000000.000100' },
    ...(form ? { form } : {}),
  };
}

/** Runs one event through the dispatcher and returns what came back. */
export async function dispatch(dispatcher: Dispatcher, event: ChatEvent): Promise<{ outcome: DispatchOutcome; replies: Reply[]; updates: Reply[] }> {
  const { io, replies, updates } = recordingIO();
  const outcome = await dispatcher.handle(event, io);
  return { outcome, replies, updates };
}
