import { readFile } from 'node:fs/promises';

/**
 * `tsx bench/cpu-profile-summary.ts <file.cpuprofile> [top]`: where a process's CPU went, from a
 * `--cpu-prof` profile (as the ack-latency benchmark writes for the bot with BENCH_BOT_CPU_PROF_DIR).
 * Native frames (socket writes, GC) are charged to the library whose JavaScript called them, because
 * "writev" alone does not say whose round trips they were.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Library owners, checked from the leaf toward the root; the first match owns the sample. */
const OWNERS: [RegExp, string][] = [
  [/node_modules\/(pg|pg-pool|pg-protocol)\//, 'pg driver'],
  [/node_modules\/drizzle-orm\//, 'drizzle-orm (query building, row mapping)'],
  [/undici|node_modules\/(@slack\/web-api|axios)\//, 'outbound HTTP to Slack (web-api, fetch)'],
  [/node_modules\/pino\//, 'pino'],
  [/node_modules\/@slack\/bolt\/|node:_http|node:http/, 'Bolt and the HTTP server'],
  [/\/src\//, 'bot code (src/)'],
];
const STARTUP = /esm\/(hooks|loader|translators|utils)|modules\/cjs\/loader|tsx\/dist|src\/db\/(demo-data|load-schema)|fresh-database/;

function owner(stack: CallFrame[]): string {
  const leaf = stack[0];
  if (!leaf) return 'unknown';
  if (leaf.functionName === '(idle)') return '(idle)';
  if (leaf.functionName === '(garbage collector)') return 'garbage collector';
  if (stack.some((frame) => STARTUP.test(frame.url))) return 'start-up (module loading, demo data)';
  for (const frame of stack) {
    const match = OWNERS.find(([pattern]) => pattern.test(frame.url));
    if (match) return leaf.url ? match[1] : `${match[1]}: native ${leaf.functionName}`;
  }
  return `other: ${leaf.functionName || '(anonymous)'}`;
}

function frameName(frame: CallFrame): string {
  const file = frame.url.replace(/^file:\/\/.*?\/(node_modules|src|bench|test)\//, '$1/');
  return `${frame.functionName || '(anonymous)'} ${file}${file ? `:${frame.lineNumber + 1}` : ''}`;
}

function table(totals: Map<string, number>, busy: number, top: number): string {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, micros]) => `${(micros / 1000).toFixed(0).padStart(7)} ms ${((100 * micros) / busy).toFixed(1).padStart(5)} %  ${name}`)
    .join('\n');
}

const [file, topArgument] = process.argv.slice(2);
if (!file) throw new Error('usage: cpu-profile-summary.ts <file.cpuprofile> [top]');
const top = Number(topArgument ?? 20);
// A .cpuprofile is V8's JSON; only the fields read here are declared.
const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

const byOwner = new Map<string, number>();
const bySelf = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, index) => {
  const micros = profile.timeDeltas[index] ?? 0;
  const stack: CallFrame[] = [];
  for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
    const node = nodes.get(current);
    if (node) stack.push(node.callFrame);
  }
  total += micros;
  const name = owner(stack);
  byOwner.set(name, (byOwner.get(name) ?? 0) + micros);
  if (name !== '(idle)' && stack[0]) bySelf.set(frameName(stack[0]), (bySelf.get(frameName(stack[0])) ?? 0) + micros);
});
const idle = byOwner.get('(idle)') ?? 0;
byOwner.delete('(idle)');
const busy = total - idle;
process.stdout.write(
  [
    `profiled ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s; shares are of busy time`,
    '',
    'by owner (native frames charged to the library that called them):',
    table(byOwner, busy, top),
    '',
    'top self-time frames:',
    table(bySelf, busy, top),
    '',
  ].join('\n'),
);
