import { mkdtemp, readdir, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The processes the memory and start-up benchmark compares: the bot as `npm start` runs it (tsx over
 * src/main.ts) and as the compiled build runs (`node dist/main.js`), each beside a bare Bolt app run
 * the same way, so a ratio compares like with like.
 */

export interface MemorySubject {
  name: string;
  kind: 'bare' | 'bot';
  /** For a bare subject when a benchmark has more than one: what it stands for, shown in its rows. */
  anchor?: string;
  /** Which pair it belongs to: the tsx pair or the compiled pair. */
  pair: 'tsx' | 'compiled';
  /** Node's arguments: flags and the entry point. */
  args: string[];
  /** More of its environment, such as the NODE_OPTIONS the image sets. */
  env?: Record<string, string>;
}

/**
 * The NODE_OPTIONS the Dockerfile's `ENV` line gives the bot's process, so the compiled bot is measured
 * as the image runs it; null when the Dockerfile sets none.
 */
export async function imageNodeOptions(): Promise<string | null> {
  const dockerfile = await readFile(path('Dockerfile'), 'utf8').catch(() => '');
  const match = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(dockerfile);
  return match?.[1] ?? null;
}

const ROOT = new URL('../../', import.meta.url);
const path = (relative: string) => fileURLToPath(new URL(relative, ROOT));
const BARE_MAIN = path('bench/support/bare-bolt-main.ts');

/** The newest modification time of the files under `dir`, in ms. */
async function newestUnder(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/**
 * Why the compiled build is not measured, or null when dist/main.js exists and is newer than every
 * file under src (an older build would measure other code than the commit says).
 */
export async function compiledBuildProblem(): Promise<string | null> {
  const built = await stat(path('dist/main.js')).catch(() => null);
  if (!built) return 'dist/main.js does not exist (run `npm run build` first)';
  if (built.mtimeMs < (await newestUnder(path('src')))) return 'dist/ is older than src/ (run `npm run build` again)';
  return null;
}

/**
 * The bare app transpiled to plain JavaScript in a temporary directory whose node_modules links to
 * the project's, so plain Node runs it without a loader, as it runs dist/.
 */
export async function compiledBareMain(entry = BARE_MAIN): Promise<{ file: string; dir: string }> {
  const ts = (await import('typescript')).default;
  const source = await readFile(entry, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  const dir = await mkdtemp(join(tmpdir(), 'atmobot-bare-'));
  await symlink(await realpath(path('node_modules')), join(dir, 'node_modules'), 'dir');
  const file = join(dir, basename(entry).replace(/\.ts$/, '.mjs'));
  await writeFile(file, outputText);
  return { file, dir };
}

/** The subjects to run: always the tsx pair, and the compiled pair when `compiled` is true; `cleanup` removes the transpiled bare app. */
export async function memorySubjects(compiled: boolean, preload: string): Promise<{ subjects: MemorySubject[]; cleanup(): Promise<void> }> {
  const tsx = ['--import', preload, '--import', 'tsx'];
  const subjects: MemorySubject[] = [
    { name: 'bare Bolt (tsx)', kind: 'bare', pair: 'tsx', args: [...tsx, BARE_MAIN] },
    { name: 'atmo-bot (tsx src/main.ts)', kind: 'bot', pair: 'tsx', args: [...tsx, path('src/main.ts')] },
  ];
  if (!compiled) return { subjects, cleanup: async () => {} };
  const bare = await compiledBareMain();
  const nodeOptions = await imageNodeOptions();
  subjects.push(
    { name: 'bare Bolt (node, transpiled)', kind: 'bare', pair: 'compiled', args: ['--import', preload, bare.file] },
    { name: 'atmo-bot (node dist/main.js)', kind: 'bot', pair: 'compiled', args: ['--import', preload, path('dist/main.js')], ...(nodeOptions ? { env: { NODE_OPTIONS: nodeOptions } } : {}) },
  );
  return { subjects, cleanup: () => rm(bare.dir, { recursive: true, force: true }) };
}
