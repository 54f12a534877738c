import os from 'node:os';
import { eq } from 'drizzle-orm';
import { openPostgres } from '../src/db/client.js';
import { migrateBotSchema } from '../src/db/migrate.js';
import { loadAtmosphereSchema } from '../src/db/load-schema.js';
import { seedDemoData } from '../src/db/demo-data.js';
import { atmosphereUser } from '../src/db/atmosphere-schema.js';
import { upsertChatLink } from '../src/db/queries/chat-links.js';
import { COMMAND_REPLY_BUDGET_MS } from '../src/bot/discord/interaction-handler.js';
import { APPLICATION_ID, chatInput, GUILD_ID } from '../test/support/discord-interactions.js';
import { createInteractionSigner } from '../test/support/discord-signer.js';
import { BULK_LOAD_POOL } from './support/bulk-load-pool.js';
import { bulkLoad, PRODUCTION_SIZE, type BulkSize } from './support/bulk-load.js';
import { createBenchDatabase } from './support/fresh-database.js';
import { forkService, type ChildService } from './support/child-service.js';
import type { FakeDiscordQuery, FakeDiscordReady } from './support/fake-discord-main.js';
import type { BotReady } from './support/bot-main.js';
import type { BareDiscordReady } from './support/bare-discord-main.js';
import { discordBotEnv } from './support/discord-bot-env.js';
import { interactionBatch } from './support/discord-load.js';
import { AFTER_SETTLE_MS, discordMemorySubjects, IDLE_SETTLE_MS, measureDiscordMemoryRun, type DiscordMemoryRun } from './support/discord-memory.js';
import { batchFigures, latencyRows, memoryRows, workLine, type BatchFigures } from './support/discord-report.js';
import { compiledBuildProblem, imageNodeOptions } from './support/memory-subjects.js';
import { LOADED_PACKAGES_PRELOAD } from './support/os-process.js';

/**
 * Discord over HTTP interactions (DISCORD_MODE=http), Discord-only configuration, on production-size
 * data: the first response (the HTTP answer to Discord's POST) and the time until the user's answer
 * exists, for `/atmo requests` and `/atmo whoami`, one at a time and in a burst; then memory and
 * start-up. The anchor, in the same run, is a bare Node server making the same Discord calls
 * (bench/support/bare-discord-main.ts). The bot, the anchor and the fake Discord REST each run in a
 * process of their own; this one only generates load.
 */

export interface DiscordLatencyOptions {
  databaseUrl?: string;
  repeats?: number;
  concurrencies?: number[];
  /** Interactions per command, repeat and app at each concurrency. */
  samples?: Partial<Record<number, number>>;
  warmup?: number;
  size?: BulkSize;
  /** Runs of each side in the memory part, and the interactions each run sends. */
  memoryRuns?: number;
  memoryEvents?: number;
  /** Extra Node flags for the bot's process only (latency part), such as `--cpu-prof`. */
  botExecArgv?: string[];
}

const FIRST_RESPONSE_RATIO = 1.2;
const RSS_RATIO = 1.5;
const MEMORY_CONCURRENCY = 20;
const TOKEN = 'bench-discord-bot-token';
/** The staff member (kpatel in the demo data), linked to this Discord id as `/atmo link` links. */
const STAFF = { discordId: '210000000000000004', username: 'kpatel' };
const FAKE_DISCORD_MAIN = new URL('./support/fake-discord-main.ts', import.meta.url);
const BOT_MAIN = new URL('./support/bot-main.ts', import.meta.url);
const BARE_DISCORD_MAIN = new URL('./support/bare-discord-main.ts', import.meta.url);

type Side = 'bare' | 'bot';

interface Command {
  name: string;
  path: string[];
  /** Whether an answer's text is what the command shows (the anchor's fixed text is not checked). */
  check(text: string): boolean;
}

const COMMANDS: Command[] = [
  { name: '`/atmo requests`', path: ['requests'], check: (text) => /pending resource request/i.test(text) },
  { name: '`/atmo whoami`', path: ['whoami'], check: (text) => text.includes(STAFF.username) },
];

const interactionOf = (command: Command) => chatInput({ path: command.path, userId: STAFF.discordId, username: STAFF.username });

async function preparedDatabase(url: string, size: BulkSize): Promise<void> {
  const handle = openPostgres(url, { ...BULK_LOAD_POOL, max: 2 });
  try {
    await loadAtmosphereSchema(handle);
    await seedDemoData(handle.db, new Date());
    await bulkLoad(handle.pool!, size);
    await migrateBotSchema(handle);
    // As `/atmo link discord:<id> kpatel` by an admin records it.
    const [staff] = await handle.db.select({ id: atmosphereUser.id }).from(atmosphereUser).where(eq(atmosphereUser.username, STAFF.username));
    if (!staff) throw new Error(`the demo data has no ${STAFF.username}`);
    await upsertChatLink(handle.db, { platform: 'discord', chatUserId: STAFF.discordId, atmosphereUserId: staff.id, atmosphereUsername: STAFF.username, linkedBy: 'discord:999000999000999000', linkedAt: new Date() });
  } finally {
    await handle.close();
  }
}

const loadAverage = () => os.loadavg().map((n) => n.toFixed(2)).join(', ');

export async function runDiscordLatency(options: DiscordLatencyOptions = {}): Promise<string> {
  const heading = '## Discord over HTTP: first response, answer, memory and start-up';
  if (!options.databaseUrl) return `${heading}\n\nNot run: TEST_DATABASE_URL is unset (this benchmark needs the real PostgreSQL).`;
  const repeats = options.repeats ?? 5;
  const concurrencies = options.concurrencies ?? [1, 50];
  const samplesAt = (c: number) => options.samples?.[c] ?? (c === 1 ? 40 : 200);
  const warmup = options.warmup ?? 50;
  const size = options.size ?? PRODUCTION_SIZE;
  const memory = { runs: options.memoryRuns ?? 5, events: options.memoryEvents ?? 500 };
  const loadBefore = loadAverage();
  const signer = createInteractionSigner();
  const fresh = await createBenchDatabase(options.databaseUrl);
  const children: ChildService<unknown>[] = [];
  const buildProblem = await compiledBuildProblem();
  const nodeOptions = await imageNodeOptions();
  const { subjects, cleanup } = await discordMemorySubjects(buildProblem === null, LOADED_PACKAGES_PRELOAD);
  try {
    await preparedDatabase(fresh.url, size);
    const fake = await forkService<FakeDiscordReady>(FAKE_DISCORD_MAIN, [TOKEN, APPLICATION_ID]);
    children.push(fake);
    const botEnv = discordBotEnv({ databaseUrl: fresh.url, discordApiUrl: fake.ready.apiUrl, publicKeyHex: signer.publicKeyHex, token: TOKEN, applicationId: APPLICATION_ID, guildId: GUILD_ID });
    const bot = await forkService<BotReady>(BOT_MAIN, [JSON.stringify(botEnv)], options.botExecArgv);
    const bare = await forkService<BareDiscordReady>(BARE_DISCORD_MAIN, [fake.ready.apiUrl, signer.publicKeyHex]);
    children.push(bot, bare);
    const urls: Record<Side, string> = { bot: `${bot.ready.url}/discord/interactions`, bare: `${bare.ready.url}/discord/interactions` };
    const batch = (side: Side, command: Command, count: number, concurrency: number) =>
      interactionBatch({ signer, url: urls[side], fake, count, concurrency, make: () => interactionOf(command) });

    for (const side of ['bot', 'bare'] as const) for (const command of COMMANDS) await batch(side, command, warmup, 10);
    const figures = new Map<string, BatchFigures[]>();
    for (let r = 0; r < repeats; r += 1) {
      for (const side of r % 2 === 0 ? (['bare', 'bot'] as const) : (['bot', 'bare'] as const)) {
        process.stderr.write(`bench: discord-latency repeat ${r + 1}/${repeats}: ${side}\n`);
        for (const command of COMMANDS) {
          for (const concurrency of concurrencies) {
            const key = `${command.name}@${concurrency}:${side}`;
            figures.set(key, [...(figures.get(key) ?? []), batchFigures(await batch(side, command, samplesAt(concurrency), concurrency), command.check)]);
          }
        }
      }
    }
    const routes = (await fake.call({ op: 'routes' } satisfies FakeDiscordQuery)) as Record<string, number>;
    // The latency apps stop before the memory runs, so those have the machine to themselves.
    for (const child of [bare, bot]) await child.stop().catch(() => child.kill());
    children.splice(1);

    const memoryRuns: DiscordMemoryRun[] = [];
    const memorySetup = {
      fake,
      signer,
      botEnv,
      events: memory.events,
      concurrency: MEMORY_CONCURRENCY,
      interaction: (index: number) => {
        const command = COMMANDS[index % COMMANDS.length]!;
        return { ...interactionOf(command), check: command.check };
      },
    };
    for (let run = 0; run < memory.runs; run += 1) {
      for (const subject of run % 2 === 0 ? subjects : [...subjects].reverse()) {
        process.stderr.write(`bench: discord-latency memory run ${run + 1}/${memory.runs}: ${subject.name}\n`);
        memoryRuns.push(await measureDiscordMemoryRun(subject, run, memorySetup));
      }
    }
    const botRuns = memoryRuns.filter((r) => r.subject.kind === 'bot');
    const loaded = ['@slack/bolt', 'ioredis', '@octokit/rest'].map((name) => {
      const count = botRuns.filter((r) => r.packages.has(name)).length;
      return `\`${name}\` ${count === 0 ? 'not loaded' : `**loaded** (${count} of ${botRuns.length} bot runs)`}`;
    });
    const pair = subjects[0]!.pair;
    const of = (command: Command, concurrency: number, side: Side) => figures.get(`${command.name}@${concurrency}:${side}`) ?? [];
    return [
      heading,
      '',
      `${size === PRODUCTION_SIZE ? 'Production-size data' : '**Reduced data, not production size**'} (${size.users.toLocaleString('en')} users, ${size.resourceRequests.toLocaleString('en')} resource requests, 2 % pending, ${(size.instances * size.historyPerInstance).toLocaleString('en')} instance history rows) on the real PostgreSQL; the staff member kpatel is linked to a Discord id, as \`/atmo link\` records it. Discord's side is played by this process, which signs each interaction with a generated Ed25519 key as Discord does and posts it to \`/discord/interactions\`, and by the fake Discord REST (\`test/fakes/discord.ts\` in its own process, \`bench/support/fake-discord-main.ts\`), which receives the edits of deferred replies. The bot: \`startBot\` (\`bench/support/bot-main.ts\`) with DISCORD_MODE=http and no Slack variables, no REDIS_URL, JOBS=false. The anchor: a bare Node HTTP server (\`bench/support/bare-discord-main.ts\`) that checks the signature with node:crypto as the bot does, answers type 5 (deferred) and then PATCHes \`@original\` with fixed text: the same Discord calls as a deferred bot reply, without the bot's work.`,
      '',
      `The first response runs from sending the signed POST to reading its whole HTTP answer. The answer exists at that moment when the first response is the message (type 4, as the bot answers a command that is done within its ${COMMAND_REPLY_BUDGET_MS / 1000} s reply budget), when a response sent by REST (a message with files, to the interaction's callback route; the endpoint then answers Discord's POST 202, so the first response is timed to that 202) reaches the fake Discord REST, or, after a deferral (type 5), when the edit of \`@original\` (for a channel reply, the follow-up after it) reaches it. ${warmup} warm-up interactions per app and command, then ${repeats} repeats; in each repeat both apps run every command at ${concurrencies.join(' and ')} in flight, the apps' order alternated between repeats. Closed loop on the first response: a new interaction is sent as soon as one is answered; each batch then waits for its deferred answers, so none runs into the next. Medians over repeats; p99 spreads over repeats in brackets; a repeat misses when the bot's p99 is over ${FIRST_RESPONSE_RATIO}x the anchor's in the same repeat. Discord fails an interaction whose first response takes over 3 s: the over-3-s column counts those over all repeats. Load average before: ${loadBefore}; ${os.cpus().length} cores.${options.botExecArgv?.length ? ` The bot ran with \`${options.botExecArgv.join(' ')}\`: its numbers include that overhead.` : ''}`,
      '',
      '| Command | In flight | App | Interactions per repeat | First response p50 (ms) | First response p99 (ms, spread) | Answer p50 (ms) | Answer p99 (ms, spread) | First responses over 3 s | Verdict |',
      '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...COMMANDS.flatMap((command) => concurrencies.flatMap((c) => latencyRows({ command: command.name, concurrency: c, bare: of(command, c, 'bare'), bot: of(command, c, 'bot'), ratio: FIRST_RESPONSE_RATIO }))),
      '',
      "The bot's answers:",
      ...COMMANDS.flatMap((command) => concurrencies.map((c) => workLine(command.name, c, of(command, c, 'bot')))),
      `- Requests at the fake Discord REST over the whole latency part: ${Object.entries(routes).map(([route, count]) => `\`${route}\` ${count}`).join(', ')}.`,
      '',
      `Memory and start-up: each side started as production starts a service, \`node <entry>\` with only its environment and no IPC, timed from the spawn to \`GET /healthz\` answering 200; VmRSS read from /proc after ${IDLE_SETTLE_MS / 1000} s idle, then ${memory.events.toLocaleString('en')} signed interactions (\`/atmo requests\` and \`whoami\` in turn), ${MEMORY_CONCURRENCY} in flight, every answer awaited, VmRSS again after ${AFTER_SETTLE_MS / 1000} s (and VmHWM, the peak). ${pair === 'compiled' ? `The compiled build, as production runs it: \`node dist/main.js\`${nodeOptions ? ` with the image's \`NODE_OPTIONS=${nodeOptions}\` from the Dockerfile` : ''}, and the bare server transpiled to JavaScript with Node's defaults.` : `Both under tsx, as \`npm start\` runs the bot; the compiled build was not measured: ${buildProblem}.`} ${memory.runs} runs of each side, the order reversed every other run; medians, spread over runs in brackets; a run misses when the bot's value is over ${RSS_RATIO}x the bare server's in the same run.`,
      '',
      `Two anchors: the bare Node server above (imports nothing but Node: the floor), and the same server making its edit through discord.js's REST client (\`BARE_DISCORD_LIBRARY=discord.js\`), which loads the library the bot answers Discord with, as the Slack benchmarks' anchor is a bare Bolt app. The second is the like-for-like comparison; the first says what the library itself costs.`,
      '',
      '| Pair | Measure | Anchor | anchor | atmo-bot | bot / anchor | Target |',
      '| --- | --- | --- | ---: | ---: | ---: | --- |',
      ...memoryRows(memoryRuns, RSS_RATIO),
      '',
      `Work done in the memory runs: each bot run had ${Math.min(...botRuns.map((r) => r.answered))} to ${Math.max(...botRuns.map((r) => r.answered))} of its ${memory.events.toLocaleString('en')} interactions answered, ${Math.min(...botRuns.map((r) => r.expected))} to ${Math.max(...botRuns.map((r) => r.expected))} with what the command shows. Optional clients in the bot's process (CommonJS module cache at exit, Discord-only configuration${botRuns.every((r) => r.packages.has('discord.js') && r.packages.has('pg')) ? '; the same cache lists `discord.js` and `pg` in every bot run' : '; **the cache did not list `discord.js` and `pg` in every bot run, so this check may not work**'}): ${loaded.join(', ')}.`,
    ].join('\n');
  } finally {
    for (const child of children.reverse()) await child.stop().catch(() => child.kill());
    await cleanup();
    await fresh.drop();
  }
}
