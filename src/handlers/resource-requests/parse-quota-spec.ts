import type { QuotaValues } from '../../integrations/atmosphere/gateway.js';
import { formatGigabytes } from '../quantities.js';

/** Words staff may use for each quota column (the Troposphere and Django admin labels included). */
const ALIASES: Record<string, keyof QuotaValues> = {
  cpu: 'cpu',
  cpus: 'cpu',
  memory: 'memory',
  mem: 'memory',
  ram: 'memory',
  storage: 'storage',
  disk: 'storage',
  instance_count: 'instance_count',
  instances: 'instance_count',
  snapshot_count: 'snapshot_count',
  snapshots: 'snapshot_count',
  storage_count: 'storage_count',
  volumes: 'storage_count',
  floating_ip_count: 'floating_ip_count',
  floating_ips: 'floating_ip_count',
  port_count: 'port_count',
  ports: 'port_count',
};

/** Far above any real allocation; catches typos such as an extra zero pasted twice. */
const MAX_VALUE = 100_000;

/** Columns measured in GB, the only ones a size unit may follow. */
const SIZED: ReadonlySet<keyof QuotaValues> = new Set(['memory', 'storage']);
/** GB per unit; Atmosphere keeps memory and storage in GB, and OpenStack counts a TB as 1024 of them. */
const UNITS: Record<string, number> = { gb: 1, g: 1, tb: 1024, t: 1024 };
const UNIT_WORD = /^(gb|g|tb|t)$/i;

export const QUOTA_SPEC_HELP =
  'Write the quota as key=value pairs, e.g. "cpu=32 memory=128GB storage=2TB volumes=10" ("memory: 128 GB" works too). Keys: cpu, memory, storage (GB, or TB), volumes, instances, snapshots, floating_ips, ports; each at least 1, as Atmosphere requires. Keys you leave out keep their current value.';

/** A reply lists this many problems and counts the rest, so a pasted wall of text gets a short answer. */
const MAX_PROBLEMS_SHOWN = 5;
/** Longest piece of the input quoted back in a problem. */
const MAX_ECHO = 40;

function echo(text: string): string {
  return text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO - 1)}…` : text;
}

// "cpu = 32" and "cpu: 32" are one pair: drops the whitespace around each `=` or `:`. Words are joined
// back rather than using the regex /\s*([=:])\s*/g, which retries from every space of a long run.
function joinSigns(text: string): string {
  const out: string[] = [];
  let sign = false;
  for (const word of text.split(/\s+/)) {
    if (word === '') continue;
    const first = word[0];
    if (out.length > 0 && !sign && first !== '=' && first !== ':') out.push(' ');
    out.push(word);
    const last = word[word.length - 1];
    sign = last === '=' || last === ':';
  }
  return out.join('');
}

/**
 * Parses "cpu=32 mem=128 storage=500" into the quota columns it names. Separators may be spaces or
 * commas, and `:` works like `=`. Every problem is reported (the first few quoted, the rest counted), with how to write it right.
 */
export function parseQuotaSpec(text: string): { ok: true; values: Partial<QuotaValues> } | { ok: false; error: string } {
  const values: Partial<QuotaValues> = {};
  const problems: string[] = [];
  let unlisted = 0;
  // Only the first few problems are worded; the rest are counted, so a pasted wall of text costs little.
  const problem = (describe: () => string) => {
    if (problems.length < MAX_PROBLEMS_SHOWN) problems.push(describe());
    else unlisted += 1;
  };
  // "memory: 128 GB": a unit standing alone belongs to the value before it.
  const parts: string[] = [];
  for (const word of joinSigns(text).split(/[\s,;]+/)) {
    if (word === '') continue;
    if (UNIT_WORD.test(word) && parts.length > 0 && /\d$/.test(parts[parts.length - 1]!)) parts[parts.length - 1] += word;
    else parts.push(word);
  }
  if (parts.length === 0) return { ok: false, error: `The quota is empty. ${QUOTA_SPEC_HELP}` };
  for (const part of parts) {
    // A part holds no whitespace (split above), so nothing here can backtrack over a long run.
    const match = /^([a-z_]+)[=:](.*)$/i.exec(part);
    if (!match) {
      problem(() => `"${echo(part)}" is not key=value`);
      continue;
    }
    const key = ALIASES[match[1]!.toLowerCase()];
    if (!key) {
      problem(() => `"${echo(match[1]!)}" is not a quota key`);
      continue;
    }
    const value = /^(\d{1,9})([a-z]*)$/i.exec(match[2]!);
    const unit = value?.[2]?.toLowerCase() ?? '';
    const factor = unit === '' ? 1 : SIZED.has(key) ? UNITS[unit] : undefined;
    const amount = value && factor !== undefined ? Number(value[1]) * factor : Number.NaN;
    if (!(amount >= 1 && amount <= MAX_VALUE)) {
      problem(() => `${match[1]} must be ${SIZED.has(key) ? 'a size from 1 to 100000 GB, such as 128, 128GB or 2TB' : `a whole number from 1 to ${MAX_VALUE}`}, not "${echo(match[2]!)}"`);
      continue;
    }
    if (key in values) {
      problem(() => `${key} is given twice`);
      continue;
    }
    values[key] = amount;
  }
  if (problems.length > 0) {
    return { ok: false, error: `${problems.join('; ')}${unlisted > 0 ? `; and ${unlisted} more` : ''}. ${QUOTA_SPEC_HELP}` };
  }
  return { ok: true, values };
}

/** "cpu 16 · memory 128 GB · storage 10 GB · volumes 10 · instances 10". */
export function formatQuota(values: QuotaValues): string {
  const show = (value: number | null) => (value === null ? 'default' : String(value));
  const gigabytes = (value: number | null) => (value === null ? 'default' : formatGigabytes(value));
  return [
    `cpu ${show(values.cpu)}`,
    `memory ${gigabytes(values.memory)}`,
    `storage ${gigabytes(values.storage)}`,
    `volumes ${show(values.storage_count)}`,
    `instances ${show(values.instance_count)}`,
    `snapshots ${show(values.snapshot_count)}`,
    `floating IPs ${show(values.floating_ip_count)}`,
    `ports ${show(values.port_count)}`,
  ].join(' · ');
}
