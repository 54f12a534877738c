/**
 * A strict parser of Prometheus' text exposition format 0.0.4, as specified in
 * prometheus/docs `content/docs/instrumenting/exposition_formats.md`: `# HELP` and `# TYPE` lines,
 * then samples `name{label="value",...} value [timestamp]`, label values escaped with `\\`, `\"` and
 * `\n`. Anything the format does not allow is an error naming the line, so a test fails on output
 * a Prometheus server would refuse, not only on wrong numbers:
 * - metric and label names must match the format's patterns; a label may not repeat in one sample;
 * - a family's TYPE comes before its samples, at most once, and a family's lines are contiguous;
 * - a sample name must be its family's (plus `_bucket`/`_sum`/`_count` for histograms);
 * - no two samples have the same name and labels;
 * - histogram buckets carry `le`, are cumulative, and `le="+Inf"` equals `_count`.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string | undefined;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const seen = new Set<string>();
  let current: MetricFamily | null = null;
  const closed = new Set<string>();
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error('the exposition must end with a line feed');
  lines.pop();

  const family = (name: string, lineNo: number): MetricFamily => {
    if (current?.name === name) return current;
    if (closed.has(name) || families.has(name)) throw new Error(`line ${lineNo}: the lines of ${name} are not together`);
    if (current) closed.add(current.name);
    current = { name, type: 'untyped', help: undefined, samples: [] };
    families.set(name, current);
    return current;
  };

  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!match) return; // a plain comment
      const [, keyword, name, rest = ''] = match;
      if (!METRIC_NAME.test(name!)) throw new Error(`line ${lineNo}: bad metric name "${name}"`);
      const target = family(name!, lineNo);
      if (keyword === 'HELP') {
        if (target.help !== undefined) throw new Error(`line ${lineNo}: second HELP for ${name}`);
        target.help = unescape(rest, false, lineNo);
      } else {
        if (!TYPES.has(rest)) throw new Error(`line ${lineNo}: unknown type "${rest}"`);
        if (target.samples.length > 0 || target.type !== 'untyped') throw new Error(`line ${lineNo}: TYPE of ${name} after its samples or twice`);
        target.type = rest as MetricType;
      }
      return;
    }
    const sample = parseSample(line, lineNo);
    const base = baseName(sample.name, current);
    const target = family(base, lineNo);
    if (base !== sample.name && !['histogram', 'summary'].includes(target.type)) {
      throw new Error(`line ${lineNo}: ${sample.name} does not belong to ${target.type} ${base}`);
    }
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) throw new Error(`line ${lineNo}: duplicate sample ${sample.name} ${JSON.stringify(sample.labels)}`);
    seen.add(key);
    target.samples.push(sample);
  });
  for (const parsed of families.values()) if (parsed.type === 'histogram') checkHistogram(parsed);
  return families;
}

function baseName(name: string, current: MetricFamily | null): string {
  if (current && (current.type === 'histogram' || current.type === 'summary')) {
    for (const suffix of ['_bucket', '_sum', '_count']) {
      if (name === `${current.name}${suffix}`) return current.name;
    }
  }
  return name;
}

function parseSample(line: string, lineNo: number): Sample {
  const nameMatch = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!nameMatch) throw new Error(`line ${lineNo}: no metric name in "${line}"`);
  const name = nameMatch[1]!;
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at += 1;
    while (line[at] !== '}') {
      const labelMatch = /^([^=\s]+)="/.exec(line.slice(at));
      if (!labelMatch) throw new Error(`line ${lineNo}: bad label at column ${at + 1}`);
      const label = labelMatch[1]!;
      if (!LABEL_NAME.test(label)) throw new Error(`line ${lineNo}: bad label name "${label}"`);
      if (label in labels) throw new Error(`line ${lineNo}: label ${label} twice`);
      at += labelMatch[0].length;
      let raw = '';
      for (;;) {
        const char = line[at];
        if (char === undefined) throw new Error(`line ${lineNo}: unterminated label value`);
        if (char === '\\') {
          raw += char + (line[at + 1] ?? '');
          at += 2;
          continue;
        }
        at += 1;
        if (char === '"') break;
        raw += char;
      }
      labels[label] = unescape(raw, true, lineNo);
      if (line[at] === ',') at += 1;
      else if (line[at] !== '}') throw new Error(`line ${lineNo}: expected , or } at column ${at + 1}`);
    }
    at += 1;
  }
  const rest = line.slice(at);
  const valueMatch = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (!valueMatch) throw new Error(`line ${lineNo}: bad value part "${rest}"`);
  return { name, labels, value: parseValue(valueMatch[1]!, lineNo) };
}

function parseValue(text: string, lineNo: number): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`line ${lineNo}: "${text}" is not a number`);
  return Number(text);
}

/** Label values allow `\\`, `\"` and `\n`; HELP text allows `\\` and `\n`. */
function unescape(text: string, quotes: boolean, lineNo: number): string {
  return text.replace(/\\(.?)/g, (_, next: string) => {
    if (next === '\\') return '\\';
    if (next === 'n') return '\n';
    if (next === '"' && quotes) return '"';
    throw new Error(`line ${lineNo}: bad escape "\\${next}"`);
  });
}

function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, { buckets: { le: number; value: number }[]; count?: number; sum?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (sample.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      entry.buckets.push({ le: parseValue(le, 0), value: sample.value });
    } else if (sample.name.endsWith('_count')) entry.count = sample.value;
    else if (sample.name.endsWith('_sum')) entry.sum = sample.value;
    else throw new Error(`${family.name}: a plain sample in a histogram`);
  }
  for (const [key, entry] of series) {
    const buckets = [...entry.buckets].sort((a, b) => a.le - b.le);
    if (buckets.at(-1)?.le !== Infinity) throw new Error(`${family.name}${key}: no +Inf bucket`);
    for (let index = 1; index < buckets.length; index += 1) {
      if (buckets[index]!.value < buckets[index - 1]!.value) throw new Error(`${family.name}${key}: buckets are not cumulative`);
    }
    if (entry.count === undefined || entry.sum === undefined) throw new Error(`${family.name}${key}: _count or _sum missing`);
    if (buckets.at(-1)!.value !== entry.count) throw new Error(`${family.name}${key}: +Inf bucket differs from _count`);
  }
}

/** The value of the sample named `name` whose labels include `labels`; undefined when none. */
export function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name !== name) continue;
      if (Object.entries(labels).every(([label, value]) => sample.labels[label] === value)) return sample.value;
    }
  }
  return undefined;
}
