import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InteractionSigner } from '../../test/support/discord-signer.js';
import { compiledBareMain, imageNodeOptions, type MemorySubject } from './memory-subjects.js';
import { interactionBatch, type FakeDiscord } from './discord-load.js';
import { freePort, packagesOf, residentMemory, spawnNode } from './os-process.js';

/**
 * Memory and start-up of the Discord-over-HTTP bot against the bare Discord server, each started as
 * production starts a service (`node <entry>` with only its environment, no IPC) and watched from
 * outside: spawn to `/healthz` 200, VmRSS once idle, and again after a stream of signed interactions
 * once every answer exists.
 */

export interface DiscordMemoryRun {
  subject: MemorySubject;
  run: number;
  startupMs: number;
  idleMiB: number;
  afterMiB: number;
  peakMiB: number;
  packages: Set<string>;
  /** Interactions whose answer existed, and of those how many showed what the command shows. */
  answered: number;
  expected: number;
}

export interface DiscordMemorySetup {
  fake: FakeDiscord;
  signer: InteractionSigner;
  /** The bot's environment but for PORT (`discordBotEnv`). */
  botEnv: Record<string, string>;
  events: number;
  concurrency: number;
  /** Makes the i-th interaction of a run, and says whether an answer's text is what it should show. */
  interaction(index: number): { token: string; check(text: string): boolean };
}

const ROOT = new URL('../../', import.meta.url);
const path = (relative: string) => fileURLToPath(new URL(relative, ROOT));
const BARE_DISCORD_MAIN = path('bench/support/bare-discord-main.ts');
/** Time for a started process to finish its lazy start-up work before it counts as idle. */
export const IDLE_SETTLE_MS = 3_000;
/** Time after the last answer before memory is read again. */
export const AFTER_SETTLE_MS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The anchors: a server that imports nothing but Node, and the same server making its calls with discord.js as the bot does. */
export const FLOOR = 'bare Node';
export const LIBRARY = 'bare discord.js';

/**
 * One pair, as production would run it: the compiled bot (`node dist/main.js`, with the NODE_OPTIONS
 * the Dockerfile sets) beside the bare server transpiled to JavaScript when `compiled`, else both
 * under tsx as `npm start` runs the bot.
 */
export async function discordMemorySubjects(compiled: boolean, preload: string): Promise<{ subjects: MemorySubject[]; cleanup(): Promise<void> }> {
  if (!compiled) {
    const tsx = ['--import', preload, '--import', 'tsx'];
    return {
      subjects: [
        { name: 'bare Node (tsx)', kind: 'bare', anchor: FLOOR, pair: 'tsx', args: [...tsx, BARE_DISCORD_MAIN] },
        { name: 'bare discord.js (tsx)', kind: 'bare', anchor: LIBRARY, pair: 'tsx', args: [...tsx, BARE_DISCORD_MAIN], env: { BARE_DISCORD_LIBRARY: 'discord.js' } },
        { name: 'atmo-bot (tsx src/main.ts)', kind: 'bot', pair: 'tsx', args: [...tsx, path('src/main.ts')] },
      ],
      cleanup: async () => {},
    };
  }
  const bare = await compiledBareMain(BARE_DISCORD_MAIN);
  const nodeOptions = await imageNodeOptions();
  return {
    subjects: [
      { name: 'bare Node (node, transpiled)', kind: 'bare', anchor: FLOOR, pair: 'compiled', args: ['--import', preload, bare.file] },
      { name: 'bare discord.js (node, transpiled)', kind: 'bare', anchor: LIBRARY, pair: 'compiled', args: ['--import', preload, bare.file], env: { BARE_DISCORD_LIBRARY: 'discord.js' } },
      { name: 'atmo-bot (node dist/main.js)', kind: 'bot', pair: 'compiled', args: ['--import', preload, path('dist/main.js')], ...(nodeOptions ? { env: { NODE_OPTIONS: nodeOptions } } : {}) },
    ],
    cleanup: () => rm(bare.dir, { recursive: true, force: true }),
  };
}

export async function measureDiscordMemoryRun(subject: MemorySubject, run: number, setup: DiscordMemorySetup): Promise<DiscordMemoryRun> {
  const port = await freePort();
  const modulesFile = join(tmpdir(), `atmobot-modules-${randomBytes(6).toString('hex')}.json`);
  const own: Record<string, string> = subject.kind === 'bot' ? { ...setup.botEnv, LOG_LEVEL: 'error' } : { DISCORD_API_URL: setup.fake.ready.apiUrl, DISCORD_PUBLIC_KEY: setup.botEnv.DISCORD_PUBLIC_KEY ?? '' };
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', NODE_ENV: 'production', BENCH_LOADED_MODULES_FILE: modulesFile, ...own, PORT: String(port), HOST: '127.0.0.1', ...subject.env };
  const child = spawnNode(subject.args, env);
  try {
    const base = `http://127.0.0.1:${port}`;
    const startupMs = await child.waitHealthy(`${base}/healthz`);
    await sleep(IDLE_SETTLE_MS);
    const idle = await residentMemory(child.pid);
    const checks = new Map<string, (text: string) => boolean>();
    let index = 0;
    const samples = await interactionBatch({
      signer: setup.signer,
      url: `${base}/discord/interactions`,
      fake: setup.fake,
      count: setup.events,
      concurrency: setup.concurrency,
      make: () => {
        const made = setup.interaction(index++);
        checks.set(made.token, made.check);
        return made;
      },
    });
    const answered = samples.filter((sample) => Number.isFinite(sample.answerMs));
    await sleep(AFTER_SETTLE_MS);
    const after = await residentMemory(child.pid);
    await child.stop();
    const modules = JSON.parse(await readFile(modulesFile, 'utf8').catch(() => '[]')) as string[];
    return {
      subject,
      run,
      startupMs,
      idleMiB: idle.rss,
      afterMiB: after.rss,
      peakMiB: after.peak,
      packages: packagesOf(modules),
      answered: answered.length,
      expected: answered.filter((sample) => checks.get(sample.token)?.(sample.text)).length,
    };
  } finally {
    await child.stop();
    await rm(modulesFile, { force: true });
  }
}
