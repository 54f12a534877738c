import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The layers of `src/` and who may import whom (docs/architecture.md draws the same picture).
 * A layer is named by its folder; the composition roots at the top of `src/` may import anything.
 */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  model: [],
  errors: [],
  'pretty-log-line': [],
  logger: ['pretty-log-line', 'model'],
  config: ['model', 'errors'],
  db: ['model', 'errors', 'logger', 'config'],
  integrations: ['model', 'errors', 'logger', 'config', 'db'],
  deps: ['model', 'config', 'logger', 'db', 'integrations', 'bot/chat'],
  'bot/chat': ['model', 'errors', 'logger', 'config', 'db', 'integrations', 'deps'],
  // Adapters see the chat core, the shared HTTP listener and the leaves; never a handler, a query or a client.
  'bot/http': ['logger'],
  'bot/slack': ['bot/chat', 'bot/http', 'model', 'errors', 'logger'],
  'bot/discord': ['bot/chat', 'bot/http', 'model', 'errors', 'logger'],
  'bot/console': ['bot/chat', 'model', 'errors', 'logger'],
  handlers: ['model', 'errors', 'logger', 'config', 'db', 'integrations', 'deps', 'bot/chat'],
  jobs: ['model', 'errors', 'logger', 'config', 'db', 'integrations', 'deps', 'bot/chat', 'handlers'],
  // The Prometheus side of the chat core's BotMetrics port; only the composition root builds it.
  metrics: ['bot/chat', 'model', 'logger'],
};

/** Platform SDKs, and the database libraries (SQL lives in db/ only), and the one layer that may load each. */
export const SDK_OWNERS: Readonly<Record<string, string>> = {
  '@slack/': 'bot/slack',
  'discord.js': 'bot/discord',
  '@discordjs/': 'bot/discord',
  'drizzle-orm': 'db',
  pg: 'db',
  '@electric-sql/pglite': 'db',
  'prom-client': 'metrics',
};

/** Programs and the composition root: they wire everything together, so they may import anything. */
export const ROOTS: ReadonlySet<string> = new Set(['main', 'console-users', 'create-embedded-clusters', 'start-bot', 'start-discord', 'start-slack', 'build-clients', 'adapter-wiring', 'build-databases', 'build-evidence-sources', 'register-discord-commands', 'load-demo-databases-cli', 'migrate-database', 'print-grants']);

/** The layer of a path relative to `src/`, e.g. `handlers/imaging/x.ts` -> `handlers`. */
export function layerOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] === 'bot') {
    if (parts.length === 2) return parts[1] === 'http-server.ts' ? 'bot/http' : 'bot';
    return `bot/${parts[1]}`;
  }
  return parts.length === 1 ? parts[0]!.replace(/\.ts$/, '') : parts[0]!;
}

export interface ImportViolation {
  file: string;
  imports: string;
  rule: string;
}

/** Checks one file's import specifiers (`fileInSrc` relative to `src/`). */
export function checkImports(fileInSrc: string, specifiers: readonly string[]): ImportViolation[] {
  const from = layerOf(fileInSrc);
  if (ROOTS.has(from)) return [];
  const allowed = ALLOWED[from];
  const violations: ImportViolation[] = [];
  for (const spec of specifiers) {
    if (spec.startsWith('.')) {
      const target = relative('/src', resolve('/src', dirname(fileInSrc), spec)).replace(/\.js$/, '.ts');
      if (target.startsWith('..')) {
        violations.push({ file: fileInSrc, imports: spec, rule: 'src imports nothing outside src' });
        continue;
      }
      const to = layerOf(target);
      if (to === from) continue;
      if (!allowed) violations.push({ file: fileInSrc, imports: spec, rule: `layer ${from} is not in the rules` });
      else if (!allowed.includes(to)) violations.push({ file: fileInSrc, imports: spec, rule: `${from} may not import ${to}` });
      continue;
    }
    for (const [prefix, owner] of Object.entries(SDK_OWNERS)) {
      if ((spec === prefix || spec.startsWith(prefix)) && from !== owner) {
        violations.push({ file: fileInSrc, imports: spec, rule: `only ${owner} loads ${prefix}` });
      }
    }
  }
  return violations;
}

/** Every `import … from '…'`, `export … from '…'` and `import('…')` specifier in a source text. */
export function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)) found.push(match[1]!);
  return found;
}

/** All `.ts` files under a folder, as paths relative to it. */
export function listSources(root: string, sub = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, sub))) {
    const path = sub ? `${sub}/${name}` : name;
    if (statSync(join(root, path)).isDirectory()) out.push(...listSources(root, path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

export function checkTree(srcRoot: string): ImportViolation[] {
  return listSources(srcRoot).flatMap((file) => checkImports(file, importSpecifiers(readFileSync(join(srcRoot, file), 'utf8'))));
}
